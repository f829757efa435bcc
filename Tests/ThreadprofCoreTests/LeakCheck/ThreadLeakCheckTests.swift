// The leak check on real pthreads of the test process: a pool left parked
// fails the check with one cluster listing every thread; a joined pool, or
// one that ends within the settle time, passes; filters leave threads out.
import Testing
import ThreadprofCore

// Serialized: each test starts and ends its own threads, and the check
// reads the whole process. `only` keeps other suites' threads out.
@Suite(.serialized) struct ThreadLeakCheckTests {
  @Test func aParkedPoolIsReportedWithItsWaitSite() throws {
    var pool: ParkedPool?
    defer { pool?.join() }
    let error = try #require(throws: ThreadLeakError.self) {
      try ThreadLeakCheck.verify(only: [.name("lkpark-*")], settle: .milliseconds(100)) {
        pool = try ParkedPool(prefix: "lkpark", count: 3)
      }
    }
    #expect(error.count == 3)
    #expect(error.clusters.count == 1)
    let c = try #require(error.clusters.first)
    #expect(c.names == [NameCount(pattern: "lkpark-N", count: 3)])
    // `pipe_read`, or `anon_pipe_read` on newer kernels.
    #expect(c.wchan?.hasSuffix("pipe_read") == true)
    #expect(c.syscall == "read")
    #expect(c.state == "S")
    #expect(error.description.contains("3 × lkpark-N"))
    #expect(error.description.contains("pipe_read  syscall read"))
    if let kernel = c.kernelStack { #expect(kernel.contains { $0.hasSuffix("pipe_read") }) }
  }

  @Test func aJoinedPoolPasses() throws {
    let value = try ThreadLeakCheck.verify(only: [.name("lkjoin-*")]) {
      let pool = try ParkedPool(prefix: "lkjoin", count: 4)
      pool.join()
      return 42
    }
    #expect(value == 42)
  }

  @Test func threadsEndingWithinTheSettleTimePass() throws {
    var pool: ParkedPool?
    defer { pool?.join() }
    // Released but not joined: the threads end on their own after the body
    // returns, which the check waits for by polling.
    try ThreadLeakCheck.verify(only: [.name("lkend-*")], settle: .seconds(10)) {
      pool = try ParkedPool(prefix: "lkend", count: 3)
      pool?.release()
    }
  }

  @Test func ignoreFiltersLeaveThreadsOut() throws {
    var a: ParkedPool?
    var b: ParkedPool?
    defer {
      a?.join()
      b?.join()
    }
    let error = try #require(throws: ThreadLeakError.self) {
      try ThreadLeakCheck.verify(
        ignoring: [.name("lkign-a-*")], only: [.name("lkign-*")], settle: .milliseconds(50)
      ) {
        a = try ParkedPool(prefix: "lkign-a", count: 2)
        b = try ParkedPool(prefix: "lkign-b", count: 1)
      }
    }
    #expect(error.clusters.map(\.names) == [[NameCount(pattern: "lkign-b-N", count: 1)]])
    // The normalized form and the wait site work as filters too.
    let leftovers = try ThreadLeakCheck.leftovers(
      since: [], ignoring: [.name("lkign-a-N")], only: [.name("lkign-*")])
    #expect(leftovers.map(\.name) == ["lkign-b-0"])
    let bySite = try ThreadLeakCheck.leftovers(
      since: [], ignoring: [.site("*pipe_read")], only: [.name("lkign-*")])
    #expect(bySite.isEmpty)
  }

  @Test func runtimeWorkerThreadsAreLeftOutByDefault() {
    func thread(_ name: String) -> ThreadRecord {
      ThreadRecord(tid: 1, nameBytes: Array(name.utf8), state: "S", wchan: "futex_wait_queue")
    }
    let runtime = ["oot.default-qos", "-qos.overcommit", "t.utility-qos"]
    for name in runtime {
      #expect(ThreadFilter.runtimeDefaults.contains { $0.matches(thread(name)) }, "\(name)")
    }
    for name in ["pool-1-thread-2", "worker", "grpc-default-ex"] {
      #expect(!ThreadFilter.runtimeDefaults.contains { $0.matches(thread(name)) }, "\(name)")
    }
    #expect(ThreadFilter.site("futex_*").matches(thread("x")))
    #expect(!ThreadFilter.site("pipe_read").matches(thread("x")))
    #expect(ThreadFilter.name("pool-N-thread-N").matches(thread("pool-12-thread-3")))
  }

  @Test func asyncVariantReportsTooAndRethrowsBodyErrors() async throws {
    var pool: ParkedPool?
    defer { pool?.join() }
    await #expect(throws: ThreadLeakError.self) {
      try await ThreadLeakCheck.verify(only: [.name("lkasync-*")], settle: .milliseconds(50)) {
        await Task.yield()
        pool = try ParkedPool(prefix: "lkasync", count: 2)
      }
    }
    struct Boom: Error {}
    await #expect(throws: Boom.self) {
      try await ThreadLeakCheck.verify(only: [.name("lkasync-*")]) {
        await Task.yield()
        throw Boom()
      }
    }
  }
}
