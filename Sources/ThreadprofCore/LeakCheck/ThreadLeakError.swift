// The failure a leak check throws: every leftover thread cluster at once.

/// Threads that a checked body started and left running.
public struct ThreadLeakError: Error, Sendable, CustomStringConvertible {
  /// The leftover threads grouped by name pattern and wait site, biggest
  /// cluster first.
  public var clusters: [Cluster]
  /// How long the check waited for them to end.
  public var settle: Duration

  public init(clusters: [Cluster], settle: Duration) {
    self.clusters = clusters
    self.settle = settle
  }

  /// The number of leftover threads.
  public var count: Int { clusters.reduce(0) { $0 + $1.count } }

  /// One block per cluster: count, name pattern, state, wait channel,
  /// system call, tids, then the kernel stack (innermost first) and the
  /// user stack when one was unwound.
  public var description: String {
    let n = count
    var out = "\(n) thread\(n == 1 ? "" : "s") left running in \(clusters.count) "
      + "cluster\(clusters.count == 1 ? "" : "s") \(DurationText.format(settle)) "
      + "after the checked code returned:\n"
    for c in clusters {
      var line = "  \(c.count) × \(ExportStack.namePattern(of: c))"
      if let state = c.state { line += "  state \(state)" }
      if let wchan = c.wchan, !wchan.isEmpty { line += "  wchan \(wchan)" }
      if let syscall = c.syscall { line += "  syscall \(syscall)" }
      let tids = c.tids.prefix(8).map(String.init).joined(separator: ",")
      line += "  tids \(tids)\(c.tids.count > 8 ? ",…" : "")"
      out += line + "\n"
      if let kernel = c.kernelStack, !kernel.isEmpty {
        out += "      kernel: " + kernel.joined(separator: " < ") + "\n"
      }
      if let stack = c.stack, !stack.isEmpty {
        out += "      stack: " + stack.map(\.symbol).joined(separator: " < ") + "\n"
      }
    }
    return out
  }
}
