// The threadprof command line: parse, dispatch, map errors to exit codes.
#if canImport(Glibc)
  import Glibc
#endif
import ThreadprofCore

let topHelp = """
  USAGE: threadprof <command> [options] [arguments]

  Group a process's OS threads by wait site or stack, count them, and watch
  which group keeps growing: the pprof goroutine profile for any process.

  COMMANDS:
  \(allCommands().map { "  " + $0.spec.name.padding(12) + $0.spec.summary }.joined(separator: "\n"))

  'threadprof <pid>' is short for 'threadprof snapshot <pid>'.
  'threadprof <command> --help' shows a command's options.

  OPTIONS:
    -h, --help      Show this help and exit
        --version   Print the version and exit

  EXIT STATUS:
  \(ExitStatusText.table)
  """

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}

func runMain(_ argv: [String]) -> ExitCode {
  var args = Array(argv.dropFirst())
  guard let first = args.first else {
    Console().err(topHelp)
    return .usage
  }
  switch first {
  case "-h", "--help", "help":
    if first == "help", args.count > 1,
      let cmd = allCommands().first(where: { $0.spec.name == args[1] })
    {
      let console = Console()
      console.out(cmd.spec.helpText())
      console.flush()
    } else {
      let console = Console()
      console.out(topHelp)
      console.flush()
    }
    return .ok
  case "--version", "-V":
    let console = Console()
    console.out("threadprof \(Threadprof.version)\n")
    console.flush()
    return .ok
  default:
    break
  }
  let command: CommandEntry
  if let cmd = allCommands().first(where: { $0.spec.name == first }) {
    command = cmd
    args.removeFirst()
  } else if Int(first) != nil || first.hasPrefix("-") {
    // `threadprof 4242 -s` and `threadprof -s 4242` mean `snapshot`; an
    // unknown flag is then reported by the snapshot parser, by name.
    command = CommandEntry(SnapshotCommand.self)
  } else {
    let names = allCommands().map(\.spec.name)
    var message = "unknown command '\(first)'"
    if let near = ArgumentParser.suggestion(for: first, among: names) {
      message += "; did you mean '\(near)'?"
    } else {
      message += "; see 'threadprof --help'"
    }
    Console().note(message)
    return .usage
  }
  var console = Console()
  do {
    let parsed = try ArgumentParser.parse(args, spec: command.spec)
    if parsed.has("help") {
      console.out(command.spec.helpText())
      console.flush()
      return .ok
    }
    console = Console(verbose: parsed.has("verbose"))
    let code = try command.run(parsed, console)
    console.flush()
    return stdoutFailure(console) ?? code
  } catch let error as ThreadprofError {
    console.flush()
    if let code = stdoutFailure(console) { return code }
    console.note(error.message)
    return error.exitCode
  } catch {
    console.flush()
    if let code = stdoutFailure(console) { return code }
    console.note("\(error)")
    return .failure
  }
}

/// One line and exit 1 when the report could not be written to stdout
/// (a full disk, a closed descriptor): a silent exit 0 would lie.
func stdoutFailure(_ console: Console) -> ExitCode? {
  guard let e = console.stdoutErrno else { return nil }
  console.note("cannot write to standard output: \(SystemError.describe(e))")
  return .failure
}

exit(runMain(CommandLine.arguments).rawValue)
