// Declared flag tables: each command lists its flags once, and the parser,
// `--help` and the shell completions are all made from that list.

/// One flag a command accepts.
struct FlagSpec: Sendable {
  /// Long name without dashes (`group-by`); the key parsed values live under.
  var long: String
  /// Optional one-letter short name (`s` for `-s`).
  var short: Character?
  /// Placeholder for the value (`FMT`), or `nil` for a boolean switch.
  var value: String?
  /// True when the value may be left out (`--fail-on-growth [N]`).
  var valueOptional = false
  /// The accepted values, when they form a closed set.
  var choices: [String] = []
  /// True when the flag may be given more than once (values accumulate).
  var repeats = false
  var help: String
  /// Shown as `(default: ...)` in help.
  var defaultText: String?

  init(
    _ long: String, short: Character? = nil, value: String? = nil, valueOptional: Bool = false,
    choices: [String] = [], repeats: Bool = false, default defaultText: String? = nil,
    help: String
  ) {
    self.long = long
    self.short = short
    self.value = value
    self.valueOptional = valueOptional
    self.choices = choices
    self.repeats = repeats
    self.help = help
    self.defaultText = defaultText
  }

  /// `-s, --stacks` or `    --group-by MODE`.
  var label: String {
    let shortPart = short.map { "-\($0), " } ?? "    "
    var text = shortPart + "--" + long
    if let value { text += valueOptional ? " [\(value)]" : " \(value)" }
    return text
  }
}

/// A positional argument.
struct ArgumentSpec: Sendable {
  var name: String
  var help: String
  var optional = false
  /// The accepted values, when they form a closed set (for completions).
  var choices: [String] = []
}

/// Everything the parser and `--help` need to know about one command.
struct CommandSpec: Sendable {
  var name: String
  var summary: String
  var discussion: String
  var arguments: [ArgumentSpec]
  var flags: [FlagSpec]
  var examples: [String]

  /// The flags every command takes, appended to each table.
  static let common: [FlagSpec] = [
    FlagSpec("verbose", short: "v", help: "Print diagnostics (pid, tid, files read) on stderr"),
    FlagSpec("help", short: "h", help: "Show this help and exit"),
  ]

  var allFlags: [FlagSpec] { flags + CommandSpec.common }

  func flag(long: String) -> FlagSpec? { allFlags.first { $0.long == long } }
  func flag(short: Character) -> FlagSpec? { allFlags.first { $0.short == short } }

  var usageLine: String {
    let args = arguments.map { $0.optional ? "[<\($0.name)>]" : "<\($0.name)>" }
    return (["threadprof", name, "[options]"] + args).joined(separator: " ")
  }

  /// The `--help` text, wrapped for an 80-column terminal.
  func helpText() -> String {
    var out = "USAGE: \(usageLine)\n\n"
    out += TextWrap.wrap(summary, width: 78) + "\n"
    if !discussion.isEmpty { out += "\n" + TextWrap.wrap(discussion, width: 78) + "\n" }
    if !arguments.isEmpty {
      out += "\nARGUMENTS:\n"
      for arg in arguments { out += row("<\(arg.name)>", arg.help) }
    }
    out += "\nOPTIONS:\n"
    for flag in allFlags {
      var help = flag.help
      if !flag.choices.isEmpty { help += " (\(flag.choices.joined(separator: "|")))" }
      if let d = flag.defaultText { help += " (default: \(d))" }
      out += row(flag.label, help)
    }
    out += "\nEXIT STATUS:\n" + ExitStatusText.table
    if !examples.isEmpty {
      out += "\nEXAMPLES:\n"
      for example in examples { out += "  \(example)\n" }
    }
    return out
  }

  private func row(_ label: String, _ help: String) -> String {
    let labelWidth = 26
    let lines = TextWrap.lines(help, width: 78 - labelWidth)
    var out = "  " + label
    if label.count + 2 >= labelWidth {
      out += "\n" + String(repeating: " ", count: labelWidth)
    } else {
      out += String(repeating: " ", count: labelWidth - label.count - 2)
    }
    out += lines.joined(separator: "\n" + String(repeating: " ", count: labelWidth)) + "\n"
    return out
  }
}

/// The exit codes, as every `--help` lists them.
enum ExitStatusText {
  static let table = """
      0    success
      1    runtime failure
      3    a --fail-on-... condition was met (growing cluster, leftover threads)
      64   usage error: bad pid, unknown flag or format, malformed value
      65   bad data: a corrupt, truncated or newer snapshot file
      66   no such process, thread or file
      77   permission denied (ptrace, /proc)
      130  interrupted (SIGINT)

    """
}

/// Greedy word wrapping for help text.
enum TextWrap {
  static func lines(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      if current.isEmpty {
        current = String(word)
      } else if current.count + 1 + word.count <= width {
        current += " " + word
      } else {
        lines.append(current)
        current = String(word)
      }
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
  }

  static func wrap(_ text: String, width: Int) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
      .map { lines(String($0), width: width).joined(separator: "\n") }
      .joined(separator: "\n")
  }
}
