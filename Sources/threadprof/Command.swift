// The commands threadprof knows, and what each must provide.
import ThreadprofCore

/// A subcommand: its declared flags and what it does with them.
protocol Command {
  static var spec: CommandSpec { get }
  /// Runs the command; throws `ThreadprofError` for the CLI to word.
  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode
}

/// A command's table and entry point, as the dispatcher sees it.
struct CommandEntry {
  let spec: CommandSpec
  let run: (ParsedArguments, Console) throws -> ExitCode

  init<C: Command>(_ command: C.Type) {
    spec = C.spec
    run = C.run
  }
}

/// Every subcommand, in the order `--help` lists them.
func allCommands() -> [CommandEntry] {
  [
    CommandEntry(SnapshotCommand.self),
    CommandEntry(WatchCommand.self),
    CommandEntry(DiffCommand.self),
    CommandEntry(CheckCommand.self),
    CommandEntry(CaptureCommand.self),
    CommandEntry(CompletionsCommand.self),
  ]
}
