// `threadprof completions`: each script loads in its shell and offers the
// flags the parser accepts.
import Foundation
import Testing
import ThreadprofTestSupport

private func shell(_ name: String) -> String? {
  ["/usr/bin/\(name)", "/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite struct CompletionsCLITests {
  func script(_ sh: String) throws -> String {
    let r = try threadprof(["completions", sh])
    #expect(r.status == 0, "\(r.stderr)")
    let path = TargetBuilder.scratch + "/threadprof.\(sh)"
    try Data(r.stdout.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func bashScriptLoadsAndCompletesFlagsAndValues() throws {
    let bash = try #require(shell("bash"))
    let path = try script("bash")
    #expect(try run(bash, ["-n", path]).status == 0)
    // Drive the function as bash's completion would, and print the answer.
    func complete(_ words: [String]) throws -> [String] {
      let quoted = words.map { "'\($0)'" }.joined(separator: " ")
      let code = """
        source '\(path)' && complete -p threadprof >/dev/null && \
        COMP_WORDS=(\(quoted)) && COMP_CWORD=\(words.count - 1) && _threadprof && \
        printf '%s\\n' "${COMPREPLY[@]}"
        """
      let r = try run(bash, ["-c", code])
      #expect(r.status == 0, "\(r.stderr)")
      return r.stdout.split(separator: "\n").map(String.init)
    }
    #expect(try complete(["threadprof", "sn"]) == ["snapshot"])
    #expect(try complete(["threadprof", "ch"]) == ["check"])
    #expect(try complete(["threadprof", "com"]) == ["completions"])
    #expect(try complete(["threadprof", "snapshot", "--for"]) == ["--format"])
    #expect(try complete(["threadprof", "snapshot", "--format", "p"]) == ["pprof"])
    #expect(try complete(["threadprof", "check", "--"]).contains("--baseline"))
    #expect(try complete(["threadprof", "completions", "z"]) == ["zsh"])
    let pids = try complete(["threadprof", "snapshot", ""])
    #expect(pids.contains("1"))
    // The value of -f is not the pid; after the pid nothing more is taken.
    #expect(try complete(["threadprof", "snapshot", "-f", "json", ""]).contains("1"))
    #expect(try complete(["threadprof", "snapshot", "1", ""]).isEmpty)
    #expect(try complete(["threadprof", "check", "-b", "x.json", "-g", ""]) == [
      "site", "wait", "name",
    ])
  }

  @Test(.enabled(if: shell("zsh") != nil, "zsh is not installed"))
  func zshScriptParses() throws {
    let path = try script("zsh")
    let r = try run(shell("zsh")!, ["-n", path])
    #expect(r.status == 0, "\(r.stderr)")
  }

  @Test(.enabled(if: shell("fish") != nil, "fish is not installed"))
  func fishScriptParses() throws {
    let path = try script("fish")
    let r = try run(shell("fish")!, ["-n", path])
    #expect(r.status == 0, "\(r.stderr)")
  }

  @Test func everyScriptNamesEveryCommandsFlags() throws {
    // The scripts come from the flag tables: every flag --help lists is in
    // each script, and none that is not.
    // Every command `threadprof --help` lists, so new commands are covered.
    let top = try threadprof(["--help"]).stdout
    let section = top.components(separatedBy: "COMMANDS:\n")[1].components(separatedBy: "\n\n")[0]
    let commands = section.split(separator: "\n").compactMap {
      $0.split(separator: " ").first.map(String.init)
    }
    #expect(commands.contains("check") && commands.contains("completions"))
    for command in commands {
      let help = try threadprof([command, "--help"]).stdout
      // Option rows: "  -f, --format FMT  ..." or "      --exact  ...".
      let flags = Set(help.split(separator: "\n").compactMap { line in
        line.firstMatch(of: /^  (?:-., |    )(--[a-z][a-z-]*)/).map { String($0.output.1) }
      })
      #expect(flags.contains("--help"))
      for sh in ["bash", "zsh", "fish"] {
        let text = try threadprof(["completions", sh]).stdout
        #expect(text.contains(command), "\(sh) lacks the \(command) command")
        for flag in flags where !["--help", "--verbose"].contains(flag) {
          let inFish = text.contains("-l \(flag.dropFirst(2))")
          #expect(sh == "fish" ? inFish : text.contains(flag), "\(sh) lacks \(flag)")
        }
      }
    }
    let bad = try threadprof(["completions", "tcsh"])
    #expect(bad.status == 64)
  }
}
