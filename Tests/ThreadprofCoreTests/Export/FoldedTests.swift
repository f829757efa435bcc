// Folded stacks: root is the name pattern, lines sum to the thread count,
// separators in names are escaped.
import Testing
import ThreadprofCore

@Suite struct FoldedTests {
  func parse(_ text: String) -> [(frames: [String], count: Int)] {
    text.split(separator: "\n").map { line in
      let space = line.lastIndex(of: " ")!
      return (
        line[..<space].split(separator: ";", omittingEmptySubsequences: false).map(String.init),
        Int(line[line.index(after: space)...])!
      )
    }
  }

  @Test func linesSumToTheThreadCountAndStartAtTheNamePattern() {
    for snap in [ExportFixture.stacks, ExportFixture.waitSites] {
      let text = FoldedExport.render(snap)
      #expect(text.hasSuffix("\n"))
      let lines = parse(text)
      let total = snap.clusters.reduce(0) { $0 + $1.count }
      #expect(lines.reduce(0) { $0 + $1.count } == total)
      for l in lines { #expect(l.frames.count >= 2) }
    }
    let lines = parse(FoldedExport.render(ExportFixture.stacks))
    #expect(lines[0].frames == [
      "pool-N-thread-N", "clone3", "start_thread", "worker_main", "queue_pop_[i]",
      "pthread_cond_wait", "__futex_abstimed_wait_common", "futex_wait_queue_[k]",
    ])
    #expect(lines[0].count == 8)
  }

  @Test func severalNamePatternsSplitOneCluster() {
    let lines = parse(FoldedExport.render(ExportFixture.stacks))
    let readers = lines.filter { $0.frames.last == "pipe_read_[k]" }
    #expect(readers.map(\.frames[0]) == ["reader\\x3b1", "odd\\x0aname"])
    #expect(readers.map(\.count) == [2, 1])
    // Patterns are already printable: their backslashes are not doubled.
    #expect(lines.contains { $0.frames[0] == "io \"x\"\\y" && $0.count == 3 })
  }

  @Test func waitSitesBecomeFrames() {
    let lines = parse(FoldedExport.render(ExportFixture.waitSites))
    #expect(lines.map(\.frames) == [
      ["pool-N-thread-N", "syscall:futex_[k]", "do_futex_[k]", "futex_wait_[k]",
       "futex_wait_queue_[k]"],
      ["reader-N", "syscall:read_[k]", "pipe_read_[k]"],
      ["spinner", "running"],
      ["zombie", "state:Z"],
    ])
  }

  @Test func namelessOrUndercountedThreadsStillCount() {
    var snap = ExportFixture.waitSites
    snap.clusters[0].names = [NameCount(pattern: "a", count: 2)]
    snap.clusters[1].names = []
    let lines = parse(FoldedExport.render(snap))
    #expect(lines.reduce(0) { $0 + $1.count } == 10)
    #expect(lines.contains { $0.frames[0] == "?" && $0.count == 4 })
    #expect(lines.contains { $0.frames[0] == "?" && $0.count == 2 })
  }

  @Test func escapingLeavesNoSeparatorsOrNewlines() {
    let nasty = "a;b\nc\\d\te f"
    let e = FoldedExport.escape(nasty)
    #expect(e == "a\\x3bb\\x0ac\\\\d\\x09e f")
    #expect(!e.contains(";") && !e.contains("\n"))
  }
}
