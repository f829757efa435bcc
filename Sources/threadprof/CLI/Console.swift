// Where a command's output goes: reports on stdout, notes on stderr.
#if canImport(Glibc)
  import Glibc
#endif
import ThreadprofCore

/// stdout for reports, stderr for one-line notes; colour only on a terminal
/// and never when `NO_COLOR` is set.
final class Console {
  let verbose: Bool
  let stdoutIsTerminal: Bool
  let stderrIsTerminal: Bool
  let color: Bool
  private var notedOnce: Set<String> = []

  init(verbose: Bool = false) {
    self.verbose = verbose
    stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
    stderrIsTerminal = isatty(STDERR_FILENO) == 1
    let env = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
    let noColor = env("NO_COLOR").map { !$0.isEmpty } ?? false
    color = stdoutIsTerminal && !noColor && env("TERM") != "dumb"
  }

  private var pending: [UInt8] = []
  /// The errno of the first failed write(2) to stdout (ENOSPC on /dev/full,
  /// EBADF on a closed stdout); later output is dropped. EPIPE never shows
  /// here: SIGPIPE ends the process first.
  private(set) var stdoutErrno: Int32?

  /// Writes report text to stdout (buffered; see `flush`).
  func out(_ text: String) {
    pending.append(contentsOf: text.utf8)
    if pending.count >= 1 << 16 { flush() }
  }

  func outBytes(_ bytes: [UInt8]) {
    pending.append(contentsOf: bytes)
    if pending.count >= 1 << 16 { flush() }
  }

  /// One `threadprof: ...` line on stderr.
  func note(_ text: String) {
    flush()
    Console.writeAll(STDERR_FILENO, Array("threadprof: \(text)\n".utf8))
  }

  /// Writes raw text to stderr (progress lines, help on a usage error).
  func err(_ text: String) {
    Console.writeAll(STDERR_FILENO, Array(text.utf8))
  }

  /// Like `note`, but each distinct text only once per run.
  func noteOnce(_ text: String) {
    guard notedOnce.insert(text).inserted else { return }
    note(text)
  }

  /// A diagnostic shown only with `--verbose`.
  func debug(_ text: @autoclosure () -> String) {
    guard verbose else { return }
    err("threadprof: debug: \(text())\n")
  }

  /// Writes buffered stdout. A closed pipe (`| head`) ends the process with
  /// SIGPIPE, as for any Unix filter; no target is attached at that point.
  func flush() {
    guard !pending.isEmpty else { return }
    if stdoutErrno == nil, let e = Console.writeAll(STDOUT_FILENO, pending) { stdoutErrno = e }
    pending.removeAll(keepingCapacity: true)
  }

  /// write(2) until everything is out or the fd fails; returns the errno
  /// of a failure (EIO for a write that made no progress), else nil.
  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return errno }
      if n == 0 { return EIO }
      done += n
    }
    return nil
  }

  /// Wraps `text` in an ANSI style when colour is on.
  func style(_ text: String, _ style: Style) -> String {
    color ? "\u{1b}[\(style.rawValue)m\(text)\u{1b}[0m" : text
  }

  enum Style: String {
    case bold = "1"
    case dim = "2"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
  }
}
