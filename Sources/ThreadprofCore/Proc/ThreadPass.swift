// One pass over a process's task directory: reads each thread's files
// into ThreadRecords and counts what it had to skip.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The per-scan state of `ProcReader.scan`: one buffer, the counters behind
/// the skip counts and warnings, and the records read so far.
struct ThreadPass {
  let taskfd: Int32
  let abi: TargetABI
  let uptime: Double
  let kernelStacks: Bool
  /// True on a live procfs, where a short read is the end of the file.
  let procfs: Bool
  let buf = FileBuffer()
  /// When set, `status` is not read: `tgid` is this pid and `nsTids` the
  /// tid alone (only right outside nested pid namespaces).
  var statusFor: Int32?
  var threads: [ThreadRecord] = []
  var skipped = Skipped()
  /// Sleeping threads whose `wchan` read `0` without ptrace rights.
  var wchanHidden = 0
  /// Threads whose `syscall` file was refused (EACCES) or not captured.
  var syscallDenied = 0
  var stackDenied = 0

  init(taskfd: Int32, abi: TargetABI, uptime: Double, kernelStacks: Bool, procfs: Bool) {
    self.taskfd = taskfd
    self.procfs = procfs
    self.abi = abi
    self.uptime = uptime
    self.kernelStacks = kernelStacks
  }

  /// What reading one secondary file gave.
  private enum Outcome { case ok, missing, denied, gone }

  /// Reads `<tid>/<file>` into the buffer. ENOENT means the thread is gone
  /// on a live /proc, but only a file the capture could not read when the
  /// thread's `stat` is still there.
  private func load(_ tid: Int32, _ file: StaticString) -> Outcome {
    buf.setPath(tid: tid, file: file)
    let code = buf.load(at: taskfd, buf.path, shortReadEnds: procfs)
    if code == 0 { return .ok }
    if code == ESRCH { return .gone }
    if code == ENOENT {
      buf.setPath(tid: tid, file: "stat")
      return faccessat(taskfd, buf.path, F_OK, 0) == 0 ? .missing : .gone
    }
    return code == EACCES || code == EPERM ? .denied : .missing
  }

  /// Reads one thread; appends a record or counts it as skipped.
  mutating func read(_ tid: Int32) {
    buf.setPath(tid: tid, file: "stat")
    let code = buf.load(at: taskfd, buf.path, shortReadEnds: procfs)
    if code != 0 {
      if ProcBytes.isGone(code) { skipped.exited += 1 } else { skipped.unreadable += 1 }
      return
    }
    guard let st = StatParser.parse(buf.bytes) else {
      // An empty stat: the thread was torn down while being read.
      skipped.exited += 1
      return
    }
    let state = st.state
    var record = ThreadRecord(
      tid: tid, nameBytes: st.nameBytes, state: Character(Unicode.Scalar(state)),
      ppid: st.ppid, utimeTicks: st.utimeTicks, stimeTicks: st.stimeTicks,
      startTicks: st.startTicks, lastCPU: st.processor, priority: st.priority, nice: st.nice,
      cpuSeconds: Double(st.utimeTicks &+ st.stimeTicks) / ProcReader.clockTicks,
      ageSeconds: max(0, uptime - Double(st.startTicks) / ProcReader.clockTicks))

    if let pid = statusFor {
      record.tgid = pid
      record.nsTids = [tid]
    } else {
      switch load(tid, "status") {
      case .ok:
        let status = StatusParser.parse(buf.bytes)
        record.tgid = status.tgid
        record.nsTids = status.nsPids
        record.voluntarySwitches = status.voluntarySwitches
        record.involuntarySwitches = status.involuntarySwitches
      case .gone:
        skipped.exited += 1
        return
      case .missing, .denied: break
      }
    }

    // syscall before wchan: whether it was readable tells whether a `0`
    // in wchan means "not sleeping" or "hidden from us".
    var syscallReadable = false
    switch load(tid, "syscall") {
    case .ok:
      syscallReadable = true
      // A kernel thread's file shows zeroed user registers ("0 0x0 ..."),
      // which is no system call.
      record.syscall =
        st.isKernelThread ? SyscallState.none : ThreadFiles.syscall(buf.bytes, abi: abi)
      record.timedWait = !st.isKernelThread && ThreadFiles.timedWait(buf.bytes, abi: abi)
    case .gone:
      skipped.exited += 1
      return
    case .denied, .missing:
      syscallDenied += 1
    }

    switch load(tid, "wchan") {
    case .ok:
      if let symbol = ThreadFiles.wchanSymbol(buf.bytes) {
        record.wchan = symbol
      } else if Self.isSleepingState(state) && !syscallReadable {
        wchanHidden += 1
      } else {
        record.wchan = ""
      }
    case .gone:
      skipped.exited += 1
      return
    case .missing, .denied: break
    }

    if kernelStacks {
      switch load(tid, "stack") {
      case .ok:
        // A thread on a CPU or preempted in user mode is not waiting in the
        // kernel: whatever frames the file shows were caught in passing
        // (interrupt return paths), so it gets an empty kernel stack.
        let inUserMode = record.syscall == .running || record.syscall == SyscallState.none
        record.kernelStack =
          state == UInt8(ascii: "R") && inUserMode ? [] : ThreadFiles.kernelStack(buf.bytes)
      case .gone:
        skipped.exited += 1
        return
      case .denied: stackDenied += 1
      case .missing: break
      }
    }
    threads.append(record)
  }

  /// States in which the kernel would name a wait channel.
  static func isSleepingState(_ s: UInt8) -> Bool {
    switch s {
    case UInt8(ascii: "R"), UInt8(ascii: "Z"), UInt8(ascii: "X"), UInt8(ascii: "x"): return false
    default: return true
    }
  }

  /// One line per kind of missing data, each saying how to get it.
  func warnings() -> [String] {
    var out: [String] = []
    if skipped.unreadable > 0 {
      out.append(
        "\(skipped.unreadable) threads unreadable (permission denied); "
          + "run as root or as the target's user")
    }
    if wchanHidden > 0 {
      out.append(
        "wait channels hidden for \(wchanHidden) sleeping threads; run as root or as the "
          + "target's user with ptrace rights to see them")
    }
    if syscallDenied > 0 {
      out.append(
        "system calls unreadable for \(syscallDenied) threads (needs ptrace rights); run as "
          + "root, or as the target's user with kernel.yama.ptrace_scope allowing it")
    }
    return out
  }
}
