// `threadprof completions`: print a shell completion script.
import ThreadprofCore

enum CompletionsCommand: Command {
  static let shells = ["bash", "zsh", "fish"]

  static let spec = CommandSpec(
    name: "completions",
    summary: "Print a completion script for bash, zsh or fish.",
    discussion: """
      The script is generated from the same flag tables the parser uses, so it always \
      matches this version of threadprof.
      """,
    arguments: [ArgumentSpec(name: "shell", help: "bash, zsh or fish", choices: shells)],
    flags: [],
    examples: [
      "threadprof completions bash > /etc/bash_completion.d/threadprof",
      "threadprof completions zsh > \"${fpath[1]}/_threadprof\"",
      "threadprof completions fish > ~/.config/fish/completions/threadprof.fish",
    ])

  static func run(_ args: ParsedArguments, _ console: Console) throws -> ExitCode {
    guard args.positionals.count == 1, let shell = args.positionals.first else {
      throw ThreadprofError.usage(
        "'threadprof completions' needs one shell: \(shells.joined(separator: ", "))")
    }
    let scripts = CompletionScripts(commands: allCommands().map(\.spec))
    switch shell {
    case "bash": console.out(scripts.bash())
    case "zsh": console.out(scripts.zsh())
    case "fish": console.out(scripts.fish())
    default:
      throw ThreadprofError.usage(
        "unknown shell '\(shell)'; choose one of \(shells.joined(separator: ", "))")
    }
    return .ok
  }
}
