import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct VersionTests {
  @Test func versionFlagPrintsTheLibraryVersion() throws {
    let result = try threadprof(["--version"])
    #expect(result.status == 0)
    #expect(result.stdout == "threadprof \(Threadprof.version)\n")
  }
}
