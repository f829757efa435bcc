// One scan of one process, end to end: /proc, optional stacks, grouping.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

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
  /// Read each thread's `status` for its context-switch counts; without it
  /// a scan reads three files per thread instead of four.
  public var contextSwitches: Bool
  /// Replace command-line arguments, host name and home paths with
  /// placeholders, for snapshots attached to bug reports.
  public var redact: Bool
  /// Depth and time limits, and `--freeze`.
  public var unwind: UnwindOptions
  /// Where separate debug files are looked up, in order.
  public var debugDirectories: [String]

  public init(
    procRoot: String = "/proc", groupBy: GroupBy? = nil, stacks: Bool = false,
    exact: Bool = false, kernelStacks: Bool = true, contextSwitches: Bool = true,
    redact: Bool = false,
    unwind: UnwindOptions = UnwindOptions(), debugDirectories: [String] = ["/usr/lib/debug"]
  ) {
    self.procRoot = procRoot
    self.groupBy = groupBy
    self.stacks = stacks
    self.exact = exact
    self.kernelStacks = kernelStacks
    self.contextSwitches = contextSwitches
    self.redact = redact
    self.unwind = unwind
    self.debugDirectories = debugDirectories
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
  /// Why the last `take()` has no stacks although they were asked for
  /// (no right to trace, an unsupported target); `nil` otherwise. The
  /// snapshot is then a wait-site snapshot that says so in its warnings.
  public private(set) var stackFailure: ThreadprofError?
  /// True when SIGINT, SIGTERM or SIGHUP cut the last stack collection
  /// short (graceful signal handling, as `watch` installs it).
  public private(set) var interrupted = false
  /// How long the last `take()` spent reading /proc (for `--verbose`).
  public private(set) var lastScanDuration: Duration = .zero
  /// How long the last `take()` spent unwinding and symbolizing stacks;
  /// nil when it collected none.
  public private(set) var lastStackDuration: Duration?
  private let reader: ProcReader
  private var collector: StackCollector?
  private var symbolizer: Symbolizer?
  private var symbolWarningsSeen = 0

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
    let clock = ContinuousClock()
    let scanStart = clock.now
    let scan = try reader.scan(
      pid: pid, kernelStacks: options.kernelStacks,
      contextSwitches: options.contextSwitches)
    lastScanDuration = clock.now - scanStart
    lastStackDuration = nil
    if scan.targetExited && scan.threads.isEmpty {
      throw ThreadprofError.targetExited(pid: pid)
    }
    var warnings = scan.warnings
    if scan.targetExited {
      warnings.append("process \(pid) exited during the scan; showing the threads read before")
    }
    var threads = scan.threads
    var skipped = scan.skipped
    var unwound: StackCollection?
    stackFailure = nil
    interrupted = false
    if options.stacks && !scan.targetExited {
      let stackStart = clock.now
      defer { lastStackDuration = clock.now - stackStart }
      do {
        let result = try addStacks(to: &threads, skipped: &skipped, warnings: &warnings)
        unwound = result
      } catch ThreadprofError.noSuchProcess {
        // Gone between the /proc pass and the unwinder or symbolizer: the
        // threads read stand, as a wait-site snapshot.
        warnings.append(Self.exitedWarning(pid))
      } catch let error as ThreadprofError {
        stackFailure = error
        warnings.append("stacks unavailable: \(error.message); this is a wait-site snapshot")
      }
    }
    // Without stacks a stack grouping has nothing to group by.
    var groupBy = options.effectiveGroupBy
    if unwound == nil && groupBy == .stack { groupBy = .site }
    let grouper = Grouper(groupBy: groupBy, exact: options.exact)
    var snapshot = Snapshot(
      takenAt: RFC3339.format(Date()),
      host: SystemFacts.host(root: options.procRoot),
      kernel: SystemFacts.kernel(root: options.procRoot),
      process: scan.process,
      groupBy: groupBy,
      stacks: unwound != nil,
      maxPauseMicros: unwound?.maxPauseMicros,
      frozen: unwound != nil && options.unwind.freeze,
      threads: threads,
      clusters: grouper.group(threads),
      skipped: skipped,
      warnings: warnings,
      modules: symbolizer?.modules ?? [])
    if options.redact { snapshot = Redaction.apply(to: snapshot) }
    return snapshot
  }

  /// Unwinds and symbolizes every live thread, kernel frames on top.
  /// Threads that exited meanwhile leave `threads` and count as skipped.
  private func addStacks(
    to threads: inout [ThreadRecord], skipped: inout Skipped, warnings: inout [String]
  ) throws -> StackCollection {
    if options.procRoot != "/proc" {
      throw ThreadprofError.unsupported(
        "a captured tree (--proc-root) has no live threads to unwind")
    }
    let collector = try self.collector ?? StackCollector(pid: pid, options: options.unwind)
    self.collector = collector
    let symbolizer: Symbolizer
    if let existing = self.symbolizer {
      existing.refresh()
      symbolizer = existing
    } else {
      symbolizer = try Symbolizer(
        pid: pid, procRoot: options.procRoot, debugDirectories: options.debugDirectories)
      self.symbolizer = symbolizer
    }
    let live = threads.filter { $0.state != "Z" && $0.state != "X" }.map(\.tid)
    let result = collector.collect(tids: live)
    interrupted = result.interrupted
    let exited = Set(result.exited)
    threads.removeAll { exited.contains($0.tid) }
    skipped.exited += exited.count
    for i in threads.indices {
      let tid = threads[i].tid
      let kernel = (threads[i].kernelStack ?? []).map {
        StackFrame(address: 0, module: "[kernel]", function: $0, kind: .kernel)
      }
      if let stack = result.stacks[tid] {
        threads[i].stack = kernel + symbolizer.symbolize(stack.frames)
        threads[i].stackNote = stack.truncated
      } else if let reason = result.failed[tid] {
        threads[i].stackNote = reason
        skipped.unwindFailed += 1
      } else if threads[i].state == "Z" || threads[i].state == "X" {
        threads[i].stackNote = "zombie thread: no user stack"
      } else {
        threads[i].stackNote = "not unwound (interrupted)"
      }
    }
    // Threads vanished and the process is gone (or only its unreaped
    // leader is left): it exited in the middle of the collection.
    if !result.exited.isEmpty
      && (access("/proc/\(pid)", F_OK) != 0 || TracePreflight.allZombies(pid: pid))
    {
      warnings.append(Self.exitedWarning(pid))
    }
    let symbolWarnings = symbolizer.warnings
    warnings += symbolWarnings.dropFirst(symbolWarningsSeen)
    symbolWarningsSeen = symbolWarnings.count
    return result
  }

  static func exitedWarning(_ pid: Int32) -> String {
    "process \(pid) exited during the scan; showing what was read"
  }
}
