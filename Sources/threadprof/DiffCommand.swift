// `threadprof diff`: what changed between two saved snapshots, by cluster.
import ThreadprofCore

enum DiffCommand: Command {
  static let spec = CommandSpec(
    name: "diff",
    summary: "Compare two saved JSON snapshots cluster by cluster.",
    discussion: """
      Matches clusters by id, a digest of their symbolic key (module and function, or \
      module and file offset for stripped code; wait site and name pattern without \
      stacks), so snapshots of different runs compare cleanly: pids, tids, times and \
      load addresses never count as changes. Each cluster is new, gone, grown, shrunk \
      or same; rows are sorted by the size of the change. Both snapshots must use the \
      same --group-by.
      """,
    arguments: [
      ArgumentSpec(name: "old.json", help: "The earlier snapshot"),
      ArgumentSpec(name: "new.json", help: "The later snapshot"),
    ],
    flags: [
      FlagSpec(
        "format", short: "f", value: "FMT", choices: ["text", "json"], default: "text",
        help: "Output format (json: schema threadprof.diff/1)"),
      FlagSpec(
        "fail-on-growth", value: "N", valueOptional: true, default: "off; N defaults to 0",
        help: "Exit 3 when any cluster grew by more than N threads"),
    ],
    examples: [
      "threadprof diff before.json after.json",
      "threadprof diff --format json before.json after.json",
      "threadprof diff --fail-on-growth 2 before.json after.json",
    ])

  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode {
    guard args.positionals.count == 2 else {
      throw ThreadprofError.usage(
        "'threadprof diff' takes two snapshot files (OLD.json NEW.json), got "
          + "\(args.positionals.count) argument\(args.positionals.count == 1 ? "" : "s"); "
          + "see 'threadprof diff --help'")
    }
    let threshold = try args.has("fail-on-growth") ? (args.int("fail-on-growth") ?? 0) : nil
    let (oldPath, newPath) = (args.positionals[0], args.positionals[1])
    let old = try SnapshotFile.load(path: oldPath)
    let new = try SnapshotFile.load(path: newPath)
    console.debug("loaded \(oldPath): pid \(old.process.pid), \(old.threads.count) threads")
    console.debug("loaded \(newPath): pid \(new.process.pid), \(new.threads.count) threads")
    let diff = try SnapshotDiff.compare(old, new, oldName: oldPath, newName: newPath)
    let report = DiffReport(style: { text, emphasis in
      guard console.color else { return text }
      switch emphasis {
      case .heading: return console.style(text, .bold)
      case .count: return console.style(text, .cyan)
      case .dim: return console.style(text, .dim)
      case .kernel, .warning: return console.style(text, .yellow)
      }
    })
    if args.value("format") == "json" {
      console.outBytes(
        try report.json(diff, old: old, new: new, oldPath: oldPath, newPath: newPath))
    } else {
      console.out(report.text(diff, old: old, new: new, oldPath: oldPath, newPath: newPath))
    }
    if let threshold, diff.maxGrowth > threshold { return .conditionMet }
    return .ok
  }
}
