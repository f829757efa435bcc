// The --verbose lines: what a snapshot read, skipped and cost.
#if canImport(Glibc)
  import Glibc
#endif
import ThreadprofCore

/// `threadprof: debug:` lines shared by snapshot and watch (shown only
/// with `-v`), and the checks run before any /proc file is read.
enum Diagnostics {
  /// Throws `noProcTree` when `--proc-root` names no directory (stat(2)),
  /// so a wrong root is not reported as a missing pid.
  static func checkProcRoot(_ root: String) throws {
    var st = stat()
    guard stat(root, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
      throw ThreadprofError.noProcTree(root: root)
    }
  }

  /// The pid resolved and the tree it is read from.
  static func target(_ taker: SnapshotTaker, console: Console) {
    console.debug("pid \(taker.pid), reading \(taker.options.procRoot)")
  }

  /// What the last `take()` read, skipped and how long it took.
  static func snapshot(_ s: Snapshot, taker: SnapshotTaker, console: Console) {
    guard console.verbose else { return }
    let k = s.skipped
    console.debug(
      "read \(s.threads.count) thread\(s.threads.count == 1 ? "" : "s") in "
        + "\(millis(taker.lastScanDuration)); skipped \(k.exited) exited, "
        + "\(k.unreadable) unreadable, \(k.unwindFailed) not unwound")
    if let stackTime = taker.lastStackDuration {
      let pause = s.maxPauseMicros.map { "\($0) µs" } ?? "none"
      console.debug(
        "stacks collected in \(millis(stackTime)), longest pause \(pause), "
          + "\(s.modules.count) module\(s.modules.count == 1 ? "" : "s") opened")
    }
    console.debug("\(s.clusters.count) cluster\(s.clusters.count == 1 ? "" : "s")")
  }

  static func millis(_ d: Duration) -> String {
    let c = d.components
    let ms = Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    return "\(Formatting.rounded(ms, 1)) ms"
  }
}
