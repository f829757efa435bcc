// `threadprof check`: did a process keep threads it did not have before?
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif
import ThreadprofCore

enum CheckCommand: Command {
  static let spec = CommandSpec(
    name: "check",
    summary: "Exit 3 when a process has more threads in some cluster than a baseline snapshot.",
    discussion: """
      Takes snapshots of <pid> grouped the way the baseline was (or by --group-by, \
      regrouping the baseline's recorded threads; a --stacks baseline is compared by \
      thread name) and compares cluster by cluster. A baseline may also be a pprof file \
      from snapshot --format pprof. \
      Threads may still be ending: the check repeats until no cluster is above the \
      baseline or --settle has passed. Prints each cluster above the baseline with its id, \
      the extra count, name pattern and wait site.
      """,
    arguments: [
      ArgumentSpec(name: "pid", help: "Process id (a thread id resolves to its process)")
    ],
    flags: [
      FlagSpec(
        "baseline", short: "b", value: "FILE",
        help: "Snapshot JSON taken before (threadprof snapshot --format json)"),
      FlagSpec(
        "settle", value: "DURATION", default: "2s",
        help: "How long to wait for extra threads to end before failing"),
      FlagSpec(
        "group-by", short: "g", value: "MODE", choices: ["site", "wait", "name"],
        default: "the baseline's", help: "Regroup both sides this way before comparing"),
      FlagSpec(
        "proc-root", value: "DIR", default: "/proc",
        help: "Read a captured /proc tree instead of /proc"),
    ],
    examples: [
      "threadprof snapshot --format json -o before.json 4242",
      "threadprof check --baseline before.json --settle 5s 4242",
    ])

  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode {
    guard args.positionals.count <= 1 else {
      throw ThreadprofError.usage(
        "'threadprof check' takes one pid, got \(args.positionals.count) arguments")
    }
    let pid = try ArgumentParser.pid(args.positionals.first, command: "check")
    guard let path = args.value("baseline") else {
      throw ThreadprofError.usage("'threadprof check' needs --baseline FILE (a snapshot JSON)")
    }
    let settle = try args.duration("settle") ?? .seconds(2)
    var groupBy = args.value("group-by").flatMap(GroupBy.init(rawValue:))
    let (baseline, isPprof) = try loadBaseline(path)
    console.debug(
      "loaded \(path): pid \(baseline.process.pid), \(baseline.clusters.count) clusters")
    if isPprof {
      if groupBy != nil {
        throw ThreadprofError.usage(
          "--group-by regroups recorded threads, which a pprof baseline lacks; "
            + "take the baseline with --format json")
      }
      if baseline.groupBy == .stack {
        throw ThreadprofError.usage(
          "\(path) is grouped by stack and keeps no thread records; "
            + "take the baseline with --format json")
      }
    }
    if groupBy == nil && baseline.groupBy == .stack {
      // check never stops the target, so a stack baseline is regrouped from
      // its thread records. Not by wait site: unwinding interrupts sleeping
      // system calls, which the kernel resumes as restart_syscall, so the
      // threads' wait sites after a --stacks snapshot differ from the ones
      // it recorded. Thread names do not change.
      groupBy = .name
      console.note("\(path) is grouped by stack; comparing by thread name (--group-by name)")
    }
    let mode = groupBy ?? baseline.groupBy
    let options = SnapshotOptions(
      procRoot: args.value("proc-root") ?? "/proc", groupBy: mode, stacks: false)
    try Diagnostics.checkProcRoot(options.procRoot)
    let taker = try SnapshotTaker(id: pid, options: options)
    if let note = taker.resolutionNote { console.note(note) }

    let clock = ContinuousClock()
    let deadline = clock.now + settle
    var pause = Duration.milliseconds(10)
    var warned = false
    while true {
      let current = try taker.take()
      if !warned {
        BaselineCheck.differences(baseline, current).forEach { console.note("note: " + $0) }
        warned = true
      }
      let excess = BaselineCheck.leftBehind(
        baseline: baseline, current: current, groupBy: groupBy)
      let total = BaselineCheck.threadCount(current)
      let baseTotal = BaselineCheck.threadCount(baseline)
      if excess.isEmpty {
        console.out("no threads left behind: \(total) threads now, \(baseTotal) in \(path)\n")
        return .ok
      }
      if clock.now >= deadline {
        let extra = total - baseTotal
        console.out(
          "\(extra) thread\(extra == 1 ? "" : "s") above the baseline in "
            + "\(excess.count) cluster\(excess.count == 1 ? "" : "s") after "
            + "\(DurationText.format(settle)) (\(total) threads now, \(baseTotal) in \(path)):\n")
        console.out(BaselineCheck.render(excess))
        return .conditionMet
      }
      console.debug("\(excess.count) clusters above the baseline; checking again")
      try sleep(min(pause, deadline - clock.now))
      pause = min(pause * 2, .milliseconds(200))
    }
  }

  /// A snapshot JSON file (checked by `SnapshotFile` for size, depth and
  /// schema), or a gzipped pprof file written by `snapshot --format pprof`
  /// (clusters only, no thread records).
  static func loadBaseline(_ path: String) throws -> (snapshot: Snapshot, isPprof: Bool) {
    let bytes = try SnapshotFile.read(path: path)
    if Gzip.isGzip(Array(bytes.prefix(2))) {
      let profile = try PprofDecoder.decode(bytes, source: path)
      return (try PprofSnapshot.snapshot(from: profile, source: path), true)
    }
    return (try SnapshotFile.decode(bytes, path: path), false)
  }

  private static func sleep(_ d: Duration) throws {
    let (s, atto) = d.components
    var ts = timespec(tv_sec: Int(s), tv_nsec: Int(atto / 1_000_000_000))
    var rest = timespec()
    while nanosleep(&ts, &rest) != 0 {
      guard errno == EINTR else { return }
      ts = rest
    }
  }
}
