// Interrupt safety: SIGINT, SIGTERM, SIGHUP or SIGKILL in the middle of a
// scan of a 2,000-thread target leave every thread running and untraced.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

/// The probe executable run as a child whose exit status the test reads.
final class ProbeRun {
  private let child: CleanSpawn
  private(set) var lines: [String] = []
  private var pending = ""

  init(_ args: [String]) throws {
    child = try CleanSpawn(PreflightTests.probe, args, stdout: .pipe, stderr: .inherit)
  }

  var pid: Int32 { child.pid }

  /// Reads lines until one starts with `prefix` (nil at EOF or timeout).
  func line(startingWith prefix: String, timeout: TimeInterval = 60) -> String? {
    let fd = child.stdoutFD
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&pfd, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else {
        continue
      }
      var byte: UInt8 = 0
      if read(fd, &byte, 1) <= 0 { return nil }
      if byte == UInt8(ascii: "\n") {
        lines.append(pending)
        defer { pending = "" }
        if pending.hasPrefix(prefix) { return pending }
      } else {
        pending.unicodeScalars.append(Unicode.Scalar(byte))
      }
    }
    return nil
  }

  /// Waits for exit; the status, or 128 + signal for a signal death.
  func exitStatus(timeout: TimeInterval = 60) -> Int32? {
    guard LiveTarget.wait(timeout: timeout, until: { !child.isRunning }) else {
      child.signal(SIGKILL)
      _ = child.wait()
      return nil
    }
    return child.wait()
  }
}

@Suite(.serialized) struct InterruptTests {
  /// One 2,000-thread target for the whole suite's signals.
  static func bigTarget() throws -> LiveTarget {
    let bin = try TargetBuilder.build("parked.c")
    return try LiveTarget(bin, ["1000", "1000", "0"], readyTimeout: 120)
  }

  /// Threads are running on, untraced: none in t/T, every TracerPid 0.
  static func untouched(_ target: LiveTarget) -> Bool {
    LiveTarget.wait(timeout: 10) { target.stoppedOrTraced().isEmpty } && target.isAlive
  }

  @Test(arguments: [false, true])
  func signalsMidScanReleaseEveryThread(freeze: Bool) throws {
    let target = try Self.bigTarget()
    #expect(target.tids.count == 2001)
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGKILL] {
      let probe = try ProbeRun(["\(target.pid)"] + (freeze ? ["--freeze"] : []))
      #expect(probe.line(startingWith: "scan 1") != nil, "probe never finished a scan")
      kill(probe.pid, sig)
      #expect(probe.exitStatus() == 128 + sig, "signal \(sig)")
      #expect(Self.untouched(target), "signal \(sig): \(target.stoppedOrTraced().prefix(5))")
    }
  }

  @Test func gracefulInterruptReturnsEarlyAndReleases() throws {
    let target = try Self.bigTarget()
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      let probe = try ProbeRun(["\(target.pid)", "--graceful"])
      #expect(probe.line(startingWith: "scan 1") != nil)
      kill(probe.pid, sig)
      #expect(probe.line(startingWith: "interrupted") != nil)
      #expect(probe.exitStatus() == 130)
      #expect(Self.untouched(target), "signal \(sig)")
    }
  }

  @Test func stoppedTargetStaysStoppedThroughAnInterrupt() throws {
    let bin = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(bin, ["50", "50", "0"])
    target.signal(SIGSTOP)
    let tids = target.tids
    #expect(LiveTarget.wait { tids.allSatisfy { state(target.pid, $0) == "T" } })
    let probe = try ProbeRun(["\(target.pid)"])
    #expect(probe.line(startingWith: "scan 2") != nil)
    kill(probe.pid, SIGINT)
    #expect(probe.exitStatus() == 130)
    #expect(LiveTarget.wait { tids.allSatisfy { state(target.pid, $0) == "T" } })
    #expect(tids.allSatisfy { tracer(target.pid, $0) == "0" })
    target.signal(SIGCONT)
    #expect(Self.untouched(target))
  }
}
