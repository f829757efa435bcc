// Which /proc/<tid>/syscall lines are timed waits that a ptrace stop
// resumes through restart_syscall, and how such threads are keyed.
import Foundation
import Testing

@testable import ThreadprofCore

@Suite struct TimedWaitTests {
  @Test(arguments: [
    // pthread_cond_timedwait: FUTEX_WAIT_BITSET|PRIVATE (0x189), timeout set.
    ("202 0x55d0a0 0x189 0x0 0x7ffe1000 0x0 0xffffffff 0x7ffe0f00 0x7f00", true),
    // sem_timedwait: FUTEX_WAIT with a timeout.
    ("202 0x55d0a0 0x80 0x0 0x7ffe1000 0x0 0x0 0x7ffe0f00 0x7f00", true),
    // pthread_cond_wait: no timeout.
    ("202 0x55d0a0 0x189 0x0 0x0 0x0 0xffffffff 0x7ffe0f00 0x7f00\n", false),
    // FUTEX_WAKE is no wait.
    ("202 0x55d0a0 0x81 0x1 0x7ffe1000 0x0 0x0 0x7ffe0f00 0x7f00", false),
    ("230 0x0 0x0 0x7ffe1000 0x7ffe1000 0x0 0x0 0x7ffe0f00 0x7f00", true),  // clock_nanosleep
    ("35 0x7ffe1000 0x0 0x0 0x0 0x0 0x0 0x7ffe0f00 0x7f00", true),  // nanosleep
    ("7 0x7ffe1000 0x1 0xffffffff 0x0 0x0 0x0 0x7ffe0f00 0x7f00", true),  // poll, no timeout
    ("271 0x7ffe1000 0x1 0x7ffe2000 0x0 0x8 0x0 0x7ffe0f00 0x7f00", false),  // ppoll
    ("232 0x3 0x7ffe1000 0x10 0x3e8 0x0 0x0 0x7ffe0f00 0x7f00", false),  // epoll_wait
    ("0 0x3 0x7ffe1000 0x1 0x0 0x0 0x0 0x7ffe0f00 0x7f00", false),  // read
    ("219 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffe0f00 0x7f00", false),  // restart_syscall
    ("running", false), ("-1 0x7ffe0f00 0x7f00", false), ("202 0x1", false), ("", false),
  ])
  func timedWaits(line: String, timed: Bool) {
    #expect(ThreadFiles.timedWait(Array(line.utf8), abi: .x86_64) == timed)
  }

  /// A timed futex wait and the restart_syscall it becomes after a ptrace
  /// stop share one wait key; an untimed futex wait keeps its own.
  @Test func timedFutexWaitAndItsRestartKeyAlike() {
    func thread(_ nr: Int, _ name: String, timed: Bool, wchan: String, kstack: [String])
      -> ThreadRecord
    {
      ThreadRecord(
        tid: 1, nameBytes: Array("w-1".utf8), state: "S", wchan: wchan,
        syscall: .inSyscall(number: nr, name: name), kernelStack: kstack, timedWait: timed)
    }
    let before = thread(
      202, "futex", timed: true, wchan: "futex_do_wait", kstack: ["futex_do_wait"])
    let after = thread(
      219, "restart_syscall", timed: false, wchan: "futex_wait_restart", kstack: ["hrtimer"])
    let untimed = thread(202, "futex", timed: false, wchan: "futex_do_wait", kstack: ["f"])
    #expect(Grouper.waitKey(of: before) == Grouper.waitKey(of: after))
    #expect(Grouper.waitKey(of: untimed) != Grouper.waitKey(of: after))
  }

  @Test func timedWaitIsWrittenOnlyWhenTrue() throws {
    for timed in [true, false] {
      let t = ThreadRecord(tid: 3, nameBytes: [0x61], state: "S", timedWait: timed)
      let json = String(decoding: try JSONEncoder().encode(t), as: UTF8.self)
      #expect(json.contains("\"timed_wait\":true") == timed, "\(json)")
      #expect(json.contains("timed_wait") == timed)
      #expect(try JSONDecoder().decode(ThreadRecord.self, from: Data(json.utf8)).timedWait == timed)
      let snap = Snapshot(
        takenAt: "2026-12-04T00:00:00Z", host: "h", kernel: "k",
        process: TargetProcess(pid: 3, name: "a", exe: nil, cmdline: []), groupBy: .site,
        stacks: false,
        threads: [t], clusters: [], skipped: Skipped(), warnings: [], modules: [])
      let written = String(decoding: SnapshotJSON.document(snap), as: UTF8.self)
      #expect(written.contains("\"timed_wait\"") == timed, "\(written)")
      let back = try JSONDecoder().decode(Snapshot.self, from: Data(written.utf8))
      #expect(back.threads.first?.timedWait == timed)
    }
  }
}
