import Foundation
import Testing
import ThreadprofTestSupport

/// `threadprof snapshot` run as a user runs it, on targets the tests start.
@Suite struct SnapshotCLITests {
  private func json(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any])
  }

  private func wchan(_ pid: Int32, _ tid: Int32) -> String {
    (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/wchan", encoding: .utf8)) ?? "?"
  }

  @Test func parkedThreadsFormClustersWithTheWaitSitesProcShows() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["3", "2", "1"])
    let result = try threadprof(["snapshot", "--format", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let doc = try json(result.stdout)
    let clusters = try #require(doc["clusters"] as? [[String: Any]])
    func cluster(_ pattern: String) -> [String: Any]? {
      clusters.first { c in
        (c["names"] as? [[String: Any]])?.first?["pattern"] as? String == pattern
      }
    }
    let sleepers = try #require(cluster("sleeper-N"))
    let readers = try #require(cluster("reader-N"))
    let lockers = try #require(cluster("locker-N"))
    #expect(sleepers["count"] as? Int == 3)
    #expect(readers["count"] as? Int == 2)
    #expect(lockers["count"] as? Int == 1)
    #expect(readers["syscall"] as? String == "read")
    #expect(sleepers["syscall"] as? String == "clock_nanosleep")
    #expect(lockers["syscall"] as? String == "futex")
    // The wait channel is what /proc itself says for those threads.
    for c in [sleepers, readers, lockers] {
      let tid = try #require((c["tids"] as? [Int])?.first)
      #expect(c["wchan"] as? String == wchan(target.pid, Int32(tid)))
      #expect(c["state"] as? String == "S")
    }
    // Biggest first.
    let counts = clusters.compactMap { $0["count"] as? Int }
    #expect(counts == counts.sorted(by: >))
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func jsonDocumentHasEveryDocumentedField() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "1", "0"])
    let result = try threadprof(["snapshot", "-f", "json", String(target.pid)])
    let doc = try json(result.stdout)
    #expect(doc["schema"] as? String == "threadprof.snapshot/1")
    let tool = try #require(doc["tool"] as? [String: Any])
    #expect(tool["name"] as? String == "threadprof")
    #expect(tool["version"] is String)
    let taken = try #require(doc["taken_at"] as? String)
    #expect(taken.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
    #expect(doc["host"] is String)
    #expect(doc["kernel"] is String)
    #expect(doc["group_by"] as? String == "site")
    let process = try #require(doc["process"] as? [String: Any])
    #expect(process["pid"] as? Int == Int(target.pid))
    #expect((process["exe"] as? String)?.hasSuffix("/" + (process["name"] as! String)) == true)
    #expect((process["cmdline"] as? [String])?.suffix(3) == ["1", "1", "0"])
    let threads = try #require(doc["threads"] as? [[String: Any]])
    #expect(threads.count == 3)
    for t in threads {
      for key in ["tid", "name", "state", "wchan", "syscall", "cpu_seconds", "age_seconds"] {
        #expect(t[key] != nil, "thread lacks \(key)")
      }
      #expect(t.keys.contains("kernel_stack"))
    }
    let clusters = try #require(doc["clusters"] as? [[String: Any]])
    for c in clusters {
      for key in ["id", "count", "tids", "names", "state", "wchan", "syscall"] {
        #expect(c[key] != nil, "cluster lacks \(key)")
      }
    }
    let skipped = try #require(doc["skipped"] as? [String: Any])
    #expect(skipped["exited"] as? Int == 0)
  }

  @Test func textReportFitsInOneHundredColumns() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["40", "3", "2"])
    let result = try threadprof(["snapshot", String(target.pid)])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count > 5)
    for line in lines { #expect(line.count <= 100, "too wide: \(line)") }
    #expect(result.stdout.contains("sleeper-N ×40"))
    #expect(!result.stdout.contains("\u{1b}["), "no colour when stdout is not a terminal")
  }

  @Test func aThreadIdResolvesToItsProcessWithANote() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "0", "0"])
    let tid = try #require(target.tids.last)
    let result = try threadprof(["snapshot", "--format", "json", String(tid)])
    #expect(result.status == 0)
    #expect(result.stderr.contains("\(tid) is a thread of process \(target.pid)"))
    #expect((try json(result.stdout)["process"] as? [String: Any])?["pid"] as? Int
      == Int(target.pid))
  }

  @Test func outputFileIsWrittenWhole() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let path = TargetBuilder.scratch + "/out-\(UUID().uuidString).json"
    let result = try threadprof(["snapshot", "-f", "json", "-o", path, String(target.pid)])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(try json(text)["schema"] as? String == "threadprof.snapshot/1")
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode.map { $0 & 0o022 } == 0, "not group/world writable")
  }

  struct BadInput: Sendable, CustomTestStringConvertible {
    var args: [String]
    var status: Int32
    var mentions: String
    var testDescription: String { args.joined(separator: " ") }
  }

  @Test(arguments: [
    BadInput(
      args: ["snapshot", "999999999"], status: 66, mentions: "no process with pid 999999999"),
    BadInput(args: ["snapshot", "abc"], status: 64, mentions: "'abc' is not a pid"),
    BadInput(args: ["snapshot", "0"], status: 64, mentions: "is not a pid"),
    BadInput(args: ["snapshot"], status: 64, mentions: "needs a pid"),
    BadInput(args: ["snapshot", "--bogus", "1"], status: 64, mentions: "unknown flag '--bogus'"),
    BadInput(args: ["snapshot", "--stack", "1"], status: 64, mentions: "did you mean '--stacks'"),
    BadInput(args: ["snapshot", "-f", "xml", "1"], status: 64, mentions: "-f must be one of"),
    BadInput(
      args: ["snapshot", "--group-by", "stack", "1"], status: 64, mentions: "needs --stacks"),
    BadInput(args: ["snapshot", "--format"], status: 64, mentions: "--format needs a value"),
    BadInput(args: ["snapshot", "1", "2"], status: 64, mentions: "takes one pid"),
    BadInput(args: ["snapshot", "--top", "0", "1"], status: 64, mentions: "--top wants"),
    BadInput(args: ["snapshto", "1"], status: 64, mentions: "did you mean 'snapshot'"),
    BadInput(
      args: ["snapshot", "--proc-root", "/nonexistent-root", "1"], status: 66,
      mentions: "no proc tree at /nonexistent-root"),
  ])
  func badInputGetsOneLineAndItsExitCode(_ input: BadInput) throws {
    let result = try threadprof(input.args)
    #expect(result.status == input.status)
    #expect(result.stdout.isEmpty)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("threadprof: "))
    #expect(result.stderr.contains(input.mentions), "\(result.stderr)")
  }

  @Test func helpAndVersion() throws {
    let help = try threadprof(["snapshot", "--help"])
    #expect(help.status == 0)
    for text in ["USAGE: threadprof snapshot", "--stacks", "--group-by", "EXIT STATUS", "77"] {
      #expect(help.stdout.contains(text))
    }
    let top = try threadprof(["--help"])
    #expect(top.status == 0 && top.stdout.contains("snapshot"))
    let none = try threadprof([])
    #expect(none.status == 64)
    // `--` ends the flags: a pid after it is still a pid.
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let dashed = try threadprof(["snapshot", "-f", "json", "--", String(target.pid)])
    #expect(dashed.status == 0)
  }
}
