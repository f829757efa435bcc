// ProcCapture on a live target, read back with ProcReader; refusal rules;
// warnings and skip counts on trees missing files.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct ProcCaptureTests {
  static func freshDir(_ name: String) -> String {
    let dir = TargetBuilder.scratch + "/capture-\(name)-\(UUID().uuidString.prefix(8))"
    return dir
  }

  @Test func captureReadsBackLikeLive() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "1", "1"])
    // "ready" comes just before the main thread enters pause().
    #expect(LiveTarget.wait { ProcPeek.wchan(target.pid, target.pid) == "__do_sys_pause" })
    // The kernel's wchan walk can read 0 for a sleeping thread when it
    // races with the thread's own bookkeeping, on a loaded machine: a
    // capture whose wait channels differ from the live read is taken again
    // (at most three times), so the comparison tests the copy, not the race.
    var dir = ""
    var attempt: (CaptureSummary, ProcScan, ProcScan)?
    for _ in 0..<3 {
      dir = Self.freshDir("parked")
      let taken = try ProcCapture.capture(pid: target.pid, into: dir)
      let liveScan = try ProcReader().scan(pid: target.pid)
      let copyScan = try ProcReader(root: dir).scan(pid: target.pid)
      attempt = (taken, liveScan, copyScan)
      if copyScan.threads.map(\.wchan) == liveScan.threads.map(\.wchan) { break }
    }
    let (summary, live, copy) = try #require(attempt)
    #expect(summary.pid == target.pid)
    #expect(summary.threads == 5)
    #expect(summary.skipped == Skipped())
    #expect(summary.abi == TargetABI.host)

    #expect(copy.abi == live.abi)
    #expect(copy.process == live.process)
    #expect(copy.threads.map(\.tid) == live.threads.map(\.tid))
    #expect(copy.threads.map(\.nameBytes) == live.threads.map(\.nameBytes))
    #expect(copy.threads.map(\.state) == live.threads.map(\.state))
    #expect(copy.threads.map(\.wchan) == live.threads.map(\.wchan))
    #expect(copy.threads.map(\.syscall) == live.threads.map(\.syscall))
    #expect(copy.threads.map(\.kernelStack) == live.threads.map(\.kernelStack))
    #expect(copy.warnings.isEmpty)
    #expect(SystemFacts.kernel(root: dir) == SystemFacts.kernel())

    let fm = FileManager.default
    let base = "\(dir)/\(target.pid)"
    #expect(!fm.fileExists(atPath: base + "/environ"))
    #expect(try fm.destinationOfSymbolicLink(atPath: base + "/exe") == live.process.exe)
    let mode = try #require(fm.attributesOfItem(atPath: base + "/stat")[.posixPermissions] as? Int)
    #expect(mode == 0o644)
    let tid = try #require(target.tids.last)
    let files = try fm.contentsOfDirectory(atPath: "\(base)/task/\(tid)").sorted()
    #expect(files == ["comm", "stack", "stat", "status", "syscall", "wchan"])
  }

  @Test func aThreadIdCapturesItsProcess() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let tid = try #require(target.tids.last)
    let dir = Self.freshDir("tid")
    let summary = try ProcCapture.capture(pid: tid, into: dir)
    #expect(summary.pid == target.pid)
    #expect(FileManager.default.fileExists(atPath: "\(dir)/\(target.pid)/task/\(tid)/stat"))
  }

  @Test func refusesANonEmptyDirectory() throws {
    let dir = Self.freshDir("full")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: dir + "/keep", contents: Data("x".utf8))
    let error = try #require(throws: ThreadprofError.self) {
      try ProcCapture.capture(pid: getpid(), into: dir)
    }
    guard case .usage(let message) = error else {
      Issue.record("expected a usage error, got \(error)")
      return
    }
    #expect(message.contains("not empty"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["keep"])
  }

  @Test func acceptsAnEmptyDirectoryAndRefusesAFile() throws {
    let dir = Self.freshDir("empty")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    #expect(try ProcCapture.capture(pid: getpid(), into: dir).threads >= 1)
    let file = Self.freshDir("file")
    _ = FileManager.default.createFile(atPath: file, contents: Data())
    #expect(throws: ThreadprofError.self) { try ProcCapture.capture(pid: getpid(), into: file) }
  }

  @Test func missingPidCapturesNothing() throws {
    let dir = Self.freshDir("none")
    #expect(throws: ThreadprofError.noSuchProcess(pid: 0x7fff_fff0, hint: nil)) {
      try ProcCapture.capture(pid: 0x7fff_fff0, into: dir)
    }
    #expect(!FileManager.default.fileExists(atPath: dir))
  }

  /// A copy of a fixture in which sleeping threads' wchan reads `0` and no
  /// `syscall` was captured: what a user without ptrace rights sees.
  @Test func hiddenWaitChannelsGiveOneWarning() throws {
    let fx = try ProcFixture("parked")
    let dir = Self.freshDir("hidden")
    try FileManager.default.copyItem(atPath: fx.root, toPath: dir)
    let task = "\(dir)/\(fx.pid)/task"
    for tid in try FileManager.default.contentsOfDirectory(atPath: task) {
      try FileManager.default.removeItem(atPath: "\(task)/\(tid)/syscall")
      try FileManager.default.removeItem(atPath: "\(task)/\(tid)/wchan")
      _ = FileManager.default.createFile(atPath: "\(task)/\(tid)/wchan", contents: Data("0".utf8))
    }
    let scan = try ProcReader(root: dir).scan(pid: fx.pid)
    #expect(scan.threads.count == 7)
    #expect(scan.threads.allSatisfy { $0.wchan == nil && $0.syscall == nil })
    #expect(scan.skipped == Skipped())
    let hidden = scan.warnings.filter { $0.contains("wait channels hidden") }
    #expect(hidden.count == 1)
    #expect(hidden.first?.contains("run as root or as the target's user") == true)
    #expect(scan.warnings.filter { $0.contains("system calls unreadable") }.count == 1)
  }

  /// A stat that cannot be read for a reason other than the thread being
  /// gone (here a directory in its place: EISDIR) counts as unreadable.
  @Test func unreadableThreadIsCountedWithAWarning() throws {
    let fx = try ProcFixture("parked")
    let dir = Self.freshDir("unreadable")
    try FileManager.default.copyItem(atPath: fx.root, toPath: dir)
    let task = "\(dir)/\(fx.pid)/task"
    let tid = try #require(
      try FileManager.default.contentsOfDirectory(atPath: task).compactMap { Int32($0) }.max())
    try FileManager.default.removeItem(atPath: "\(task)/\(tid)/stat")
    try FileManager.default.createDirectory(
      atPath: "\(task)/\(tid)/stat", withIntermediateDirectories: false)
    let scan = try ProcReader(root: dir).scan(pid: fx.pid)
    #expect(scan.threads.count == 6)
    #expect(scan.skipped == Skipped(exited: 0, unreadable: 1))
    #expect(scan.warnings.filter { $0.contains("1 threads unreadable") }.count == 1)
  }

  /// A process whose files are all gone after the first read: what was
  /// read is returned with `targetExited`, not an error.
  @Test func processGoneMidScanIsNotAnError() throws {
    let fx = try ProcFixture("parked")
    let dir = Self.freshDir("gone")
    try FileManager.default.copyItem(atPath: fx.root, toPath: dir)
    let base = "\(dir)/\(fx.pid)"
    try FileManager.default.removeItem(atPath: base + "/stat")
    for tid in try FileManager.default.contentsOfDirectory(atPath: base + "/task") {
      try FileManager.default.removeItem(atPath: "\(base)/task/\(tid)/stat")
    }
    let scan = try ProcReader(root: dir).scan(pid: fx.pid)
    #expect(scan.threads.isEmpty)
    #expect(scan.skipped.exited == 7)
    #expect(scan.targetExited)
  }
}

@Suite struct ProcCaptureTreeTests {
  @Test func captureFromACapturedTree() throws {
    let fx = try ProcFixture("jvm")
    let dir = ProcCaptureTests.freshDir("recapture")
    let summary = try ProcCapture.capture(pid: fx.pid, from: fx.root, into: dir)
    #expect(summary.threads == 22)
    #expect(summary.abi == .x86_64)
    let a = try fx.scan()
    let b = try ProcReader(root: dir).scan(pid: fx.pid)
    #expect(a.threads == b.threads)
    #expect(a.process == b.process)
    #expect(SystemFacts.host(root: dir) == SystemFacts.host(root: fx.root))
  }

  /// A tree whose thread directory is a symlink to the live /proc must not
  /// lead the capture out of the tree.
  @Test func neverFollowsASymlinkOutOfTheTree() throws {
    let fx = try ProcFixture("parked")
    let src = ProcCaptureTests.freshDir("evil")
    try FileManager.default.copyItem(atPath: fx.root, toPath: src)
    let task = "\(src)/\(fx.pid)/task"
    let victim = try #require(
      try FileManager.default.contentsOfDirectory(atPath: task).compactMap { Int32($0) }.max())
    try FileManager.default.removeItem(atPath: "\(task)/\(victim)")
    try FileManager.default.createSymbolicLink(
      atPath: "\(task)/\(victim)", withDestinationPath: "/proc/self")
    try FileManager.default.removeItem(atPath: "\(src)/\(fx.pid)/comm")
    try FileManager.default.createSymbolicLink(
      atPath: "\(src)/\(fx.pid)/comm", withDestinationPath: "/proc/self/comm")

    let dir = ProcCaptureTests.freshDir("evil-out")
    let summary = try ProcCapture.capture(pid: fx.pid, from: src, into: dir)
    #expect(summary.threads == 6)
    #expect(summary.skipped.unreadable == 1)
    let fm = FileManager.default
    #expect(!fm.fileExists(atPath: "\(dir)/\(fx.pid)/task/\(victim)"))
    #expect(!fm.fileExists(atPath: "\(dir)/\(fx.pid)/comm"))

    // A symlinked process directory is refused outright.
    let linked = ProcCaptureTests.freshDir("linked")
    try fm.createDirectory(atPath: linked, withIntermediateDirectories: true)
    try fm.createSymbolicLink(atPath: "\(linked)/\(getpid())", withDestinationPath: "/proc/self")
    let error = try #require(throws: ThreadprofError.self) {
      try ProcCapture.capture(
        pid: getpid(), from: linked, into: ProcCaptureTests.freshDir("linked-out"))
    }
    guard case .badData(_, let reason, _) = error else {
      Issue.record("expected bad data, got \(error)")
      return
    }
    #expect(reason.contains("symbolic link"))
  }
}
