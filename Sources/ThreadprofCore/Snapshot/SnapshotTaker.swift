// One scan of one process, end to end: /proc, optional stacks, grouping.
import Foundation

/// What a snapshot reads and how it groups.
public struct SnapshotOptions: Sendable {
  /// The proc tree to read (`/proc`, or a captured tree).
  public var procRoot: String
  /// The grouping; `nil` picks `stack` with stacks and `site` without.
  public var groupBy: GroupBy?
  /// Unwind every thread's user stack.
  public var stacks: Bool
  /// Group stacks by exact address instead of (module, function).
  public var exact: Bool
  /// Read `/proc/<tid>/stack` (kernel frames) when permitted.
  public var kernelStacks: Bool
  /// Replace command-line arguments, host name and home paths with
  /// placeholders, for snapshots attached to bug reports.
  public var redact: Bool

  public init(
    procRoot: String = "/proc", groupBy: GroupBy? = nil, stacks: Bool = false,
    exact: Bool = false, kernelStacks: Bool = true, redact: Bool = false
  ) {
    self.procRoot = procRoot
    self.groupBy = groupBy
    self.stacks = stacks
    self.exact = exact
    self.kernelStacks = kernelStacks
    self.redact = redact
  }

  /// The grouping actually used.
  public var effectiveGroupBy: GroupBy { groupBy ?? (stacks ? .stack : .site) }
}

/// Takes snapshots of one process. Reuse one taker for repeated samples
/// (`watch`): caches (symbols, unwind tables) live as long as it does.
public final class SnapshotTaker {
  public let pid: Int32
  public let options: SnapshotOptions
  /// A note for the user when the id given was a thread, not a process.
  public let resolutionNote: String?
  private let reader: ProcReader

  /// Resolves `id` (a pid, or a tid of the process) and checks it exists.
  public init(id: Int32, options: SnapshotOptions) throws {
    self.options = options
    reader = ProcReader(root: options.procRoot)
    let resolved = try reader.resolve(id)
    pid = resolved.pid
    resolutionNote = resolved.wasThread
      ? "\(id) is a thread of process \(resolved.pid); showing the whole process" : nil
  }

  /// Scans the process once. A process that exits mid-scan yields what was
  /// read plus a warning; one that is gone before anything was read throws
  /// `targetExited`.
  public func take() throws -> Snapshot {
    let scan = try reader.scan(pid: pid, kernelStacks: options.kernelStacks)
    if scan.targetExited && scan.threads.isEmpty {
      throw ThreadprofError.targetExited(pid: pid)
    }
    var warnings = scan.warnings
    if scan.targetExited {
      warnings.append("process \(pid) exited during the scan; showing the threads read before")
    }
    let grouper = Grouper(groupBy: options.effectiveGroupBy, exact: options.exact)
    var snapshot = Snapshot(
      takenAt: SnapshotTaker.rfc3339(Date()),
      host: SystemFacts.host(root: options.procRoot),
      kernel: SystemFacts.kernel(root: options.procRoot),
      process: scan.process,
      groupBy: options.effectiveGroupBy,
      stacks: false,
      threads: scan.threads,
      clusters: grouper.group(scan.threads),
      skipped: scan.skipped,
      warnings: warnings)
    if options.redact { snapshot = Redaction.apply(to: snapshot) }
    return snapshot
  }

  /// `2026-12-04T15:45:25Z`: RFC 3339 in UTC, whole seconds.
  public static func rfc3339(_ date: Date) -> String {
    var t = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&t, &parts)
    func p(_ n: Int32, _ w: Int = 2) -> String {
      let s = String(n)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(p(parts.tm_year + 1900, 4))-\(p(parts.tm_mon + 1))-\(p(parts.tm_mday))T"
      + "\(p(parts.tm_hour)):\(p(parts.tm_min)):\(p(parts.tm_sec))Z"
  }
}
