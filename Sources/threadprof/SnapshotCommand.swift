// `threadprof snapshot`: one look at a process's threads, grouped.
import ThreadprofCore

enum SnapshotCommand: Command {
  static let formats = ["text", "json", "pprof", "folded", "openmetrics"]

  static let spec = CommandSpec(
    name: "snapshot",
    summary: "Show a process's threads grouped by wait site or by stack, biggest group first.",
    discussion: """
      Reads /proc/<pid>/task/* (state, wait channel, system call, kernel stack, CPU time, \
      age) and groups the threads. With --stacks it also unwinds every thread's user stack \
      with libunwind over ptrace, stopping each thread only while its own stack is read, \
      and groups identical stacks.
      """,
    arguments: [
      ArgumentSpec(name: "pid", help: "Process id (a thread id resolves to its process)")
    ],
    flags: [
      FlagSpec(
        "format", short: "f", value: "FMT", choices: formats, default: "text",
        help: "Output format"),
      FlagSpec(
        "output", short: "o", value: "FILE",
        help: "Write to FILE atomically (temp file, then rename) instead of stdout"),
      FlagSpec("top", value: "N", help: "Show only the N biggest clusters in text output"),
    ] + scanFlags,
    examples: [
      "threadprof snapshot 4242",
      "threadprof snapshot --stacks 4242",
      "threadprof snapshot -s --format json -o before.json 4242",
      "threadprof snapshot --group-by wait --proc-root ./capture 4242",
      "threadprof snapshot -s --format pprof -o threads.pb.gz 4242",
      "threadprof snapshot -s --format folded 4242 | flamegraph.pl > threads.svg",
    ])

  /// The flags that say how one scan is made and grouped; `watch` takes
  /// them too, applied at every sample.
  static let scanFlags: [FlagSpec] = [
    FlagSpec(
      "stacks", short: "s",
      help: "Unwind and symbolize every thread's user stack (needs ptrace rights)"),
    FlagSpec(
      "group-by", short: "g", value: "MODE", choices: GroupBy.allCases.map(\.rawValue),
      default: "stack with --stacks, else site", help: "How threads are grouped"),
    FlagSpec("exact", help: "With stack grouping, split clusters by exact address"),
    FlagSpec(
      "freeze", help: "Stop all threads together for a consistent picture (longer pause)"),
    FlagSpec("max-depth", value: "N", default: "128", help: "Most frames unwound per thread"),
    FlagSpec(
      "thread-timeout", value: "DURATION", default: "100ms",
      help: "Longest time spent unwinding one thread"),
    FlagSpec(
      "debug-dir", value: "DIR", repeats: true,
      help: "Also look for separate debug files here, before /usr/lib/debug"),
    FlagSpec("no-kernel-stack", help: "Do not read /proc/<tid>/stack"),
    FlagSpec(
      "redact", help: "Replace arguments, host name and home paths with placeholders"),
    FlagSpec(
      "proc-root", value: "DIR", default: "/proc",
      help: "Read a captured /proc tree (see 'threadprof capture') instead of /proc"),
  ]

  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode {
    guard args.positionals.count <= 1 else {
      throw ThreadprofError.usage(
        "'threadprof snapshot' takes one pid, got \(args.positionals.count) arguments")
    }
    let pid = try ArgumentParser.pid(args.positionals.first, command: "snapshot")
    if args.value("output") == "" { throw ThreadprofError.usage("-o needs a file name") }
    let options = try snapshotOptions(args)
    let format = args.value("format") ?? "text"
    let taker = try SnapshotTaker(id: pid, options: options)
    if let note = taker.resolutionNote { console.note(note) }
    Diagnostics.target(taker, console: console)
    if format == "pprof" && !args.has("output") && console.stdoutIsTerminal {
      throw ThreadprofError.usage(
        "--format pprof writes binary data; give -o FILE (e.g. -o threads.pb.gz) or pipe it")
    }
    // SIGINT, SIGTERM or SIGHUP mid-scan: detach every thread, then exit.
    if options.stacks { StackCollector.installSignalHandlers(graceful: false) }
    let snapshot = try taker.take()
    Diagnostics.snapshot(snapshot, taker: taker, console: console)
    if format == "json" && !args.has("output") {
      // Streamed: a --stacks document of thousands of threads is megabytes.
      SnapshotJSON.stream(snapshot) { console.outBytes($0) }
    } else {
      let bytes = try render(snapshot, format: format, args: args, console: console)
      try emit(bytes, args: args, console: console)
    }
    // Asked for stacks and could not get them: the wait-site snapshot is
    // out, marked as such; the exit status still says what went wrong.
    if let failure = taker.stackFailure {
      console.note(failure.message)
      return failure.exitCode
    }
    return .ok
  }

  /// Reads the flags snapshot and watch share into options.
  static func snapshotOptions(_ args: ParsedArguments) throws -> SnapshotOptions {
    let groupBy = args.value("group-by").flatMap(GroupBy.init(rawValue:))
    let stacks = args.has("stacks")
    if groupBy == .stack && !stacks {
      throw ThreadprofError.usage("--group-by stack needs --stacks (-s)")
    }
    if args.has("exact") && !stacks {
      throw ThreadprofError.usage("--exact groups stacks; add --stacks (-s)")
    }
    if args.has("freeze") && !stacks {
      throw ThreadprofError.usage("--freeze stops threads to unwind them; add --stacks (-s)")
    }
    _ = try args.int("top", minimum: 1)
    var unwind = UnwindOptions(freeze: args.has("freeze"))
    if let depth = try args.int("max-depth", minimum: 1) { unwind.maxDepth = depth }
    if let timeout = try args.duration("thread-timeout") { unwind.threadTimeout = timeout }
    let debugDirs = args.all("debug-dir")
    let procRoot = args.value("proc-root") ?? "/proc"
    try Diagnostics.checkProcRoot(procRoot)
    return SnapshotOptions(
      procRoot: procRoot,
      groupBy: groupBy,
      stacks: stacks,
      exact: args.has("exact"),
      kernelStacks: !args.has("no-kernel-stack"),
      redact: args.has("redact"),
      unwind: unwind,
      debugDirectories: debugDirs + [Symbolizer.systemDebugDirectory])
  }

  static func render(
    _ snapshot: Snapshot, format: String, args: ParsedArguments, console: Console
  ) throws -> [UInt8] {
    switch format {
    case "json":
      return SnapshotJSON.document(snapshot)
    case "pprof":
      return try PprofEncoder.encode(snapshot)
    case "folded":
      return Array(FoldedExport.render(snapshot).utf8)
    case "openmetrics":
      return Array(OpenMetricsExport.render(snapshot).utf8)
    default:
      let toTerminal = console.color && !args.has("output")
      let report = TextReport(
        maxClusters: try args.int("top", minimum: 1),
        style: { text, emphasis in
          guard toTerminal else { return text }
          switch emphasis {
          case .heading: return console.style(text, .bold)
          case .count: return console.style(text, .cyan)
          case .dim: return console.style(text, .dim)
          case .kernel: return console.style(text, .yellow)
          case .warning: return console.style(text, .yellow)
          }
        })
      return Array(report.render(snapshot).utf8)
    }
  }

  /// Writes to `-o FILE` atomically, else to stdout.
  static func emit(_ bytes: [UInt8], args: ParsedArguments, console: Console) throws {
    if let path = args.value("output") {
      try AtomicFile.write(bytes, to: path)
      console.debug("wrote \(bytes.count) bytes to \(path)")
    } else {
      console.debug("writing \(bytes.count) bytes to standard output")
      console.outBytes(bytes)
    }
  }
}
