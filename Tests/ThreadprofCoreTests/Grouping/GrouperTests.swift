import Testing

@testable import ThreadprofCore

@Suite struct GrouperTests {
  @Test(arguments: [
    ("pool-3-thread-17", "pool-N-thread-N"),
    ("worker", "worker"),
    ("rpcpool-12-w0", "rpcpool-N-wN"),
    ("conn-7f3a9c", "conn-X"),
    ("tx-0x1f2e", "tx-X"),
    ("cafe-worker", "cafe-worker"),
    ("deadline-1", "deadline-N"),
    ("C2 CompilerThre", "CN CompilerThre"),
    ("", ""),
    ("a\\x0a7", "a\\x0aN"),
  ])
  func namePatterns(name: String, pattern: String) {
    #expect(NamePattern.normalize(name) == pattern)
  }

  private func thread(
    _ tid: Int32, _ name: String, state: Character = "S", wchan: String? = "futex_wait_queue",
    age: Double = 1, cpu: Double = 0, stack: [StackFrame]? = nil
  ) -> ThreadRecord {
    ThreadRecord(
      tid: tid, nameBytes: Array(name.utf8), state: state, wchan: wchan,
      syscall: .inSyscall(number: 202, name: "futex"), kernelStack: ["futex_wait_queue"],
      cpuSeconds: cpu, ageSeconds: age, stack: stack)
  }

  /// The frame-by-frame stack hash gives the id of the built key strings,
  /// for every frame kind and for module paths that are not ASCII.
  @Test func stackIdsMatchTheKeyStrings() {
    let modules: [String?] = [
      "/usr/lib/libc.so.6", "libc.so.6", "/a/b/", nil, "/opt/é/x", "/o/\u{301}x", "[vdso]",
    ]
    var stacks: [[StackFrame]] = []
    for (i, module) in modules.enumerated() {
      let kinds: [StackFrame.Kind] = [.user, .kernel, .signal, .jit, .anon, .user, .user]
      stacks.append([
        StackFrame(address: 1, module: "[kernel]", function: "k", kind: .kernel),
        StackFrame(
          address: UInt64(i), module: module, fileOffset: i == 2 ? nil : 0x1234,
          function: i == 5 ? nil : "fn\(i)", kind: kinds[i]),
        StackFrame(address: 9, module: module, function: "main"),
      ])
    }
    stacks.append([StackFrame(address: 1, module: "[kernel]", function: "k", kind: .kernel)])
    stacks.append([])
    for mode in [GroupBy.stack, .site] {
      let grouper = Grouper(groupBy: mode)
      for (i, stack) in stacks.enumerated() {
        let t = thread(Int32(i), "t", stack: stack)
        #expect(grouper.id(of: t) == grouper.id(of: grouper.keyParts(of: t)), "stack \(i)")
      }
    }
  }

  /// The kernel cuts `pool-10-thread-1` to 15 bytes, `pool-10-thread-`:
  /// it joins `pool-1-thread-1`; a 15-byte name cut inside a number, or a
  /// shorter name ending in a separator, is kept as is.
  @Test func namesCutAtFifteenBytesKeepTheirPool() {
    let full = NamePattern.normalize(Array("pool-1-thread-1".utf8))
    #expect(full == "pool-N-thread-N")
    #expect(NamePattern.normalize(Array("pool-10-thread-".utf8)) == full)
    #expect(NamePattern.normalize(Array("worker_pool_12_".utf8)) == "worker_pool_N_N")
    #expect(NamePattern.normalize(Array("pool-1-thread-12".utf8.prefix(15))) == full)
    #expect(NamePattern.normalize(Array("pool-1-thread-".utf8)) == "pool-N-thread-")
    #expect(NamePattern.normalize(Array("pool-100-thread".utf8)) == "pool-N-thread")
  }

  @Test func escapedBytesKeepTheirDigits() {
    #expect(NamePattern.normalize([UInt8(ascii: "w"), 0x0a, UInt8(ascii: "3")]) == "w\\x0aN")
    #expect(NamePattern.normalize([0xff, UInt8(ascii: "1")]) == "\\xffN")
  }

  @Test func siteGroupingSeparatesPoolsParkedOnTheSameFutex() {
    let threads = (0..<5).map { thread(100 + $0, "pool-1-thread-\($0)") }
      + (0..<2).map { thread(200 + $0, "VM Periodic Task") }
    let clusters = Grouper(groupBy: .site).group(threads)
    #expect(clusters.map(\.count) == [5, 2])
    #expect(clusters[0].names == [NameCount(pattern: "pool-N-thread-N", count: 5)])
    let waitOnly = Grouper(groupBy: .wait).group(threads)
    #expect(waitOnly.map(\.count) == [7])
    #expect(waitOnly[0].names.count == 2)
  }

  @Test func volatileFieldsNeverChangeTheId() {
    let a = Grouper(groupBy: .site).group([thread(1, "w-1", age: 1, cpu: 0)])
    let b = Grouper(groupBy: .site).group([thread(999, "w-2", age: 500, cpu: 30)])
    #expect(a[0].id == b[0].id)
    #expect(a[0].id.count == 16)
    let c = Grouper(groupBy: .site).group([thread(1, "w-1", state: "D")])
    #expect(c[0].id != a[0].id)
  }

  @Test func clusterReportsAgeSpreadAndCPU() {
    let threads = [
      thread(1, "leak-1", age: 5, cpu: 0.5), thread(2, "leak-2", age: 50, cpu: 1),
      thread(3, "leak-3", age: 500, cpu: 0.25),
    ]
    let c = Grouper(groupBy: .site).group(threads)[0]
    #expect(c.youngestSeconds == 5)
    #expect(c.oldestSeconds == 500)
    #expect(c.cpuSeconds == 1.75)
    #expect(c.tids == [1, 2, 3])
  }

  @Test func stackGroupingIgnoresAddressesUnlessExact() {
    func frames(base: UInt64) -> [StackFrame] {
      [
        StackFrame(address: base + 0x10, module: "/usr/lib/libc.so.6", fileOffset: 0x10,
          function: "read"),
        StackFrame(address: base + 0x900, module: "/opt/app", fileOffset: 0x900,
          function: "serve"),
      ]
    }
    let threads = [
      thread(1, "a", stack: frames(base: 0x1000)), thread(2, "b", stack: frames(base: 0x5000)),
    ]
    #expect(Grouper(groupBy: .stack).group(threads).map(\.count) == [2])
    #expect(Grouper(groupBy: .stack, exact: true).group(threads).map(\.count) == [1, 1])
  }

  @Test func equalSizesSortByIdSoOrderIsStable() {
    let threads = [thread(1, "a"), thread(2, "b"), thread(3, "c")]
    let once = Grouper(groupBy: .name).group(threads).map(\.id)
    let again = Grouper(groupBy: .name).group(threads.reversed()).map(\.id)
    #expect(once == again)
    #expect(once == once.sorted())
  }

  @Test func kernelFramesDoNotSplitAStackCluster() {
    let user = StackFrame(address: 0x10, module: "/opt/app", fileOffset: 0x10, function: "doze")
    func kernel(_ name: String) -> StackFrame {
      StackFrame(address: 0, module: "[kernel]", function: name, kind: .kernel)
    }
    // Before and after a ptrace stop restarted the sleep.
    let threads = [
      thread(1, "a", stack: [kernel("hrtimer_nanosleep"), user]),
      thread(2, "b", stack: [kernel("do_syscall_64"), user]),
    ]
    #expect(Grouper(groupBy: .stack).group(threads).map(\.count) == [2])
  }

  @Test func aSleepRestartedByPtraceKeepsItsSiteCluster() {
    let before = ThreadRecord(
      tid: 1, nameBytes: Array("ticker".utf8), state: "S", wchan: "hrtimer_nanosleep",
      syscall: .inSyscall(number: 230, name: "clock_nanosleep"),
      kernelStack: ["hrtimer_nanosleep", "common_nsleep"])
    var after = before
    after.wchan = "do_syscall_64"
    after.syscall = .inSyscall(number: 219, name: "restart_syscall")
    after.kernelStack = ["do_syscall_64"]
    let grouper = Grouper(groupBy: .site)
    #expect(grouper.group([before])[0].id == grouper.group([after])[0].id)
    // Other waits still key on every part.
    var read = before
    read.syscall = .inSyscall(number: 0, name: "read")
    #expect(grouper.group([read])[0].id != grouper.group([before])[0].id)
  }
}
