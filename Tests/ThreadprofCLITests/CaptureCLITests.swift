// `threadprof capture` run as a user runs it: capture, read back with
// --proc-root, refusals, and what an unprivileged or hidepid user gets.
import Foundation
import Testing
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct CaptureCLITests {
  private func json(_ text: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(object as? [String: Any])
  }

  /// (id, count) of every cluster in a JSON snapshot.
  private func clusters(_ doc: [String: Any]) throws -> [String: Int] {
    let list = try #require(doc["clusters"] as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: list.map {
      ($0["id"] as? String ?? "?", $0["count"] as? Int ?? -1)
    })
  }

  private func freshDir(_ name: String) -> String {
    TargetBuilder.scratch + "/cli-capture-\(name)-\(UUID().uuidString.prefix(8))"
  }

  /// Waits until the target's main thread sleeps in pause(), after "ready".
  private func settled(_ target: LiveTarget) -> Bool {
    LiveTarget.wait {
      let w = try? String(contentsOfFile: "/proc/\(target.pid)/wchan", encoding: .utf8)
      return w == "__do_sys_pause"
    }
  }

  @Test func captureReadsBackWithTheSameClusters() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["3", "2", "1"])
    #expect(settled(target))
    let dir = freshDir("parked")
    let cap = try threadprof(["capture", String(target.pid), dir])
    #expect(cap.status == 0, "\(cap.stderr)")
    #expect(cap.stdout.contains("captured process \(target.pid): 7 threads into \(dir)"))
    #expect(cap.stdout.contains("threadprof snapshot --proc-root \(dir) \(target.pid)"))

    let live = try threadprof(["snapshot", "-f", "json", String(target.pid)])
    let tree = try threadprof(["snapshot", "-f", "json", "--proc-root", dir, String(target.pid)])
    #expect(tree.status == 0, "\(tree.stderr)")
    let liveClusters = try clusters(try json(live.stdout))
    #expect(try clusters(try json(tree.stdout)) == liveClusters)
    #expect(liveClusters.values.sorted() == [1, 1, 2, 3])
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func aThreadIdCapturesItsProcessWithANote() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let tid = try #require(target.tids.last)
    let dir = freshDir("tid")
    let cap = try threadprof(["capture", String(tid), dir])
    #expect(cap.status == 0)
    #expect(cap.stderr.contains("\(tid) is a thread of process \(target.pid)"))
    #expect(FileManager.default.fileExists(atPath: "\(dir)/\(target.pid)/task/\(tid)/stat"))
  }

  @Test func refusals() throws {
    let dir = freshDir("full")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: dir + "/x", contents: Data())
    let full = try threadprof(["capture", "1", dir])
    #expect(full.status == 64)
    #expect(full.stderr == "threadprof: capture directory \(dir) is not empty; "
      + "name a new or empty directory\n")
    let missing = try threadprof(["capture", "2147483647", freshDir("missing")])
    #expect(missing.status == 66)
    #expect(missing.stderr.hasPrefix("threadprof: no process with pid 2147483647"))
    let oneArg = try threadprof(["capture", "1"])
    #expect(oneArg.status == 64)
    #expect(oneArg.stderr.contains("takes a pid and a directory"))
    let badPid = try threadprof(["capture", "abc", freshDir("bad")])
    #expect(badPid.status == 64)
  }

  /// As another user (nobody), procfs-only data is still shown; wait
  /// channels and system calls come back as unknown with one warning each.
  @Test(.enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/setpriv")))
  func anotherUserGetsWarningsNotErrors() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["0", "4", "0"])
    #expect(settled(target))
    let result = try run(
      "/usr/bin/setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", Repo.threadprofBinary,
        "snapshot", "-f", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let doc = try json(result.stdout)
    let warnings = try #require(doc["warnings"] as? [String])
    let hidden = "wait channels hidden for 5 sleeping threads"
    #expect(warnings.filter { $0.hasPrefix(hidden) }.count == 1)
    #expect(warnings.filter { $0.hasPrefix("system calls unreadable for 5 threads") }.count == 1)
    let list = try #require(doc["clusters"] as? [[String: Any]])
    let readers = try #require(list.first { $0["count"] as? Int == 4 })
    #expect(readers["state"] as? String == "S")
  }

  /// With /proc mounted hidepid=2 in a private mount namespace, another
  /// user's process is missing, and the message says why.
  @Test(.enabled(if: geteuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/unshare")
    && FileManager.default.fileExists(atPath: "/usr/bin/setpriv")))
  func hidepidIsNamedInTheError() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let bin = Repo.threadprofBinary
    let script = "mount -t proc -o hidepid=2 proc /proc && exec setpriv --reuid=65534 "
      + "--regid=65534 --clear-groups \(bin) capture \(target.pid) \(freshDir("hidden"))"
    let result = try run(
      "/usr/bin/unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", script])
    #expect(result.status == 66, "\(result.stderr)")
    #expect(result.stderr == "threadprof: no process with pid \(target.pid); it may be hidden "
      + "by the hidepid option of /proc; run as root or as the target's user\n")
  }
}
