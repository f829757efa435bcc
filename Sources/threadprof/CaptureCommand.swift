// `threadprof capture`: copy a process's /proc files into a directory that
// `--proc-root` reads back, for bug reports and test fixtures.
import ThreadprofCore

enum CaptureCommand: Command {
  static let spec = CommandSpec(
    name: "capture",
    summary: "Copy the /proc files threadprof reads for a process into a directory.",
    discussion: """
      Writes DIR/uptime, DIR/sys/kernel/{hostname,osrelease}, \
      DIR/<pid>/{stat,status,comm,cmdline,maps,wchan,syscall,stack,abi}, DIR/<pid>/exe \
      (a symlink holding the link text) and DIR/<pid>/task/<tid>/{stat,status,comm,wchan,\
      syscall,stack}, so that 'threadprof snapshot --proc-root DIR <pid>' shows the \
      process as it was. environ is never read. Files you may not read are left out; \
      threads that exit while being copied are skipped and counted. DIR must be new or \
      empty.
      """,
    arguments: [
      ArgumentSpec(name: "pid", help: "Process id (a thread id resolves to its process)"),
      ArgumentSpec(name: "dir", help: "Directory to write; created if missing, must be empty"),
    ],
    flags: [
      FlagSpec(
        "proc-root", value: "DIR", default: "/proc",
        help: "Copy from a captured /proc tree instead of /proc"),
    ],
    examples: [
      "threadprof capture 4242 ./case-4242",
      "threadprof snapshot --proc-root ./case-4242 4242",
    ])

  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode {
    guard args.positionals.count == 2 else {
      throw ThreadprofError.usage(
        "'threadprof capture' takes a pid and a directory, got \(args.positionals.count) "
          + "argument\(args.positionals.count == 1 ? "" : "s"); see 'threadprof capture --help'")
    }
    let id = try ArgumentParser.pid(args.positionals[0], command: "capture")
    let dir = args.positionals[1]
    let root = args.value("proc-root") ?? "/proc"
    let resolved = try ProcReader(root: root).resolve(id)
    if resolved.wasThread {
      console.note("\(id) is a thread of process \(resolved.pid); capturing the whole process")
    }
    let summary = try ProcCapture.capture(pid: resolved.pid, from: root, into: dir)
    console.debug("wrote \(summary.files) files, abi \(summary.abi.rawValue)")
    let threads = summary.threads == 1 ? "1 thread" : "\(summary.threads) threads"
    var line = "captured process \(summary.pid): \(threads) into \(dir)"
    let skipped = summary.skipped
    if skipped.exited > 0 { line += ", \(skipped.exited) exited while copied" }
    if skipped.unreadable > 0 { line += ", \(skipped.unreadable) unreadable" }
    console.out(line + "\nread it with: threadprof snapshot --proc-root \(dir) \(summary.pid)\n")
    return .ok
  }
}
