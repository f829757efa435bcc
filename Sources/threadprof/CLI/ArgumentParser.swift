// Parsing a command line against a CommandSpec, with errors that name the
// bad flag or value.
import ThreadprofCore

/// The flags and positional arguments of one command line.
struct ParsedArguments: Sendable {
  var values: [String: [String]] = [:]
  var positionals: [String] = []

  /// True when the flag was given (with or without a value).
  func has(_ long: String) -> Bool { values[long] != nil }

  /// The last value given for a flag.
  func value(_ long: String) -> String? { values[long]?.last }

  func all(_ long: String) -> [String] { values[long] ?? [] }

  /// An integer flag value, at least `minimum`; a usage error otherwise.
  func int(_ long: String, minimum: Int = 0) throws -> Int? {
    guard let text = value(long), !text.isEmpty else { return nil }
    guard let n = Int(text), n >= minimum else {
      throw ThreadprofError.usage(
        "--\(long) wants a whole number of at least \(minimum), not '\(text)'")
    }
    return n
  }

  /// A duration flag value (`500ms`, `5s`, `2m`, `1h`) that must be positive.
  func duration(_ long: String) throws -> Duration? {
    guard let text = value(long) else { return nil }
    guard let d = DurationText.parse(text), d > .zero else {
      throw ThreadprofError.usage(
        "--\(long) wants a positive duration such as 500ms, 5s, 2m or 1h, not '\(text)'")
    }
    return d
  }
}

/// Parses arguments: `--flag value`, `--flag=value`, `-f value`, `-fvalue`,
/// grouped short switches (`-sv`), and `--` to end the flags.
enum ArgumentParser {
  static func parse(_ args: [String], spec: CommandSpec) throws -> ParsedArguments {
    var parsed = ParsedArguments()
    var i = 0
    var flagsDone = false
    while i < args.count {
      let arg = args[i]
      i += 1
      if flagsDone || arg == "-" || !arg.hasPrefix("-") || isNegativeNumber(arg) {
        parsed.positionals.append(arg)
        continue
      }
      if arg == "--" {
        flagsDone = true
        continue
      }
      if arg.hasPrefix("--") {
        let body = arg.dropFirst(2)
        let name = String(body.prefix { $0 != "=" })
        let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
        guard let flag = spec.flag(long: name) else { throw unknown("--\(name)", spec) }
        try take(flag, shown: "--\(name)", inline: inline, args: args, i: &i, into: &parsed)
        continue
      }
      // Short flags, possibly grouped: -sv, -o FILE, -oFILE.
      var chars = Array(arg.dropFirst())
      while !chars.isEmpty {
        let c = chars.removeFirst()
        guard let flag = spec.flag(short: c) else { throw unknown("-\(c)", spec) }
        if flag.value != nil {
          let inline = chars.isEmpty ? nil : String(chars)
          try take(flag, shown: "-\(c)", inline: inline, args: args, i: &i, into: &parsed)
          chars = []
        } else {
          try take(flag, shown: "-\(c)", inline: nil, args: args, i: &i, into: &parsed)
        }
      }
    }
    return parsed
  }

  private static func take(
    _ flag: FlagSpec, shown: String, inline: String?, args: [String], i: inout Int,
    into parsed: inout ParsedArguments
  ) throws {
    var value = ""
    if flag.value == nil {
      if inline != nil { throw ThreadprofError.usage("\(shown) takes no value") }
    } else if let inline {
      value = inline
    } else if flag.valueOptional {
      // An optional value is taken only when the next word looks like one.
      // A negative number is taken too, so the flag's own check names it.
      if i < args.count, Int(args[i]) != nil {
        value = args[i]
        i += 1
      }
    } else {
      guard i < args.count else {
        throw ThreadprofError.usage("\(shown) needs a value (\(flag.value!))")
      }
      value = args[i]
      i += 1
    }
    if !flag.choices.isEmpty, !flag.choices.contains(value) {
      throw ThreadprofError.usage(
        "\(shown) must be one of \(flag.choices.joined(separator: ", ")), not '\(value)'")
    }
    if parsed.values[flag.long] != nil, !flag.repeats, flag.value == nil {
      return
    }
    parsed.values[flag.long, default: []].append(value)
  }

  private static func isNegativeNumber(_ arg: String) -> Bool {
    arg.count > 1 && Int(arg) != nil
  }

  private static func unknown(_ shown: String, _ spec: CommandSpec) -> ThreadprofError {
    let names = spec.allFlags.map { "--" + $0.long }
    var message = "unknown flag '\(shown)' for 'threadprof \(spec.name)'"
    if let near = suggestion(for: shown, among: names) {
      message += "; did you mean '\(near)'?"
    } else {
      message += "; see 'threadprof \(spec.name) --help'"
    }
    return .usage(message)
  }

  /// The name the user most likely meant: one that starts with what was
  /// typed (or is its start), else the nearest within an edit distance of
  /// max(1, length / 3) of the typed name without its dashes; nil when
  /// nothing is that close.
  static func suggestion(for typed: String, among names: [String]) -> String? {
    let bare = { (s: String) in String(s.drop { $0 == "-" }) }
    let word = bare(typed)
    guard !word.isEmpty else { return nil }
    let prefixed = names.filter { bare($0).hasPrefix(word) || word.hasPrefix(bare($0)) }
    if prefixed.count == 1 || (!prefixed.isEmpty && word.count >= 3) {
      return prefixed.min { distance(bare($0), word) < distance(bare($1), word) }
    }
    let limit = max(1, word.count / 3)
    let near = names.min { distance(bare($0), word) < distance(bare($1), word) }
    guard let near, distance(bare(near), word) <= limit else { return nil }
    return near
  }

  /// Levenshtein distance, for "did you mean".
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
      var cur = [i] + Array(repeating: 0, count: b.count)
      for j in 1...max(1, b.count) where j <= b.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      prev = cur
    }
    return prev[b.count]
  }

  /// A pid argument: a positive whole number.
  static func pid(_ text: String?, command: String) throws -> Int32 {
    guard let text else {
      throw ThreadprofError.usage(
        "'threadprof \(command)' needs a pid; see 'threadprof \(command) --help'")
    }
    guard let pid = Int32(text), pid > 0 else {
      throw ThreadprofError.usage("'\(text)' is not a pid; give a positive process id")
    }
    return pid
  }
}
