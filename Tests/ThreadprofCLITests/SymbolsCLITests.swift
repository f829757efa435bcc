// snapshot --stacks names frames from local files only: even with
// DEBUGINFOD_URLS set, threadprof never asks a debuginfod server.
import Foundation
import Testing
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// A TCP socket listening on 127.0.0.1 that never accepts: connections
/// pile up in its backlog, where the test can count them.
final class SilentListener {
  let fd: Int32
  let port: UInt16

  init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    self.fd = fd
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
      }
    }
    guard fd >= 0, bound else { throw TestFailure("cannot listen on 127.0.0.1") }
    port = UInt16(bigEndian: addr.sin_port)
  }

  /// Connections that arrived so far (accepted and closed here).
  func drain() -> Int {
    var count = 0
    while true {
      let c = accept(fd, nil, nil)
      if c < 0 { return count }
      close(c)
      count += 1
    }
  }

  deinit { close(fd) }
}

@Suite struct SymbolsCLITests {
  @Test func stacksNeverReachDebuginfod() throws {
    // A stripped binary with a build-id and no debug file anywhere: a
    // debuginfod-enabled lookup would ask the server for it.
    let built = try TargetBuilder.build("parked.c", flags: ["-O1", "-g", "-Wl,--build-id"])
    let bin = TargetBuilder.scratch + "/parked-stripped-\(UUID().uuidString.prefix(8))"
    try FileManager.default.copyItem(atPath: built, toPath: bin)
    let strip = try run("/usr/bin/strip", ["--strip-all", bin])
    #expect(strip.status == 0)
    let target = try LiveTarget(bin, ["1", "1", "0"])
    let listener = try SilentListener()
    let noDebug = TargetBuilder.scratch + "/no-debug-files"
    try FileManager.default.createDirectory(atPath: noDebug, withIntermediateDirectories: true)
    var env = ProcessInfo.processInfo.environment
    env["DEBUGINFOD_URLS"] = "http://127.0.0.1:\(listener.port)"
    env["DEBUGINFOD_TIMEOUT"] = "2"
    env["DEBUGINFOD_CACHE_PATH"] = TargetBuilder.scratch + "/debuginfod-cache"
    let result = try threadprof(
      ["snapshot", "--stacks", "--debug-dir", noDebug, "--format", "json", "\(target.pid)"],
      timeout: 60, environment: env)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("parked-stripped-"))
    #expect(listener.drain() == 0)
    #expect(target.stoppedOrTraced().isEmpty)
  }
}
