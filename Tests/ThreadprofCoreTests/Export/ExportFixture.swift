// A hand-made snapshot covering every shape the exports must handle:
// stacks with inlined and kernel frames, wait sites with and without a
// kernel stack, running threads, several name patterns, awkward names.
import ThreadprofCore

enum ExportFixture {
  static let libc = "/usr/lib/x86_64-linux-gnu/libc.so.6"
  static let app = "/opt/app/server"

  static func frame(
    _ fn: String?, _ module: String, _ addr: UInt64, inlined: Bool = false,
    kind: StackFrame.Kind = .user, line: Int? = nil
  ) -> StackFrame {
    StackFrame(
      address: addr, module: module,
      buildID: kind == .kernel ? nil : (module == app ? "abc123" : "def456"),
      fileOffset: addr & 0xffff, function: fn, offset: 4, file: line == nil ? nil : "server.c",
      line: line, inlined: inlined, kind: kind)
  }

  static func cluster(
    _ id: String, _ count: Int, names: [(String, Int)], state: String = "S",
    wchan: String? = nil, syscall: String? = nil, kernel: [String]? = nil,
    stack: [StackFrame]? = nil
  ) -> Cluster {
    Cluster(
      id: id, count: count, tids: (0..<count).map { Int32(1000 + $0) },
      names: names.map { NameCount(pattern: $0.0, count: $0.1) }, state: state, wchan: wchan,
      syscall: syscall, kernelStack: kernel, stack: stack, cpuSeconds: 0,
      youngestSeconds: 1, oldestSeconds: 2)
  }

  /// 8 pool workers parked in pthread_cond_wait (with an inlined helper),
  /// 3 readers, 1 mixed-name cluster, 1 running thread: 15 threads.
  static var stacks: Snapshot {
    let workerStack = [
      frame("futex_wait_queue", "[kernel]", 0, kind: .kernel),
      frame("__futex_abstimed_wait_common", libc, 0x7f00_0009_1000),
      frame("pthread_cond_wait", libc, 0x7f00_0009_4000),
      frame("queue_pop", app, 0x5555_0000_1200, inlined: true, line: 40),
      frame("worker_main", app, 0x5555_0000_1300, line: 77),
      frame("start_thread", libc, 0x7f00_0009_8000),
      frame("clone3", libc, 0x7f00_0012_0000),
    ]
    let readerStack = [
      frame("read", libc, 0x7f00_0011_0000),
      frame(nil, app, 0x5555_0000_2200),
      frame("start_thread", libc, 0x7f00_0009_8000),
    ]
    return Snapshot(
      takenAt: "2026-12-04T15:45:25Z", host: "h", kernel: "6.1",
      process: TargetProcess(pid: 4242, name: "server", exe: app, cmdline: [app]),
      groupBy: .stack, stacks: true, threads: [],
      clusters: [
        cluster("aa01", 8, names: [("pool-N-thread-N", 8)], wchan: "futex_wait_queue",
          syscall: "futex", stack: workerStack),
        cluster("bb02", 3, names: [("reader;1", 2), ("odd\nname", 1)], wchan: "pipe_read",
          syscall: "read", kernel: ["pipe_read", "vfs_read"], stack: readerStack),
        cluster("cc03", 3, names: [("io \"x\"\\y", 3)], wchan: "do_epoll_wait",
          syscall: "epoll_wait", stack: [frame("epoll_wait", libc, 0x7f00_0013_0000)]),
        cluster("dd04", 1, names: [("server", 1)], state: "R", syscall: "running",
          stack: [frame("spin", app, 0x5555_0000_3000)]),
      ])
  }

  /// The same process seen without stacks (wait sites only): 10 threads.
  static var waitSites: Snapshot {
    var s = stacks
    s.stacks = false
    s.groupBy = .site
    s.clusters = [
      cluster("ee05", 6, names: [("pool-N-thread-N", 6)], wchan: "futex_wait_queue",
        syscall: "futex", kernel: ["futex_wait_queue", "futex_wait", "do_futex"]),
      cluster("ff06", 2, names: [("reader-N", 2)], wchan: "pipe_read", syscall: "read"),
      cluster("gg07", 1, names: [("spinner", 1)], state: "R", wchan: "", syscall: "running"),
      cluster("hh08", 1, names: [("zombie", 1)], state: "Z"),
    ]
    return s
  }
}
