// The result of one /proc scan of one process.

/// Everything `ProcReader.scan` read about a process and its threads.
public struct ProcScan: Sendable {
  public var process: TargetProcess
  /// One record per thread that could be read, in tid order.
  public var threads: [ThreadRecord]
  /// Threads that vanished (`exited`) or could not be read (`unreadable`).
  public var skipped: Skipped
  /// At most one line per kind of missing data, each saying how to get it.
  public var warnings: [String]
  /// True when the process itself disappeared during the scan; `threads`
  /// then holds what was read before.
  public var targetExited: Bool
  /// The target's ABI, which named the system calls.
  public var abi: TargetABI

  public init(
    process: TargetProcess, threads: [ThreadRecord], skipped: Skipped = Skipped(),
    warnings: [String] = [], targetExited: Bool = false, abi: TargetABI = .unknown
  ) {
    self.process = process
    self.threads = threads
    self.skipped = skipped
    self.warnings = warnings
    self.targetExited = targetExited
    self.abi = abi
  }
}
