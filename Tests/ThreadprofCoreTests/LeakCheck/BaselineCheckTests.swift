// Baseline comparison for `check`: clusters above the baseline by id, and
// regrouping both sides from their thread records.
import Testing
import ThreadprofCore

@Suite struct BaselineCheckTests {
  func thread(_ tid: Int32, _ name: String, wchan: String) -> ThreadRecord {
    ThreadRecord(
      tid: tid, nameBytes: Array(name.utf8), state: "S", wchan: wchan,
      syscall: .inSyscall(number: 0, name: "read"), kernelStack: [wchan])
  }

  func snapshot(_ threads: [ThreadRecord], _ groupBy: GroupBy = .site) -> Snapshot {
    Snapshot(
      takenAt: "2026-12-04T16:00:00Z", host: "h", kernel: "k",
      process: TargetProcess(pid: 1, name: "p", exe: nil, cmdline: []), groupBy: groupBy,
      threads: threads, clusters: Grouper(groupBy: groupBy).group(threads))
  }

  @Test func reportsOnlyClustersAboveTheBaseline() {
    let base = snapshot([
      thread(1, "main", wchan: "do_poll"), thread(2, "pool-1", wchan: "futex_wait_queue"),
    ])
    let now = snapshot([
      thread(1, "main", wchan: "do_poll"), thread(2, "pool-1", wchan: "futex_wait_queue"),
      thread(3, "pool-2", wchan: "futex_wait_queue"),
      thread(4, "pool-3", wchan: "futex_wait_queue"),
      thread(5, "extra", wchan: "pipe_read"),
    ])
    let excess = BaselineCheck.excess(baseline: base, current: now)
    #expect(excess.map(\.extra) == [2, 1])
    #expect(excess[0].baseline == 1 && excess[0].now == 3)
    #expect(excess[0].cluster.names == [NameCount(pattern: "pool-N", count: 3)])
    #expect(excess[1].baseline == 0)
    let text = BaselineCheck.render(excess)
    #expect(text.contains("+2 (baseline 1, now 3)  pool-N  futex_wait_queue  state S"))
    #expect(BaselineCheck.excess(baseline: base, current: base).isEmpty)
  }

  @Test func regroupingByNameIgnoresAThreadThatMovedItsWaitSite() {
    let base = snapshot([thread(1, "main", wchan: "do_poll"), thread(2, "w-1", wchan: "x")])
    let now = snapshot([thread(1, "main", wchan: "do_nanosleep"), thread(2, "w-1", wchan: "x")])
    #expect(BaselineCheck.excess(baseline: base, current: now).count == 1)
    #expect(BaselineCheck.excess(baseline: base, current: now, groupBy: .name).isEmpty)
  }

  @Test func threadsThatOnlyMovedAreNotLeftBehind() {
    let base = snapshot([thread(1, "main", wchan: "do_wait"), thread(2, "w-1", wchan: "a")])
    let moved = snapshot([thread(1, "main", wchan: "pause"), thread(2, "w-1", wchan: "a")])
    #expect(!BaselineCheck.excess(baseline: base, current: moved).isEmpty)
    #expect(BaselineCheck.leftBehind(baseline: base, current: moved).isEmpty)
    // Three added and one moved: the three account for what was left.
    let grown = snapshot(
      [thread(1, "main", wchan: "pause"), thread(2, "w-1", wchan: "a")]
        + (3...5).map { thread(Int32($0), "extra-\($0)", wchan: "pipe_read") })
    let left = BaselineCheck.leftBehind(baseline: base, current: grown)
    #expect(left.map(\.extra) == [3])
  }

  @Test func differencesNameHowSnapshotsWereTaken() {
    let a = snapshot([thread(1, "main", wchan: "x")])
    var b = a
    #expect(BaselineCheck.differences(a, b).isEmpty)
    b.process.name = "other"
    b.groupBy = .wait
    b.threads[0].kernelStack = nil
    let notes = BaselineCheck.differences(a, b)
    #expect(notes.count == 3, "\(notes)")
    #expect(notes.contains { $0.contains("different programs") })
    #expect(notes.contains { $0.contains("grouped differently") })
    #expect(notes.contains { $0.contains("kernel stacks") })
  }
}
