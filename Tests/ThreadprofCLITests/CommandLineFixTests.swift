// What a user meets at the command line: failed writes, bare flags, messages,
// --verbose diagnostics, a reused --save directory and the stack header width.
import Foundation
import Testing
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct CommandLineFixTests {
  private func parked() throws -> LiveTarget {
    try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "1", "0"])
  }

  @Test func aFullDiskOnStdoutFailsWithOneLine() throws {
    let target = try parked()
    let bin = Hardening.q(Repo.threadprofBinary)
    let full = try Hardening.shell("exec \(bin) snapshot -f json \(target.pid) > /dev/full")
    #expect(full.status == 1)
    #expect(full.stderr == "threadprof: cannot write to standard output: "
      + "no space left on device\n", "\(full.stderr)")
    let closed = try Hardening.shell("exec \(bin) snapshot \(target.pid) >&-")
    #expect(closed.status == 1)
    #expect(closed.stderr.hasPrefix("threadprof: cannot write to standard output: "),
      "\(closed.stderr)")
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func aLeadingFlagOrPidMeansSnapshot() throws {
    let target = try parked()
    let plain = try threadprof(["snapshot", "-s", String(target.pid)])
    #expect(plain.status == 0, "\(plain.stderr)")
    for args in [["-s", String(target.pid)], [String(target.pid), "-s"]] {
      let result = try threadprof(args)
      #expect(result.status == 0, "\(args): \(result.stderr)")
      #expect(result.stdout.contains("grouped by stack"), "\(args)")
    }
    let bogus = try threadprof(["--bogus", String(target.pid)])
    #expect(bogus.status == 64)
    #expect(bogus.stderr.contains("unknown flag '--bogus' for 'threadprof snapshot'"))
  }

  @Test func suggestionsOnlyForCloseNames() throws {
    let far = try threadprof(["watch", "--top", "3", "1"])
    #expect(far.status == 64)
    #expect(!far.stderr.contains("did you mean"), "\(far.stderr)")
    let near = try threadprof(["watch", "--intervall", "1s", "1"])
    #expect(near.stderr.contains("did you mean '--interval'?"), "\(near.stderr)")
    let prefix = try threadprof(["watch", "--sensitiv", "low", "1"])
    #expect(prefix.stderr.contains("did you mean '--sensitivity'?"), "\(prefix.stderr)")
    let command = try threadprof(["snapshoot", "1"])
    #expect(command.stderr.contains("did you mean 'snapshot'?"), "\(command.stderr)")
  }

  @Test func messagesCountInTheRightNumber() throws {
    let diff = try threadprof(["diff", "a.json"])
    #expect(diff.status == 64)
    #expect(diff.stderr.contains("got 1 argument;"), "\(diff.stderr)")
    let negative = try threadprof(["diff", "--fail-on-growth", "-1", "a.json", "b.json"])
    #expect(negative.status == 64)
    #expect(negative.stderr.contains("--fail-on-growth"), "\(negative.stderr)")
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["3", "2", "1"])
    let top = try threadprof(["snapshot", "--top", "3", String(target.pid)])
    #expect(top.stdout.contains("… 1 more cluster with 1 thread\n"), "\(top.stdout)")
  }

  @Test func aMissingProcRootIsNamed() throws {
    let target = try parked()
    let root = "/nonexistent-\(UUID().uuidString)"
    for command in ["snapshot", "watch"] {
      let result = try threadprof([command, "-n", "1", "--proc-root", root, String(target.pid)]
        .filter { command == "watch" || $0 != "-n" && $0 != "1" })
      #expect(result.status == 66, "\(command): \(result.stderr)")
      #expect(result.stderr.hasPrefix("threadprof: no proc tree at \(root)"), "\(result.stderr)")
    }
  }

  @Test func verboseExplainsOnStderrAndLeavesTheReport() throws {
    let target = try parked()
    let quiet = try threadprof(["snapshot", "-f", "json", "-s", String(target.pid)])
    let loud = try threadprof(["snapshot", "-v", "-f", "json", "-s", String(target.pid)])
    #expect(loud.status == 0, "\(loud.stderr)")
    #expect(quiet.stderr.isEmpty)
    let debug = loud.stderr.split(separator: "\n").filter { $0.hasPrefix("threadprof: debug: ") }
    #expect(debug.count >= 4, "\(loud.stderr)")
    #expect(loud.stderr.contains("pid \(target.pid), reading /proc"))
    #expect(loud.stderr.contains("stacks collected in"))
    #expect(loud.stderr.contains("modules opened") || loud.stderr.contains("module opened"))
    // Same document apart from the time it was taken and the measured pause.
    func stable(_ text: String) throws -> [String] {
      let doc = try #require(
        JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      let clusters = try #require(doc["clusters"] as? [[String: Any]])
      return clusters.map { "\($0["count"] ?? "") \($0["id"] ?? "")" }
    }
    #expect(try stable(loud.stdout) == stable(quiet.stdout))
  }

  @Test func aUsedSaveDirectoryIsRefused() throws {
    let target = try parked()
    let dir = HardeningOutputTests.scratchDir()
    try "{}".write(toFile: dir + "/000001.json", atomically: false, encoding: .utf8)
    let result = try threadprof(["watch", "-n", "1", "--save", dir, String(target.pid)])
    #expect(result.status == 64)
    #expect(result.stderr == "threadprof: save directory \(dir) is not empty; "
      + "name a new or empty directory\n", "\(result.stderr)")
    #expect(try String(contentsOfFile: dir + "/000001.json", encoding: .utf8) == "{}")
    let empty = HardeningOutputTests.scratchDir()
    let ok = try threadprof(
      ["watch", "-n", "1", "-i", "100ms", "--save", empty, String(target.pid)])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(FileManager.default.fileExists(atPath: empty + "/000001.json"))
  }

  @Test func stackReportFitsInOneHundredColumns() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["40", "3", "2"])
    for extra in [[], ["--freeze"]] {
      let result = try threadprof(["snapshot", "-s"] + extra + [String(target.pid)])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("longest pause"))
      for line in result.stdout.split(separator: "\n") {
        #expect(line.count <= 100, "too wide: \(line)")
      }
    }
    #expect(target.stoppedOrTraced().isEmpty)
  }
}
