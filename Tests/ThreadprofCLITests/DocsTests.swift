import Foundation
import Testing
import ThreadprofTestSupport

/// The man page and README must cover what `--help` offers, so they cannot
/// drift from the flag tables.
@Suite struct DocsTests {
  /// Command names from the COMMANDS section of `threadprof --help`.
  private func commands() throws -> [String] {
    let help = try threadprof(["--help"]).stdout
    let section = help.components(separatedBy: "COMMANDS:\n")[1]
      .components(separatedBy: "\n\n")[0]
    return section.split(separator: "\n").compactMap { $0.split(separator: " ").first }
      .map(String.init)
  }

  /// Long flags from a command's `--help`.
  private func flags(_ command: String) throws -> [String] {
    let help = try threadprof([command, "--help"]).stdout
    return help.matches(of: /--[a-z][a-z-]+/).map { String($0.output) }
  }

  @Test func manPageAndReadmeCoverEveryCommandAndFlag() throws {
    let man = try String(contentsOfFile: Repo.root + "/man/threadprof.1", encoding: .utf8)
      .replacingOccurrences(of: "\\-", with: "-")
    let readme = try String(contentsOfFile: Repo.root + "/README.md", encoding: .utf8)
    let names = try commands()
    #expect(names.contains("snapshot"))
    for command in names {
      #expect(man.contains("threadprof \(command)") || man.contains(".BI \(command)"),
        "man page lacks the \(command) command")
      #expect(readme.contains("threadprof \(command)"), "README lacks \(command)")
      for flag in try flags(command) where flag != "--help" {
        #expect(man.contains(flag), "man page lacks \(command) \(flag)")
      }
    }
  }

  @Test func manPageRendersWithoutWarnings() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/groff") else {
      withKnownIssue("groff is not installed here") { throw TestFailure("no groff") }
      return
    }
    let result = try run(
      "/usr/bin/groff", ["-man", "-ww", "-z", Repo.root + "/man/threadprof.1"])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "\(result.stderr)")
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
      "FILES", "EXAMPLES", "SEE ALSO"]
    {
      let man = try String(contentsOfFile: Repo.root + "/man/threadprof.1", encoding: .utf8)
      #expect(man.contains(".SH \(section)") || man.contains(".SH \"\(section)\""))
    }
  }
}
