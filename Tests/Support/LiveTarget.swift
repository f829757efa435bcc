// Test targets: C programs under Tests/Targets, built with gcc on demand
// and started as children of the test, which alone may trace or kill them.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where the repository's files are, found from this source file's path.
public enum Repo {
  public static let root: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
  }()
  public static var targets: String { root + "/Tests/Targets" }
  public static var fixtures: String { root + "/Fixtures" }

  /// The built `threadprof` executable (debug build unless
  /// `THREADPROF_BIN` names another).
  public static var threadprofBinary: String {
    if let bin = ProcessInfo.processInfo.environment["THREADPROF_BIN"] { return bin }
    return root + "/.build/debug/threadprof"
  }
}

public struct TestFailure: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Compiles test target sources once per source and flag set.
public enum TargetBuilder {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var built: [String: String] = [:]
  private static let dir: String = {
    let d = NSTemporaryDirectory() + "threadprof-targets-\(getpid())"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }()

  /// Builds `Tests/Targets/<source>` with `gcc <flags> -pthread` and returns
  /// the binary's path. `extraSources` are compiled into the same binary;
  /// `output` overrides the binary's name (for tests that need a fresh copy).
  public static func build(
    _ source: String, flags: [String] = ["-O1", "-g"], extraSources: [String] = [],
    linkFlags: [String] = [], output: String? = nil
  ) throws -> String {
    let key = ([source] + flags + extraSources + linkFlags + [output ?? ""]).joined(separator: " ")
    lock.lock()
    defer { lock.unlock() }
    if let path = built[key], FileManager.default.fileExists(atPath: path) { return path }
    let name = output ?? (source.replacingOccurrences(of: ".c", with: "") + "-\(built.count)")
    let out = dir + "/" + name
    let sources = ([source] + extraSources).map { Repo.targets + "/" + $0 }
    let result = try run(
      "/usr/bin/gcc", flags + ["-pthread", "-o", out] + sources + linkFlags + ["-lpthread"])
    guard result.status == 0 else {
      throw TestFailure("gcc \(source) failed: \(result.stderr)")
    }
    built[key] = out
    return out
  }

  /// A scratch directory private to this test process.
  public static var scratch: String { dir }
}

/// What a finished child printed and how it exited.
public struct RunResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

/// Runs a program to completion with a time bound (SIGKILL on expiry).
public func run(
  _ path: String, _ args: [String], timeout: TimeInterval = 120,
  environment: [String: String]? = nil, stdin: Data? = nil
) throws -> RunResult {
  let child = try CleanSpawn(
    path, args, environment: environment, stdin: .pipe, stdout: .pipe, stderr: .pipe)
  if let stdin {
    stdin.withUnsafeBytes { raw in
      var done = 0
      while done < raw.count {
        let n = write(child.stdinFD, raw.baseAddress! + done, raw.count - done)
        if n <= 0 { break }
        done += n
      }
    }
  }
  child.closeStdin()
  // Read both pipes together so a chatty child cannot block on a full pipe.
  var out: [UInt8] = []
  var err: [UInt8] = []
  var open: [Int32] = [child.stdoutFD, child.stderrFD]
  let deadline = Date().addingTimeInterval(timeout)
  var killed = false
  var buf = [UInt8](repeating: 0, count: 1 << 16)
  while !open.isEmpty {
    var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let left = deadline.timeIntervalSinceNow
    if left <= 0 && !killed {
      child.signal(SIGKILL)
      killed = true
    }
    let ready = poll(&fds, nfds_t(fds.count), Int32(max(10, min(left, 1) * 1000)))
    if ready < 0 && errno != EINTR { break }
    for pfd in fds where pfd.revents != 0 {
      let n = read(pfd.fd, &buf, buf.count)
      if n <= 0 {
        open.removeAll { $0 == pfd.fd }
      } else if pfd.fd == child.stdoutFD {
        out.append(contentsOf: buf[0..<n])
      } else {
        err.append(contentsOf: buf[0..<n])
      }
    }
  }
  let status = child.wait()
  return RunResult(
    status: status, stdout: String(decoding: out, as: UTF8.self),
    stderr: String(decoding: err, as: UTF8.self))
}

/// Runs the built `threadprof` with `args`.
public func threadprof(
  _ args: [String], timeout: TimeInterval = 120, environment: [String: String]? = nil
) throws -> RunResult {
  var env = environment ?? ProcessInfo.processInfo.environment
  env["NO_COLOR"] = env["NO_COLOR"] ?? "1"
  return try run(Repo.threadprofBinary, args, timeout: timeout, environment: env)
}

/// A running test target. It is killed (by pid) and reaped on `stop()` or
/// when the object goes away, so a failing test leaves nothing behind.
public final class LiveTarget: @unchecked Sendable {
  public let pid: Int32
  private let child: CleanSpawn
  private var stopped = false
  /// Lines the target printed on stdout so far.
  public private(set) var lines: [String] = []

  /// Starts `binary` and waits (up to `timeout`) until it prints a line
  /// starting with `ready`. Test targets print it only when every thread
  /// is in place, so no test has to sleep.
  public init(_ binary: String, _ args: [String] = [], readyTimeout: TimeInterval = 30) throws {
    child = try CleanSpawn(binary, args, stdout: .pipe, stderr: .inherit)
    pid = child.pid
    guard readLine(startingWith: "ready", timeout: readyTimeout) != nil else {
      stop()
      throw TestFailure("target \(binary) did not print 'ready' within \(readyTimeout) s")
    }
  }

  /// Reads stdout lines until one starts with `prefix`; returns it, or
  /// `nil` when the target exits or the time is up.
  @discardableResult
  public func readLine(startingWith prefix: String, timeout: TimeInterval = 30) -> String? {
    let deadline = Date().addingTimeInterval(timeout)
    var pending = ""
    while Date() < deadline {
      var pfd = pollfd(fd: child.stdoutFD, events: Int16(POLLIN), revents: 0)
      let ms = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
      guard poll(&pfd, 1, ms) > 0 else { continue }
      var buf = [UInt8](repeating: 0, count: 4096)
      let n = read(child.stdoutFD, &buf, 1)
      if n <= 0 { return nil }
      if buf[0] == UInt8(ascii: "\n") {
        lines.append(pending)
        if pending.hasPrefix(prefix) { return pending }
        pending = ""
      } else {
        pending.unicodeScalars.append(Unicode.Scalar(buf[0]))
      }
    }
    return nil
  }

  /// Sends `signal` to the target (by pid).
  public func signal(_ sig: Int32) { kill(pid, sig) }

  /// Polls `condition` every 5 ms until it holds or `timeout` passes.
  public static func wait(
    timeout: TimeInterval = 10, until condition: () -> Bool
  ) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if condition() { return true }
      usleep(5_000)
    }
    return condition()
  }

  /// The target's thread ids, from /proc/<pid>/task.
  public var tids: [Int32] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return names.compactMap { Int32($0) }.sorted()
  }

  /// True while the process exists and is not a zombie.
  public var isAlive: Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .isoLatin1),
      let close = stat.lastIndex(of: ")")
    else { return false }
    let state = stat[stat.index(close, offsetBy: 2)]
    return state != "Z" && state != "X"
  }

  /// Threads of the target that are stopped (`t`/`T`) or traced
  /// (`TracerPid` not 0); both must be empty after threadprof ran.
  public func stoppedOrTraced() -> [Int32] {
    tids.filter { tid in
      let base = "/proc/\(pid)/task/\(tid)"
      if let stat = try? String(contentsOfFile: base + "/stat", encoding: .isoLatin1),
        let close = stat.lastIndex(of: ")")
      {
        let state = stat[stat.index(close, offsetBy: 2)]
        if state == "t" || state == "T" { return true }
      }
      if let status = try? String(contentsOfFile: base + "/status", encoding: .isoLatin1),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("TracerPid:") })
      {
        return line.split(separator: "\t").last.map { $0.trimmingCharacters(in: .whitespaces) }
          != "0"
      }
      return false
    }
  }

  /// Kills the target with SIGKILL (by its pid) and reaps it.
  public func stop() {
    guard !stopped else { return }
    stopped = true
    child.signal(SIGKILL)
    _ = child.wait()
  }

  deinit { stop() }
}
