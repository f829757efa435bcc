// Watch output: sample lines within 100 columns, the summary's wording and
// the JSON line fields.
import Foundation
import Testing

@testable import ThreadprofCore

@Suite struct WatchReportTests {
  func session(_ rows: [[(String, Int)]]) -> (WatchSession, [WatchSample]) {
    let session = WatchSession(interval: .seconds(2))
    var samples: [WatchSample] = []
    for (k, counts) in rows.enumerated() {
      samples.append(session.add(snapshot(counts), at: Double(k) * 2))
    }
    return (session, samples)
  }

  @Test func sampleLineFitsAndNamesTheBiggestChangesFirst() {
    let long = String(repeating: "very-long-thread-name-", count: 5)
    let (_, samples) = session([
      [("a", 1), ("b", 1), (long + "1", 1), (long + "2", 1), (long + "3", 1)],
      [("a", 9), ("b", 2), (long + "1", 5), (long + "2", 4), (long + "3", 3)],
    ])
    let line = WatchReport().sampleLine(samples[1])
    #expect(line.hasPrefix("16:00:00 #2       23 threads  +18  +8 a-N futex"))
    #expect(line.hasSuffix(" more\n"))
    #expect(line.count <= 101)
    #expect(WatchReport().sampleLine(session([[("a", 1)], [("a", 1)]]).1[1])
      .hasSuffix("no change\n"))
  }

  @Test func summaryNamesGrowthRateSteadinessAndSkippedTicks() {
    let (s, _) = session((0..<10).map { [("leak", 1 + $0), ("pool", 4)] })
    let text = WatchReport().summaryText(s.summary(), pid: 42, end: "count reached", skipped: 2)
    #expect(text.contains("watched pid 42: 10 samples over 18s, every 2.0s; count reached"))
    #expect(text.contains("2 ticks were skipped"))
    #expect(text.contains("1 growing cluster (of 2 watched):"))
    #expect(text.contains("  1 → 10  +30.0/min  steadiness 1.00  p <0.0001  id leak"))
    #expect(text.contains("    leak-N futex (futex_wait_queue)"))
  }

  @Test func jsonLinesCarryTheDocumentedFields() throws {
    let (s, samples) = session((0..<6).map { [("leak", 1 + 2 * $0)] })
    let report = WatchReport()
    let sample = try #require(
      JSONSerialization.jsonObject(with: Data(try report.sampleJSON(samples[5])))
        as? [String: Any])
    #expect(sample["type"] as? String == "sample")
    #expect(sample["seq"] as? Int == 6)
    #expect(sample["threads"] as? Int == 11)
    let cluster = try #require((sample["clusters"] as? [[String: Any]])?.first)
    #expect(cluster["id"] as? String == "leak")
    #expect(cluster["count"] as? Int == 11)
    #expect(cluster["delta"] as? Int == 2)
    let bytes = try report.summaryJSON(s.summary(), pid: 7, end: "interrupted")
    #expect(bytes.last == UInt8(ascii: "\n"))
    #expect(!bytes.dropLast().contains(UInt8(ascii: "\n")))
    let summary = try #require(
      JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    #expect(summary["type"] as? String == "summary")
    #expect(summary["end"] as? String == "interrupted")
    #expect(summary["samples"] as? Int == 6)
    #expect(summary["skipped_ticks"] as? Int == 0)
    let grown = try #require((summary["growing"] as? [[String: Any]])?.first)
    #expect(grown["id"] as? String == "leak")
    #expect(grown["first"] as? Int == 1)
    #expect(grown["last"] as? Int == 11)
    #expect(grown["per_minute"] as? Double == 60)
    #expect(grown["verdict"] as? String == "growing")
    #expect(grown["steadiness"] as? Double == 1)
  }
}
