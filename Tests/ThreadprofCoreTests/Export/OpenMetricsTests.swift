// OpenMetrics output checked by a strict parser written here: valid names,
// each family declared once before its samples, escaping that round-trips,
// no duplicate label sets, `# EOF` last.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

/// A strict reader of the subset of OpenMetrics text we emit (gauges).
struct StrictOpenMetrics {
  struct Sample: Equatable {
    var name: String
    var labels: [String: String]
    var value: Double
  }
  var types: [String: String] = [:]
  var units: [String: String] = [:]
  var helps: [String: String] = [:]
  var samples: [Sample] = []

  static func validName(_ s: Substring, label: Bool = false) -> Bool {
    guard let first = s.unicodeScalars.first else { return false }
    func letter(_ c: Unicode.Scalar) -> Bool {
      (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || (!label && c == ":")
    }
    return letter(first)
      && s.unicodeScalars.allSatisfy { letter($0) || ($0 >= "0" && $0 <= "9") }
  }

  init(_ text: String) throws {
    guard text.hasSuffix("# EOF\n") else { throw TestFailure("does not end in # EOF") }
    let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.last == "# EOF" else { throw TestFailure("# EOF is not last") }
    var current: String?
    var familyHasSamples = false
    var labelSets: [String: Set<[String: String]>] = [:]
    for line in lines.dropLast() {
      if line.hasPrefix("#") {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0] == "#", Self.validName(parts[2]) else {
          throw TestFailure("bad metadata line: \(line)")
        }
        let name = String(parts[2])
        switch parts[1] {
        case "TYPE":
          guard types[name] == nil else { throw TestFailure("family \(name) declared twice") }
          guard ["gauge", "counter", "info", "stateset", "unknown"].contains(parts[3]) else {
            throw TestFailure("bad type \(parts[3])")
          }
          types[name] = String(parts[3])
          current = name
          familyHasSamples = false
        case "UNIT", "HELP":
          guard name == current, !familyHasSamples else {
            throw TestFailure("\(parts[1]) for \(name) outside its family's metadata")
          }
          if parts[1] == "UNIT" {
            guard units[name] == nil, name.hasSuffix("_" + parts[3]) else {
              throw TestFailure("bad or repeated unit on \(name)")
            }
            units[name] = String(parts[3])
          } else {
            guard helps[name] == nil else { throw TestFailure("two HELP lines for \(name)") }
            helps[name] = String(parts[3])
          }
        default: throw TestFailure("unknown metadata \(line)")
        }
        continue
      }
      let sample = try Self.parseSample(line)
      guard sample.name == current else {
        throw TestFailure("sample \(sample.name) outside its family (current \(current ?? "-"))")
      }
      familyHasSamples = true
      guard labelSets[sample.name, default: []].insert(sample.labels).inserted else {
        throw TestFailure("duplicate label set in \(line)")
      }
      samples.append(sample)
    }
  }

  static func parseSample(_ line: Substring) throws -> Sample {
    var chars = Array(line.unicodeScalars)[...]
    var name = ""
    while let c = chars.first, c != "{" && c != " " {
      name.unicodeScalars.append(c)
      chars.removeFirst()
    }
    guard validName(Substring(name)) else { throw TestFailure("bad metric name in \(line)") }
    var labels: [String: String] = [:]
    if chars.first == "{" {
      chars.removeFirst()
      while chars.first != "}" {
        var key = ""
        while let c = chars.first, c != "=" {
          key.unicodeScalars.append(c)
          chars.removeFirst()
        }
        guard validName(Substring(key), label: true), chars.popFirst() == "=",
          chars.popFirst() == "\""
        else { throw TestFailure("bad label in \(line)") }
        var value = ""
        while true {
          guard let c = chars.popFirst() else { throw TestFailure("unterminated value: \(line)") }
          if c == "\"" { break }
          if c == "\\" {
            switch chars.popFirst() {
            case "\\": value += "\\"
            case "\"": value += "\""
            case "n": value += "\n"
            default: throw TestFailure("bad escape in \(line)")
            }
          } else {
            value.unicodeScalars.append(c)
          }
        }
        guard labels.updateValue(value, forKey: key) == nil else {
          throw TestFailure("label \(key) repeated in \(line)")
        }
        if chars.first == "," { chars.removeFirst() } else if chars.first != "}" {
          throw TestFailure("expected , or } in \(line)")
        }
      }
      chars.removeFirst()
    }
    guard chars.popFirst() == " " else { throw TestFailure("no space before value: \(line)") }
    let rest = String(String.UnicodeScalarView(chars))
    guard !rest.contains(" "), let value = Double(rest) else {
      throw TestFailure("bad value in \(line)")
    }
    return Sample(name: name, labels: labels, value: value)
  }
}

@Suite struct OpenMetricsTests {
  @Test func outputPassesTheStrictParser() throws {
    let snap = ExportFixture.stacks
    let text = OpenMetricsExport.render(snap, growing: ["aa01"], generatedBy: "9.9.9")
    let m = try StrictOpenMetrics(text)
    #expect(m.types["threadprof_threads"] == "gauge")
    #expect(m.units["threadprof_cluster_threads"] == "threads")
    let total = m.samples.first { $0.name == "threadprof_threads" }
    #expect(total?.value == 15)
    let clusters = m.samples.filter { $0.name == "threadprof_cluster_threads" }
    #expect(clusters.map(\.value) == [8, 3, 3, 1])
    #expect(clusters.reduce(0) { $0 + $1.value } == 15)
    let growing = m.samples.filter { $0.name == "threadprof_cluster_growing" }
    #expect(growing.map(\.value) == [1, 0, 0, 0])
    #expect(growing[0].labels == clusters[0].labels)
    #expect(clusters[0].labels == [
      "cluster": "aa01", "site": "__futex_abstimed_wait_common", "name": "pool-N-thread-N",
      "state": "S",
    ])
    let stamp = try #require(m.samples.first { $0.name == "threadprof_snapshot_timestamp_seconds" })
    #expect(stamp.value == 1_796_399_125)
    #expect(stamp.labels["version"] == "9.9.9" && stamp.labels["pid"] == "4242")
  }

  @Test func labelEscapingRoundTrips() throws {
    let m = try StrictOpenMetrics(OpenMetricsExport.render(ExportFixture.stacks))
    let names = m.samples.filter { $0.name == "threadprof_cluster_threads" }.map {
      $0.labels["name"]!
    }
    // One pattern per cluster, the biggest: a join of several is ambiguous.
    #expect(names == ExportFixture.stacks.clusters.map(ExportStack.biggestNamePattern(of:)))
    #expect(names.contains("io \"x\"\\y"))
    #expect(names.contains("reader;1"))
    #expect(!names.contains { $0.contains("odd") })
    for v in ["", "a\\", "\"", "\n\n", "é\\n"] {
      let line = "x{l=\"\(OpenMetricsExport.escape(v))\"} 1"
      #expect(try StrictOpenMetrics.parseSample(Substring(line)).labels["l"] == v)
    }
  }

  @Test func waitSiteClustersUseTheirWaitSite() throws {
    let m = try StrictOpenMetrics(OpenMetricsExport.render(ExportFixture.waitSites))
    let sites = m.samples.filter { $0.name == "threadprof_cluster_threads" }.map {
      $0.labels["site"]!
    }
    #expect(sites == ["futex_wait_queue", "pipe_read", "running", "state:Z"])
  }

  @Test func theParserRejectsWhatTheSpecForbids() {
    let bad = [
      "x 1\n",  // no # EOF
      "# TYPE x gauge\nx 1\n# TYPE x gauge\n# EOF\n",  // family twice
      "# TYPE x gauge\ny 1\n# EOF\n",  // sample outside its family
      "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n# EOF\n",  // duplicate label set
      "# TYPE x gauge\nx{a=\"\\t\"} 1\n# EOF\n",  // bad escape
      "# TYPE 1x gauge\n# EOF\n",  // bad name
      "# TYPE x_seconds gauge\n# UNIT x_seconds bytes\n# EOF\n",  // unit not a suffix
      "# TYPE x gauge\nx 1\n# HELP x late\n# EOF\n",  // metadata after samples
      "# EOF\nx 1\n",  // EOF not last
    ]
    for text in bad { #expect(throws: TestFailure.self) { try StrictOpenMetrics(text) } }
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"),
    "promtool (Debian's prometheus package) is not installed"))
  func promtoolAcceptsTheOutput() throws {
    let text = OpenMetricsExport.render(ExportFixture.stacks, growing: ["aa01"])
    let r = try run("/usr/bin/promtool", ["check", "metrics"], stdin: Data(text.utf8))
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
  }
}

@Suite struct MetricsFileTests {
  @Test func rewritesTheFileWholeEachTime() throws {
    let path = TargetBuilder.scratch + "/metrics-\(getpid()).prom"
    try MetricsFile.write(ExportFixture.stacks, growing: ["aa01"], to: path)
    let first = try String(contentsOfFile: path, encoding: .utf8)
    #expect(try StrictOpenMetrics(first).samples.contains {
      $0.name == "threadprof_cluster_growing" && $0.value == 1
    })
    try MetricsFile.write(ExportFixture.waitSites, to: path)
    let second = try StrictOpenMetrics(try String(contentsOfFile: path, encoding: .utf8))
    #expect(second.samples.first { $0.name == "threadprof_threads" }?.value == 10)
    let attrs = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attrs[.posixPermissions] as? Int) == 0o644)
    // No temporary files are left beside it.
    let dir = try FileManager.default.contentsOfDirectory(atPath: TargetBuilder.scratch)
    #expect(!dir.contains { $0.hasPrefix(".metrics-\(getpid()).prom.tmp") })
  }
}
