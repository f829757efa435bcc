// --stacks on targets it must not or cannot trace: already traced by strace
// or gdb, stopped with SIGSTOP, 32-bit. Each is left exactly as it was.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.enabled(if: HardeningSignalTests.stacksAvailable, "this build has no --stacks yet"))
struct HardeningTracedTests {
  /// The `TracerPid` of every thread of `pid`.
  static func tracers(_ pid: Int32) -> [Int32] {
    let tids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tids.compactMap { tid in
      guard let text = try? String(
        contentsOfFile: "/proc/\(pid)/task/\(tid)/status", encoding: .isoLatin1),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") })
      else { return nil }
      return Int32(line.dropFirst("TracerPid:".count).trimmingCharacters(in: .whitespaces))
    }
  }

  /// Starts `tool` (strace or gdb) attached to the target and waits until
  /// it traces every thread; checks threadprof's refusal; then ends the
  /// tool with `release` and checks the target is free and running.
  func refusesAnotherTracer(
    tool: String, args: [String], name: String, release: (CleanSpawn) -> Void
  ) throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["2", "1", "0"])
    let p = try CleanSpawn(tool, args + [String(target.pid)], stdin: .pipe)
    defer {
      p.signal(SIGKILL)
      _ = p.wait()
    }
    let tracer = p.pid
    #expect(LiveTarget.wait(timeout: 30) {
      let t = Self.tracers(target.pid)
      return t.count == 4 && t.allSatisfy { $0 == tracer }
    }, "\(name) never traced every thread")

    let result = try threadprof(["snapshot", "--stacks", String(target.pid)], timeout: 60)
    #expect(result.status == ExitCode.permission.rawValue, "\(result.stderr)")
    #expect(result.stderr.contains("already traced by pid \(tracer) (\(name))"), "\(result.stderr)")
    // The other tracer keeps every thread.
    #expect(Self.tracers(target.pid).allSatisfy { $0 == tracer })

    release(p)
    #expect(LiveTarget.wait(timeout: 20) { !p.isRunning }, "\(name) did not exit")
    #expect(LiveTarget.wait(timeout: 10) { target.stoppedOrTraced().isEmpty })
    #expect(target.isAlive)
  }

  @Test func refusesAProcessStraceHolds() throws {
    try refusesAnotherTracer(
      tool: "/usr/bin/strace", args: ["-f", "-o", "/dev/null", "-p"], name: "strace"
    ) { p in p.signal(SIGTERM) }
  }

  @Test func refusesAProcessGdbHolds() throws {
    try refusesAnotherTracer(
      tool: "/usr/bin/gdb", args: ["-nx", "-q", "-p"], name: "gdb"
    ) { p in
      let text = Array("detach\nquit\n".utf8)
      _ = write(p.stdinFD, text, text.count)
    }
  }

  /// A process stopped with SIGSTOP stays stopped after --stacks unwound it.
  @Test func stoppedProcessStaysStoppedAfterStacks() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["2", "1", "0"])
    target.signal(SIGSTOP)
    #expect(LiveTarget.wait { Hardening.states(target.pid).allSatisfy { $0 == "T" } })
    let result = try threadprof(
      ["snapshot", "--stacks", "--format", "json", String(target.pid)], timeout: 60)
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.stacks)
    #expect(snap.threads.allSatisfy { $0.state == "T" })
    let states = Hardening.states(target.pid)
    #expect(states.count == 4 && states.allSatisfy { $0 == "T" }, "\(states)")
    #expect(Self.tracers(target.pid).allSatisfy { $0 == 0 })
    target.signal(SIGCONT)
    #expect(LiveTarget.wait { target.stoppedOrTraced().isEmpty })
  }

  /// A 32-bit target with --stacks: the documented unsupported message and
  /// code, the wait-site report still printed, the target untraced.
  @Test(.enabled(if: HardeningOddTargetTests.canBuild32Bit, "gcc -m32 missing"))
  func thirtyTwoBitTargetIsRefusedForStacks() throws {
    let parked = try TargetBuilder.build("parked.c", flags: ["-m32", "-O1", "-g"])
    let target = try LiveTarget(parked, ["1", "1", "0"])
    let result = try threadprof(["snapshot", "--stacks", String(target.pid)], timeout: 60)
    #expect(result.status == ExitCode.failure.rawValue, "\(result.stderr)")
    #expect(result.stderr.contains("32-bit (i386) target not supported for --stacks"))
    #expect(result.stdout.contains("wait sites only"))
    #expect(!Hardening.crashed(result))
    #expect(target.stoppedOrTraced().isEmpty)
  }
}
