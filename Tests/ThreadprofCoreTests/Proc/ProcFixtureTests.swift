// ProcReader on trees captured from real processes (Fixtures/proc/<case>);
// expected values were checked by hand against the captured files.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

/// A captured fixture: its root and the one process in it.
struct ProcFixture {
  let root: String
  let pid: Int32

  init(_ name: String) throws {
    root = Repo.fixtures + "/proc/" + name
    let entries = try FileManager.default.contentsOfDirectory(atPath: root)
    pid = try #require(entries.compactMap { Int32($0) }.first)
  }

  func scan() throws -> ProcScan { try ProcReader(root: root).scan(pid: pid) }

  func thread(_ scan: ProcScan, named name: String) throws -> ThreadRecord {
    try #require(scan.threads.first { $0.name == name })
  }
}

@Suite struct ProcFixtureTests {
  @Test func parkedThreadsAndWaitSites() throws {
    let fx = try ProcFixture("parked")
    let scan = try fx.scan()
    #expect(scan.abi == .x86_64)
    #expect(scan.skipped == Skipped())
    #expect(scan.warnings.isEmpty)
    #expect(!scan.targetExited)
    #expect(scan.process.name == "parked")
    #expect(scan.process.cmdline.dropFirst() == ["2", "2", "2"])
    #expect(scan.process.exe?.hasSuffix("/parked") == true)
    #expect(scan.process.nsPids == [fx.pid])
    #expect(
      scan.threads.map(\.name) == [
        "parked", "sleeper-0", "sleeper-1", "reader-0", "reader-1", "locker-0", "locker-1",
      ])
    #expect(scan.threads.allSatisfy { $0.state == "S" && $0.tgid == fx.pid })
    #expect(scan.threads.map(\.tid) == scan.threads.map(\.tid).sorted())
    let expected: [(String, String, String, String)] = [
      ("parked", "__do_sys_pause", "pause", "__do_sys_pause"),
      ("sleeper-0", "hrtimer_nanosleep", "clock_nanosleep", "hrtimer_nanosleep"),
      ("reader-1", "anon_pipe_read", "read", "anon_pipe_read"),
      ("locker-0", "futex_do_wait", "futex", "futex_do_wait"),
    ]
    for (name, wchan, syscall, top) in expected {
      let t = try fx.thread(scan, named: name)
      #expect(t.wchan == wchan, "\(name)")
      #expect(t.syscall?.label == syscall, "\(name)")
      #expect(t.kernelStack?.first == top, "\(name)")
      #expect(t.voluntarySwitches != nil && t.involuntarySwitches != nil)
    }
  }

  @Test func timesComeFromStatAndUptime() throws {
    let fx = try ProcFixture("parked")
    let scan = try fx.scan()
    let uptime = try String(contentsOfFile: fx.root + "/uptime", encoding: .utf8)
    let upSeconds = try #require(Double(uptime.split(separator: " ")[0]))
    for t in scan.threads {
      let stat = try String(
        contentsOfFile: "\(fx.root)/\(fx.pid)/task/\(t.tid)/stat", encoding: .utf8)
      let after = stat[stat.range(of: ") ")!.upperBound...].split(separator: " ")
      // after[0] is field 3 (state): field n is after[n - 3].
      #expect(t.utimeTicks == UInt64(after[11])!)
      #expect(t.stimeTicks == UInt64(after[12])!)
      #expect(t.startTicks == UInt64(after[19])!)
      #expect(t.lastCPU == Int32(after[36])!)
      let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
      #expect(abs(t.ageSeconds - (upSeconds - Double(after[19])! / ticks)) < 1e-6)
      #expect(abs(t.cpuSeconds - Double(t.utimeTicks + t.stimeTicks) / ticks) < 1e-9)
    }
  }

  @Test func hostileNames() throws {
    let fx = try ProcFixture("names")
    let scan = try fx.scan()
    #expect(scan.threads.count == 6)
    let byName = Dictionary(uniqueKeysWithValues: scan.threads.map { ($0.nameBytes, $0) })
    let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 14) + [UInt8(ascii: ")")]
    for name in ["a) b", "x) R 1 2 (", "nl\nname"] {
      let t = try #require(byName[Array(name.utf8)], "\(name)")
      #expect(t.state == "S")
      #expect(t.wchan == "anon_pipe_read")
      #expect(t.syscall == .inSyscall(number: 0, name: "read"))
    }
    for name in [spaces, [0xff, UInt8(ascii: "z")]] {
      let t = try #require(byName[name])
      #expect(t.state == "R")
      #expect(t.wchan == "")
      #expect(t.syscall == .running)
    }
    #expect(byName[[0xff, UInt8(ascii: "z")]]?.nameIsLossy == true)
    // Spinners are in user mode: their racy stack file gives no frames.
    #expect(byName[spaces]?.kernelStack == [])
    #expect(byName[Array("a) b".utf8)]?.kernelStack?.first == "anon_pipe_read")
  }

  @Test func zombieMainThreadIsKept() throws {
    let fx = try ProcFixture("zombie")
    let scan = try fx.scan()
    #expect(scan.threads.count == 4)
    #expect(scan.abi == .x86_64)
    #expect(!scan.targetExited)
    let main = try #require(scan.threads.first { $0.tid == fx.pid })
    #expect(main.state == "Z")
    #expect(main.wchan == "")
    #expect(main.syscall == SyscallState.none)
    #expect(main.kernelStack == [])
    let sleepers = scan.threads.filter { $0.name.hasPrefix("sleeper-") }
    #expect(sleepers.count == 3)
    #expect(sleepers.allSatisfy { $0.state == "S" && $0.wchan == "hrtimer_nanosleep" })
    #expect(sleepers.allSatisfy { $0.syscall?.label == "clock_nanosleep" })
  }

  @Test func jvmPoolWorkers() throws {
    let fx = try ProcFixture("jvm")
    let scan = try fx.scan()
    #expect(scan.threads.count == 22)
    #expect(scan.process.name == "java")
    #expect(scan.process.exe?.hasSuffix("/bin/java") == true)
    let workers = scan.threads.filter { $0.name.hasPrefix("pool-1-thread-") }
    #expect(workers.map(\.name) == (1...8).map { "pool-1-thread-\($0)" })
    #expect(workers.allSatisfy { $0.state == "S" && $0.wchan == "futex_do_wait" })
    #expect(workers.allSatisfy { $0.syscall?.label == "futex" })
    #expect(scan.threads.contains { $0.name == "VM Thread" })
    #expect(scan.threads.contains { $0.name == "Reference Handl" })
  }

  @Test func pythonPoolWorkers() throws {
    let fx = try ProcFixture("python")
    let scan = try fx.scan()
    #expect(scan.threads.count == 7)
    // CPython 3.11 does not name OS threads: all keep the process name.
    #expect(scan.threads.allSatisfy { $0.name == "python3" })
    let idle = scan.threads.filter { $0.tid != fx.pid }
    #expect(idle.count == 6)
    #expect(idle.allSatisfy { $0.wchan == "futex_do_wait" && $0.syscall?.label == "futex" })
    let main = try #require(scan.threads.first { $0.tid == fx.pid })
    #expect(main.syscall?.label == "clock_nanosleep")
  }

  @Test func kernelThread() throws {
    let fx = try ProcFixture("kthread")
    #expect(fx.pid == 2)
    let scan = try fx.scan()
    #expect(scan.process.name == "kthreadd")
    #expect(scan.process.exe == nil)
    #expect(scan.process.cmdline == [])
    #expect(scan.abi == .unknown)
    let t = try #require(scan.threads.first)
    #expect(scan.threads.count == 1)
    #expect(t.state == "S" && t.ppid == 0)
    #expect(t.wchan == "kthreadd")
    #expect(t.syscall == SyscallState.none)
    #expect(t.kernelStack?.first == "kthreadd")
  }

  @Test func vanishedThreadIsSkippedAndCounted() throws {
    let fx = try ProcFixture("vanished")
    let scan = try fx.scan()
    #expect(scan.threads.count == 6)
    #expect(scan.skipped.exited == 1)
    #expect(scan.skipped.unreadable == 0)
    #expect(!scan.targetExited)
    #expect(!scan.threads.contains { $0.name == "locker-1" })
  }

  @Test func systemFactsTravelWithTheTree() throws {
    let fx = try ProcFixture("parked")
    #expect(SystemFacts.host(root: fx.root) == "vm")
    #expect(SystemFacts.kernel(root: fx.root) == "6.18.44-fc-v1252")
    #expect(SystemFacts.host(root: "/nonexistent") == "")
  }

  @Test func resolveInATree() throws {
    let fx = try ProcFixture("parked")
    let reader = ProcReader(root: fx.root)
    #expect(try reader.resolve(fx.pid) == (fx.pid, false))
    #expect(throws: ThreadprofError.noSuchProcess(pid: 999_999, hint: nil)) {
      try reader.resolve(999_999)
    }
  }

  /// The clusters the lead's Grouper makes of each fixture: (count, first
  /// name pattern) biggest first, under the given grouping.
  static func clusters(_ name: String, _ groupBy: GroupBy) throws -> [String] {
    let scan = try ProcFixture(name).scan()
    return Grouper(groupBy: groupBy).group(scan.threads).map {
      "\($0.count) \($0.names.map(\.pattern).joined(separator: "+"))"
    }
  }

  @Test func jvmPoolIsOneClusterBySite() throws {
    let clusters = try Self.clusters("jvm", .site)
    #expect(clusters.first == "8 pool-N-thread-N")
    // Digits are numbering to the grouper: C1 and C2 compiler threads meet.
    #expect(clusters.dropFirst().first == "2 CN CompilerThre")
    // The two java threads differ: one waits with a timeout, one without.
    #expect(clusters.filter { $0 == "1 java" }.count == 2)
    #expect(clusters.count == 14)
    #expect(clusters.dropFirst(2).allSatisfy { $0.hasPrefix("1 ") })
    // By wait site alone the JVM threads here park on a futex in two ways:
    // without a timeout (the pool among them) and with one (keyed `sleep`,
    // as an unwind would resume them through restart_syscall).
    let byWait = try Self.clusters("jvm", .wait)
    #expect(byWait.count == 2, "\(byWait)")
    #expect(byWait.first?.hasPrefix("14 pool-N-thread-N+") == true, "\(byWait)")
    #expect(byWait.last?.hasPrefix("8 ") == true, "\(byWait)")
  }

  @Test func fixtureClustersBySite() throws {
    #expect(try Self.clusters("parked", .site).sorted()
      == ["1 parked", "2 locker-N", "2 reader-N", "2 sleeper-N"])
    #expect(try Self.clusters("python", .site) == ["6 pythonN", "1 pythonN"])
    #expect(try Self.clusters("zombie", .site) == ["3 sleeper-N", "1 zombie"])
    #expect(try Self.clusters("kthread", .site) == ["1 kthreadd"])
    #expect(try Self.clusters("vanished", .site).sorted()
      == ["1 locker-N", "1 parked", "2 reader-N", "2 sleeper-N"])
  }

  @Test func hostileNamesGroupByWaitSite() throws {
    // Names differ, so by site every thread stands alone ...
    #expect(try Self.clusters("names", .site).count == 6)
    // ... but by wait site the three pipe readers and the two spinners meet.
    let byWait = try Self.clusters("names", .wait)
    #expect(byWait.count == 3)
    #expect(byWait.first?.hasPrefix("3 a) b+") == true)
    #expect(byWait.dropFirst().first == "2               )+\\xffz")
    #expect(byWait.last == "1 names")
  }
}
