// Helpers the hardening tests share: snapshot decoding, shell runs and a
// copy of the binary that unprivileged users can execute.
import Foundation
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

enum Hardening {
  /// Decodes `snapshot --format json` output.
  static func snapshot(_ result: RunResult) throws -> Snapshot {
    try JSONDecoder().decode(Snapshot.self, from: Data(result.stdout.utf8))
  }

  /// Runs `script` with `/bin/bash -c`, bounded by `timeout`.
  static func shell(_ script: String, timeout: TimeInterval = 60) throws -> RunResult {
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    return try run("/bin/bash", ["-c", script], timeout: timeout, environment: env)
  }

  /// Quotes `s` for a POSIX shell.
  static func q(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// True when stderr shows a Swift runtime trap or a crash backtrace.
  static func crashed(_ r: RunResult) -> Bool {
    r.stderr.contains("Fatal error") || r.stderr.contains("crashed")
      || r.stderr.contains("runtime failure") || (r.status > 128 && r.status != 141)
  }

  /// A world-readable, world-executable copy of the threadprof binary, for
  /// runs as `nobody` (the build tree may not be readable by others).
  static let publicBinary: String = {
    let dir = "/tmp/threadprof-public-\(getpid())"
    mkdir(dir, 0o755)
    chmod(dir, 0o755)
    let dest = dir + "/threadprof"
    unlink(dest)
    _ = try? FileManager.default.copyItem(atPath: Repo.threadprofBinary, toPath: dest)
    chmod(dest, 0o755)
    return dest
  }()

  /// The pid of the first child of `pid` (`/proc/<pid>/task/<pid>/children`).
  static func firstChild(of pid: Int32) -> Int32? {
    let text = try? String(
      contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
    return text?.split(separator: " ").first.flatMap { Int32($0) }
  }

  /// The one-letter state of every thread of `pid`, from `stat`.
  static func states(_ pid: Int32) -> [Character] {
    let tids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tids.compactMap { tid in
      guard let stat = try? String(
        contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .isoLatin1),
        let close = stat.lastIndex(of: ")")
      else { return nil }
      return stat[stat.index(close, offsetBy: 2)]
    }
  }

  static var isRoot: Bool { geteuid() == 0 }
}
