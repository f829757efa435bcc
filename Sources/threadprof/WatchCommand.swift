// `threadprof watch`: sample a process repeatedly and name the clusters
// that keep growing.
#if canImport(Glibc)
  import Glibc
#endif
import ThreadprofCore

enum WatchCommand: Command {
  static let spec = CommandSpec(
    name: "watch",
    summary: "Sample a process repeatedly and report the thread clusters that keep growing.",
    discussion: """
      Takes a snapshot every --interval and follows each cluster's thread count by \
      cluster id. At the end (--count or --duration reached, Ctrl-C, or the process \
      exits) it names the growing clusters. A cluster grows when a Mann-Kendall trend \
      test over all its samples finds a rise (one-sided p below alpha), Sen's slope is \
      positive, it rose by at least --min-growth threads from its lowest count, and it \
      ends high (the median of its last samples is in the top quarter of its counts), \
      so a burst that shrank back or a pool that is trimmed is not reported. It needs \
      at least 4 samples; a steady climb is flagged from about the 6th sample at normal \
      sensitivity.
      """,
    arguments: [ArgumentSpec(name: "pid", help: "Process id")],
    flags: [
      FlagSpec(
        "interval", short: "i", value: "DURATION", default: "5s",
        help: "Time between samples (500ms, 5s, 1.5s, 2m, 1h)"),
      FlagSpec("count", short: "n", value: "N", help: "Stop after N samples"),
      FlagSpec(
        "duration", short: "d", value: "DURATION",
        help: "Stop after this long (default: until Ctrl-C or the process exits)"),
      FlagSpec(
        "min-growth", value: "N", default: "2",
        help: "Fewest threads a cluster must gain to count as growing"),
      FlagSpec(
        "sensitivity", value: "LEVEL", default: "normal",
        help: "Trend test strictness: low (alpha 0.001), normal (0.01), high (0.05), "
          + "or the significance level itself, a number between 0 and 1"),
      FlagSpec(
        "format", short: "f", value: "FMT", choices: ["text", "json"], default: "text",
        help: "text: a line per sample; json: one JSON object per line"),
      FlagSpec(
        "save", value: "DIR",
        help: "Write every sample as a snapshot file DIR/<seq>.json (for 'threadprof diff')"),
      FlagSpec(
        "metrics-file", value: "PATH",
        help: "Rewrite PATH atomically after every sample with OpenMetrics gauges "
          + "(thread counts and a 0/1 growing gauge per cluster)"),
      FlagSpec("fail-on-growth", help: "Exit 3 when a cluster is growing at the end"),
    ] + SnapshotCommand.scanFlags,
    examples: [
      "threadprof watch 4242",
      "threadprof watch --interval 1s --duration 10m --fail-on-growth 4242",
      "threadprof watch -s -i 10s -n 30 --save ./samples 4242",
      "threadprof watch --format json -i 500ms -n 40 4242",
    ])

  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode {
    guard args.positionals.count <= 1 else {
      throw ThreadprofError.usage(
        "'threadprof watch' takes one pid, got \(args.positionals.count) arguments")
    }
    let pid = try ArgumentParser.pid(args.positionals.first, command: "watch")
    let settings = try Settings(args)
    let options = try SnapshotCommand.snapshotOptions(args)
    let taker = try SnapshotTaker(id: pid, options: options)
    if let note = taker.resolutionNote { console.note(note) }
    Diagnostics.target(taker, console: console)
    if let dir = settings.saveDir { try prepare(dir) }

    let json = args.value("format") == "json"
    let report = WatchReport(style: { text, emphasis in
      guard console.color else { return text }
      switch emphasis {
      case .heading: return console.style(text, .bold)
      case .count: return console.style(text, .cyan)
      case .dim: return console.style(text, .dim)
      case .kernel, .warning: return console.style(text, .yellow)
      }
    })
    let session = WatchSession(interval: settings.interval, options: settings.options)
    let loop = WatchLoop(
      session: session, clock: MonotonicClock(), count: settings.count,
      duration: settings.duration)
    Interrupt.install()
    if !json {
      console.out(
        "watching pid \(taker.pid) every \(DurationText.format(settings.interval))"
          + (settings.limitText.map { ", \($0)" } ?? ", until Ctrl-C") + "\n")
      console.flush()
    }

    var stackFailure: ThreadprofError?
    let end = try loop.run(
      take: {
        let spinner = Spinner(
          "sampling pid \(taker.pid)…", enabled: options.stacks && !json)
        defer { spinner.stop() }
        let snapshot = try taker.take()
        Diagnostics.snapshot(snapshot, taker: taker, console: console)
        // A sample cut short by Ctrl-C is partial: leave it out.
        if taker.interrupted { throw ThreadprofError.interrupted }
        if let failure = taker.stackFailure {
          stackFailure = stackFailure ?? failure
          console.noteOnce(failure.message + "; watching wait sites instead")
        }
        return snapshot
      },
      interrupted: { Interrupt.requested },
      onSample: { sample, snapshot in
        if let dir = settings.saveDir {
          try AtomicFile.write(SnapshotJSON.document(snapshot), to: savePath(dir, sample.seq))
        }
        if let path = args.value("metrics-file") {
          // The verdicts so far; cheap for flat clusters, O(points²) for the others.
          let growing = Set(session.summary().growing.map(\.id))
          try MetricsFile.write(snapshot, growing: growing, to: path)
          console.debug("wrote metrics to \(path)")
        }
        if json {
          console.outBytes(try report.sampleJSON(sample))
        } else {
          console.out(report.sampleLine(sample))
        }
        console.flush()
      })

    let endText: String
    switch end {
    case .countReached: endText = "count reached"
    case .durationReached: endText = "duration reached"
    case .interrupted: endText = "interrupted"
    case .targetExited:
      endText = "target exited"
      console.note("process \(taker.pid) exited; summarizing the \(session.samples) samples taken")
    }
    let summary = session.summary()
    let skipped = loop.schedule?.skipped ?? 0
    if json {
      console.outBytes(
        try report.summaryJSON(summary, pid: taker.pid, end: endText, skipped: skipped))
    } else {
      console.out(report.summaryText(summary, pid: taker.pid, end: endText, skipped: skipped))
    }
    console.flush()
    if settings.failOnGrowth && !summary.growing.isEmpty { return .conditionMet }
    // Asked for stacks and could not get them: say so in the exit status,
    // as snapshot does.
    return stackFailure?.exitCode ?? .ok
  }

  /// The watch-specific flags, checked together.
  struct Settings {
    var interval: Duration
    var count: Int?
    var duration: Double?
    var options: WatchOptions
    var saveDir: String?
    var failOnGrowth: Bool

    init(_ args: ParsedArguments) throws {
      interval = try args.duration("interval") ?? .seconds(5)
      count = try args.int("count", minimum: 1)
      duration = try args.duration("duration").map { d in
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
      }
      if count != nil && duration != nil {
        throw ThreadprofError.usage("give --count or --duration, not both")
      }
      let minGrowth = try args.int("min-growth", minimum: 1) ?? 2
      let level = args.value("sensitivity") ?? "normal"
      let alpha: Double
      if let named = Sensitivity(rawValue: level) {
        alpha = named.alpha
      } else if let p = Double(level), p > 0, p < 1 {
        alpha = p
      } else {
        throw ThreadprofError.usage(
          "--sensitivity must be low, normal, high or a number between 0 and 1, not '\(level)'")
      }
      options = WatchOptions(rule: GrowthRule(alpha: alpha, minGrowth: minGrowth))
      saveDir = args.value("save")
      if args.value("metrics-file") == "" {
        throw ThreadprofError.usage("--metrics-file needs a file name")
      }
      if saveDir == "" { throw ThreadprofError.usage("--save needs a directory") }
      failOnGrowth = args.has("fail-on-growth")
    }

    var limitText: String? {
      if let count { return "\(count) samples" }
      if let duration { return "for \(Formatting.age(duration))" }
      return nil
    }
  }

  /// `DIR/000042.json`: zero-padded so the files sort in sample order.
  static func savePath(_ dir: String, _ seq: Int) -> String {
    let digits = String(seq)
    return dir + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".json"
  }

  /// True when `dir` holds nothing but `.` and `..` (readdir(3)); an
  /// unreadable directory counts as not empty.
  static func isEmptyDirectory(_ dir: String) -> Bool {
    guard let handle = opendir(dir) else { return false }
    defer { closedir(handle) }
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { return false }
    }
    return true
  }

  /// Creates the --save directory (one level) unless it exists; an existing
  /// one must be empty.
  static func prepare(_ dir: String) throws {
    var st = stat()
    if stat(dir, &st) == 0 {
      guard st.st_mode & S_IFMT == S_IFDIR else {
        throw ThreadprofError.usage("--save \(dir): not a directory")
      }
      // Samples of an earlier run would be overwritten and mixed with these.
      guard isEmptyDirectory(dir) else {
        throw ThreadprofError.usage(
          "save directory \(dir) is not empty; name a new or empty directory")
      }
      return
    }
    guard mkdir(dir, 0o755) == 0 else {
      let e = errno
      if e == EACCES || e == EPERM {
        throw ThreadprofError.permissionDenied(
          what: "cannot create \(dir)", remedy: "choose a writable --save directory")
      }
      if e == ENOENT { throw ThreadprofError.noSuchFile(path: dir) }
      throw ThreadprofError.system(what: "cannot create \(dir)", errno: e)
    }
  }
}
