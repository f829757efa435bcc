// Targets in odd states: zombie leader, zombie process, kernel thread,
// stopped process, 32-bit process, threadprof itself, and a closed pipe.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct HardeningOddTargetTests {
  /// The main thread exited with pthread_exit (a zombie leader) while three
  /// threads live on: all four are reported, the survivors' system calls
  /// decoded through a live thread's `exe`.
  @Test func zombieLeaderWithLiveThreads() throws {
    let odd = try TargetBuilder.build("oddities.c")
    let target = try LiveTarget(odd, ["zombie-leader"])
    #expect(LiveTarget.wait { Hardening.states(target.pid).contains("Z") })
    let result = try threadprof(["snapshot", "--format", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.threads.count == 4)
    #expect(snap.threads.first { $0.tid == target.pid }?.state == "Z")
    let survivors = snap.threads.filter { $0.name.hasPrefix("survivor-") }
    #expect(survivors.count == 3)
    #expect(survivors.allSatisfy { $0.syscall?.label.contains("nanosleep") == true },
      "\(survivors.map { $0.syscall?.label ?? "nil" })")
  }

  /// A child that exited and was never reaped: one zombie thread, exit 0.
  @Test func zombieProcess() throws {
    let odd = try TargetBuilder.build("oddities.c")
    let parent = try LiveTarget(odd, ["zombie-child"])
    let line = try #require(parent.lines.last)
    let child = try #require(Int32(line.split(separator: " ").last ?? ""))
    let result = try threadprof(["snapshot", "--format", "json", String(child)])
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.threads.map(\.state) == ["Z"])
    #expect(snap.process.exe == nil)
    let text = try threadprof(["snapshot", String(child)])
    #expect(text.status == 0)
    #expect(text.stdout.contains("state Z"))
  }

  /// pid 2 (kthreadd) is read, never signalled: no user side, no system
  /// call, no executable.
  @Test func kernelThreadIsReadOnly() throws {
    let result = try threadprof(["snapshot", "--format", "json", "2"])
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.process.name == "kthreadd")
    #expect(snap.process.exe == nil)
    #expect(snap.process.cmdline.isEmpty)
    #expect(snap.threads.count == 1)
    #expect(snap.threads.first?.syscall?.label == "-",
      "a kernel thread is in no system call, got \(snap.threads.first?.syscall?.label ?? "nil")")
  }

  /// A process stopped with SIGSTOP is scanned and left stopped, untraced.
  @Test func stoppedProcessStaysStopped() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["2", "1", "0"])
    target.signal(SIGSTOP)
    #expect(LiveTarget.wait { Hardening.states(target.pid).allSatisfy { $0 == "T" } })
    let result = try threadprof(["snapshot", "--format", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.threads.count == 4)
    #expect(snap.threads.allSatisfy { $0.state == "T" })
    #expect(Hardening.states(target.pid).allSatisfy { $0 == "T" })
    #expect(Hardening.states(target.pid).count == 4)
    target.signal(SIGCONT)
    #expect(LiveTarget.wait { Hardening.states(target.pid).allSatisfy { $0 == "S" } })
    #expect(target.stoppedOrTraced().isEmpty)
  }

  /// A 32-bit (i386) target: system calls named from the i386 table.
  @Test(.enabled(if: Self.canBuild32Bit, "gcc -m32 (gcc-multilib) missing"))
  func thirtyTwoBitTargetNamesI386SystemCalls() throws {
    let parked = try TargetBuilder.build("parked.c", flags: ["-m32", "-O1", "-g"])
    let target = try LiveTarget(parked, ["2", "2", "0"])
    let result = try threadprof(["snapshot", "--format", "json", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    let readers = snap.threads.filter { $0.name.hasPrefix("reader-") }
    let sleepers = snap.threads.filter { $0.name.hasPrefix("sleeper-") }
    #expect(readers.count == 2 && sleepers.count == 2)
    // i386 read is 3 (x86-64's close); nanosleep there is 162 or the
    // time64 clock_nanosleep (407).
    #expect(readers.allSatisfy { $0.syscall == .inSyscall(number: 3, name: "read") },
      "\(readers.map { $0.syscall?.label ?? "nil" })")
    #expect(sleepers.allSatisfy { $0.syscall?.label.contains("nanosleep") == true },
      "\(sleepers.map { $0.syscall?.label ?? "nil" })")
    #expect(target.stoppedOrTraced().isEmpty)
  }

  static let canBuild32Bit: Bool =
    (try? TargetBuilder.build("parked.c", flags: ["-m32", "-O1", "-g"])) != nil

  /// threadprof pointed at its own pid reads itself without deadlock.
  @Test func ownPid() throws {
    let script = "exec \(Hardening.q(Repo.threadprofBinary)) snapshot --format json $$"
    let result = try Hardening.shell(script)
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.process.name == "threadprof")
    #expect(snap.threads.contains { $0.tid == snap.process.pid })
  }

  /// `threadprof snapshot <pid> | head -1` on 3,000 threads: the closed
  /// pipe ends threadprof with SIGPIPE (141) or 0, never a crash, and the
  /// target is untouched.
  @Test func closedPipeEndsTheRunQuietly() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["3000", "0", "0"], readyTimeout: 120)
    let bin = Hardening.q(Repo.threadprofBinary)
    for format in ["json", "text"] {
      let result = try Hardening.shell(
        "\(bin) snapshot --format \(format) \(target.pid) | head -1; "
          + "echo \"rc=${PIPESTATUS[0]}\"", timeout: 120)
      let rc = result.stdout.split(separator: "\n").last ?? ""
      #expect(rc == "rc=141" || rc == "rc=0", "\(format): \(rc) \(result.stderr)")
      #expect(!Hardening.crashed(result), "\(result.stderr)")
    }
    #expect(target.stoppedOrTraced().isEmpty)
    #expect(target.isAlive)
  }
}
