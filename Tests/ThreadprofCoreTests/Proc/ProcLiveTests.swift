// ProcReader on live targets this test starts, checked against what the
// test itself reads from /proc.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

/// The test's own, independent reads of /proc.
enum ProcPeek {
  static func text(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self)
  }

  /// The state letter after the last ") " of a thread's stat.
  static func state(_ pid: Int32, _ tid: Int32) -> Character? {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/task/\(tid)/stat"),
      let close = data.lastIndex(of: UInt8(ascii: ")")), close + 2 < data.count
    else { return nil }
    return Character(Unicode.Scalar(data[close + 2]))
  }

  static func wchan(_ pid: Int32, _ tid: Int32) -> String? {
    text("/proc/\(pid)/task/\(tid)/wchan")
  }

  static func syscallNumber(_ pid: Int32, _ tid: Int32) -> Int? {
    text("/proc/\(pid)/task/\(tid)/syscall")?.split(separator: " ").first.flatMap { Int($0) }
  }
}

@Suite struct ProcLiveTests {
  @Test func skippingContextSwitchesKeepsEveryOtherField() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "2", "2"])
    #expect(LiveTarget.wait { ProcPeek.wchan(target.pid, target.pid) == "__do_sys_pause" })
    let full = try ProcReader().scan(pid: target.pid)
    let lean = try ProcReader().scan(pid: target.pid, contextSwitches: false)
    #expect(lean.threads.map(\.tid) == full.threads.map(\.tid))
    #expect(full.threads.allSatisfy { $0.voluntarySwitches != nil })
    for (a, b) in zip(full.threads, lean.threads) {
      #expect(b.voluntarySwitches == nil && b.involuntarySwitches == nil)
      #expect(b.tgid == a.tgid && b.tgid == target.pid)
      #expect(b.nsTids == a.nsTids && b.nsTids == [b.tid])
      #expect(b.nameBytes == a.nameBytes && b.wchan == a.wchan && b.syscall == a.syscall)
      #expect(b.kernelStack == a.kernelStack && b.state == a.state)
    }
  }

  @Test func parkedThreadsMatchProc() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "2", "2"])
    // "ready" comes just before the main thread enters pause().
    #expect(LiveTarget.wait { ProcPeek.wchan(target.pid, target.pid) == "__do_sys_pause" })
    let scan = try ProcReader().scan(pid: target.pid)
    #expect(scan.abi == TargetABI.host)
    #expect(scan.threads.map(\.tid) == target.tids)
    #expect(scan.skipped == Skipped())
    #expect(!scan.targetExited)
    #expect(scan.process.name.hasPrefix("parked"))
    #expect(scan.process.cmdline.dropFirst() == ["2", "2", "2"])
    for t in scan.threads {
      #expect(t.state == ProcPeek.state(target.pid, t.tid))
      #expect(t.wchan.map { $0.isEmpty ? "0" : $0 } == ProcPeek.wchan(target.pid, t.tid))
      #expect(t.tgid == target.pid)
      if case .inSyscall(let n, _)? = t.syscall {
        #expect(n == ProcPeek.syscallNumber(target.pid, t.tid))
      } else {
        Issue.record("thread \(t.name) not in a syscall: \(String(describing: t.syscall))")
      }
    }
    for t in scan.threads where t.name.hasPrefix("sleeper-") {
      #expect(t.wchan == "hrtimer_nanosleep")
      #expect(["nanosleep", "clock_nanosleep"].contains(t.syscall?.label ?? ""))
      #expect(t.kernelStack?.contains("hrtimer_nanosleep") == true)
    }
    for t in scan.threads where t.name.hasPrefix("reader-") {
      #expect(t.wchan?.hasSuffix("pipe_read") == true)
      #expect(t.syscall?.label == "read")
    }
    for t in scan.threads where t.name.hasPrefix("locker-") {
      #expect(t.wchan?.hasPrefix("futex_") == true)
      #expect(t.syscall?.label == "futex")
    }
    #expect(scan.threads.filter { $0.name.hasPrefix("sleeper-") }.count == 2)
  }

  /// CASE-02: names with spaces, parentheses, `) `, digits and invalid
  /// UTF-8 parse from the last `)`; states and names come out exact.
  @Test func hostileNamesLive() throws {
    let target = try LiveTarget(try TargetBuilder.build("names.c"))
    let scan = try ProcReader().scan(pid: target.pid)
    let byName = Dictionary(uniqueKeysWithValues: scan.threads.map { ($0.nameBytes, $0) })
    let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 14) + [UInt8(ascii: ")")]
    for name in ["a) b", "x) R 1 2 (", "nl\nname"] {
      let t = try #require(byName[Array(name.utf8)], "\(name)")
      #expect(t.state == "S")
      #expect(t.syscall?.label == "read")
      #expect(t.ppid == getpid())
    }
    for name in [spaces, [0xff, UInt8(ascii: "z")]] {
      let t = try #require(byName[name])
      // A spinner is running or runnable; either way never sleeping.
      #expect(t.state == "R")
      #expect(t.ppid == getpid())
    }
    #expect(scan.threads.count == 6)
  }

  @Test func fourReadersAllShowRead() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["0", "4", "0"])
    let scan = try ProcReader().scan(pid: target.pid)
    let readers = scan.threads.filter { $0.name.hasPrefix("reader-") }
    #expect(readers.count == 4)
    let read = TargetABI.host == .aarch64 ? 63 : 0
    #expect(readers.allSatisfy { $0.syscall == .inSyscall(number: read, name: "read") })
    #expect(scan.warnings.isEmpty)
  }

  /// A 32-bit target's syscall numbers are in the i386 table (read is 3,
  /// which is close on x86_64).
  @Test(.enabled(if: TargetABI.host == .x86_64))
  func thirtyTwoBitTargetUsesTheI386Table() throws {
    let bin = try TargetBuilder.build("thirtytwo.c", flags: ["-m32", "-O0", "-g"])
    let target = try LiveTarget(bin)
    let scan = try ProcReader().scan(pid: target.pid)
    #expect(scan.abi == .i386)
    let reader = try #require(scan.threads.first { $0.name == "t-read" })
    #expect(reader.syscall == .inSyscall(number: 3, name: "read"))
    #expect(ProcPeek.syscallNumber(target.pid, reader.tid) == 3)
    let sleeper = try #require(scan.threads.first { $0.name == "t-sleep" })
    let sleeps = ["nanosleep", "clock_nanosleep", "clock_nanosleep_time64"]
    #expect(sleeps.contains(sleeper.syscall?.label ?? ""))
    #expect(sleeper.wchan == "hrtimer_nanosleep")
  }

  @Test func threadIdResolvesToItsProcess() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let reader = ProcReader()
    let tid = try #require(target.tids.first { $0 != target.pid })
    #expect(try reader.resolve(tid) == (target.pid, true))
    #expect(try reader.resolve(target.pid) == (target.pid, false))
    let process = try reader.process(target.pid)
    #expect(process.exe?.hasPrefix(TargetBuilder.scratch) == true)
    #expect(process.nsPids.first == target.pid)
  }

  @Test func deletedExecutableKeepsItsSuffix() throws {
    let bin = try TargetBuilder.build(
      "parked.c", output: "parked-deleted-\(UUID().uuidString.prefix(8))")
    let target = try LiveTarget(bin, ["1", "0", "0"])
    try FileManager.default.removeItem(atPath: bin)
    let process = try ProcReader().process(target.pid)
    #expect(process.exe == bin + " (deleted)")
    // The ELF header is still readable through the link.
    #expect(ProcReader().abi(target.pid) == TargetABI.host)
  }

  @Test func missingPidIsNoSuchProcess() throws {
    let maxText = try #require(ProcPeek.text("/proc/sys/kernel/pid_max"))
    let missing = try #require(Int32(maxText.trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(throws: ThreadprofError.noSuchProcess(pid: missing, hint: nil)) {
      try ProcReader().resolve(missing)
    }
    #expect(throws: ThreadprofError.noSuchProcess(pid: missing, hint: nil)) {
      try ProcReader().scan(pid: missing)
    }
    let error = ThreadprofError.noSuchProcess(pid: missing, hint: nil)
    #expect(error.exitCode == .noInput)
  }

  @Test func liveSystemFacts() {
    #expect(!SystemFacts.host().isEmpty)
    var u = utsname()
    uname(&u)
    let release = withUnsafeBytes(of: &u.release) {
      String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
    #expect(SystemFacts.kernel() == release)
  }
}
