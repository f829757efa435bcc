// The snapshot document: what `snapshot --format json` writes and what
// `watch` and `diff` read back. Its schema is `threadprof.snapshot/1`.

/// The process a snapshot describes.
public struct TargetProcess: Sendable, Hashable, Codable {
  public var pid: Int32
  /// The pid in each nested pid namespace, outermost first (`NSpid`).
  public var nsPids: [Int32]
  public var name: String
  /// Target of `/proc/<pid>/exe`; `nil` when unreadable (kernel thread,
  /// no permission).
  public var exe: String?
  public var cmdline: [String]

  public init(pid: Int32, nsPids: [Int32] = [], name: String, exe: String?, cmdline: [String]) {
    self.pid = pid
    self.nsPids = nsPids
    self.name = name
    self.exe = exe
    self.cmdline = cmdline
  }

  private enum CodingKeys: String, CodingKey {
    case pid, nsPids = "nspid", name, exe, cmdline
  }
}

/// How threads are grouped into clusters, from strictest to loosest.
public enum GroupBy: String, Sendable, Hashable, Codable, CaseIterable {
  /// Identical (module, function) sequence of the user stack.
  case stack
  /// Name pattern, state, wait channel, system call and kernel stack.
  case site
  /// State, wait channel, system call and kernel stack; names ignored.
  case wait
  /// Only the thread name pattern.
  case name
}

/// What a scan could not read, counted rather than failed on.
public struct Skipped: Sendable, Hashable, Codable {
  /// Threads listed in `task/` that were gone before they could be read.
  public var exited: Int
  /// Threads whose files were unreadable (permission).
  public var unreadable: Int
  /// Threads whose stack could not be unwound (read, but no stack).
  public var unwindFailed: Int

  public init(exited: Int = 0, unreadable: Int = 0, unwindFailed: Int = 0) {
    self.exited = exited
    self.unreadable = unreadable
    self.unwindFailed = unwindFailed
  }

  private enum CodingKeys: String, CodingKey {
    case exited, unreadable, unwindFailed = "unwind_failed"
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    exited = try c.decodeIfPresent(Int.self, forKey: .exited) ?? 0
    unreadable = try c.decodeIfPresent(Int.self, forKey: .unreadable) ?? 0
    unwindFailed = try c.decodeIfPresent(Int.self, forKey: .unwindFailed) ?? 0
  }
}

/// A thread-name pattern and how many of a cluster's threads have it.
public struct NameCount: Sendable, Hashable, Codable {
  public var pattern: String
  public var count: Int
  public init(pattern: String, count: Int) {
    self.pattern = pattern
    self.count = count
  }
}

/// Threads that share one grouping key.
public struct Cluster: Sendable, Hashable, Codable {
  /// Hex digest of the symbolic key: equal keys give equal ids in every
  /// snapshot, on every machine. Never depends on tids, times or addresses.
  public var id: String
  public var count: Int
  public var tids: [Int32]
  public var names: [NameCount]
  /// The shared state letter, or `nil` when the key does not hold state.
  public var state: String?
  public var wchan: String?
  public var syscall: String?
  public var kernelStack: [String]?
  /// A representative stack (the first thread's), for stack grouping.
  public var stack: [StackFrame]?
  public var cpuSeconds: Double
  public var youngestSeconds: Double
  public var oldestSeconds: Double

  public init(
    id: String, count: Int, tids: [Int32], names: [NameCount], state: String?,
    wchan: String?, syscall: String?, kernelStack: [String]?, stack: [StackFrame]?,
    cpuSeconds: Double, youngestSeconds: Double, oldestSeconds: Double
  ) {
    self.id = id
    self.count = count
    self.tids = tids
    self.names = names
    self.state = state
    self.wchan = wchan
    self.syscall = syscall
    self.kernelStack = kernelStack
    self.stack = stack
    self.cpuSeconds = cpuSeconds
    self.youngestSeconds = youngestSeconds
    self.oldestSeconds = oldestSeconds
  }

  private enum CodingKeys: String, CodingKey {
    case id, count, tids, names, state, wchan, syscall
    case kernelStack = "kernel_stack", stack, cpuSeconds = "cpu_seconds"
    case youngestSeconds = "youngest_seconds", oldestSeconds = "oldest_seconds"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(id, forKey: .id)
    try c.encode(count, forKey: .count)
    try c.encode(tids, forKey: .tids)
    try c.encode(names, forKey: .names)
    try c.encode(state, forKey: .state)
    try c.encode(wchan, forKey: .wchan)
    try c.encode(syscall, forKey: .syscall)
    try c.encode(kernelStack, forKey: .kernelStack)
    try c.encodeIfPresent(stack, forKey: .stack)
    try c.encode(JSONNumber.millis(cpuSeconds), forKey: .cpuSeconds)
    try c.encode(JSONNumber.millis(youngestSeconds), forKey: .youngestSeconds)
    try c.encode(JSONNumber.millis(oldestSeconds), forKey: .oldestSeconds)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    count = try c.decode(Int.self, forKey: .count)
    tids = try c.decodeIfPresent([Int32].self, forKey: .tids) ?? []
    names = try c.decodeIfPresent([NameCount].self, forKey: .names) ?? []
    state = try c.decodeIfPresent(String.self, forKey: .state)
    wchan = try c.decodeIfPresent(String.self, forKey: .wchan)
    syscall = try c.decodeIfPresent(String.self, forKey: .syscall)
    kernelStack = try c.decodeIfPresent([String].self, forKey: .kernelStack)
    stack = try c.decodeIfPresent([StackFrame].self, forKey: .stack)
    cpuSeconds = try c.decodeIfPresent(Double.self, forKey: .cpuSeconds) ?? 0
    youngestSeconds = try c.decodeIfPresent(Double.self, forKey: .youngestSeconds) ?? 0
    oldestSeconds = try c.decodeIfPresent(Double.self, forKey: .oldestSeconds) ?? 0
  }
}

/// The producing tool, recorded in every snapshot.
public struct ToolInfo: Sendable, Hashable, Codable {
  public var name: String
  public var version: String
  public init(name: String = "threadprof", version: String = Threadprof.version) {
    self.name = name
    self.version = version
  }
}

/// Everything one scan of one process found.
public struct Snapshot: Sendable, Hashable {
  /// The schema this build writes.
  public static let schema = "threadprof.snapshot/1"
  /// Schema versions this build can read (older ones included).
  public static let readableVersions: ClosedRange<Int> = 1...1

  public var schema: String
  public var tool: ToolInfo
  /// RFC 3339 UTC, e.g. `2026-12-04T15:45:25Z`.
  public var takenAt: String
  public var host: String
  public var kernel: String
  public var process: TargetProcess
  public var groupBy: GroupBy
  /// True when stacks were unwound.
  public var stacks: Bool
  /// The longest time any one thread was held stopped, in microseconds.
  public var maxPauseMicros: Int?
  /// True when all threads were stopped together (`--freeze`).
  public var frozen: Bool
  public var threads: [ThreadRecord]
  public var clusters: [Cluster]
  public var skipped: Skipped
  /// One-line notes about the scan (missing privileges, fallbacks).
  public var warnings: [String]
  /// The modules stack symbolization opened, with where names came from.
  public var modules: [ModuleInfo]

  public init(
    schema: String = Snapshot.schema, tool: ToolInfo = ToolInfo(), takenAt: String,
    host: String, kernel: String, process: TargetProcess, groupBy: GroupBy,
    stacks: Bool = false, maxPauseMicros: Int? = nil, frozen: Bool = false,
    threads: [ThreadRecord], clusters: [Cluster], skipped: Skipped = Skipped(),
    warnings: [String] = [], modules: [ModuleInfo] = []
  ) {
    self.schema = schema
    self.tool = tool
    self.takenAt = takenAt
    self.host = host
    self.kernel = kernel
    self.process = process
    self.groupBy = groupBy
    self.stacks = stacks
    self.maxPauseMicros = maxPauseMicros
    self.frozen = frozen
    self.threads = threads
    self.clusters = clusters
    self.skipped = skipped
    self.warnings = warnings
    self.modules = modules
  }
}

extension Snapshot: Codable {
  private enum CodingKeys: String, CodingKey {
    case schema, tool, takenAt = "taken_at", host, kernel, process, groupBy = "group_by"
    case stacks, maxPauseMicros = "max_pause_us", frozen, threads, clusters, skipped, warnings
    case modules
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    schema = try c.decode(String.self, forKey: .schema)
    tool = try c.decodeIfPresent(ToolInfo.self, forKey: .tool) ?? ToolInfo(version: "?")
    takenAt = try c.decode(String.self, forKey: .takenAt)
    host = try c.decodeIfPresent(String.self, forKey: .host) ?? ""
    kernel = try c.decodeIfPresent(String.self, forKey: .kernel) ?? ""
    process = try c.decode(TargetProcess.self, forKey: .process)
    groupBy = try c.decode(GroupBy.self, forKey: .groupBy)
    stacks = try c.decodeIfPresent(Bool.self, forKey: .stacks) ?? false
    maxPauseMicros = try c.decodeIfPresent(Int.self, forKey: .maxPauseMicros)
    frozen = try c.decodeIfPresent(Bool.self, forKey: .frozen) ?? false
    threads = try c.decodeIfPresent([ThreadRecord].self, forKey: .threads) ?? []
    clusters = try c.decode([Cluster].self, forKey: .clusters)
    skipped = try c.decodeIfPresent(Skipped.self, forKey: .skipped) ?? Skipped()
    warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
    modules = try c.decodeIfPresent([ModuleInfo].self, forKey: .modules) ?? []
  }
}

extension ThreadRecord: Codable {
  private enum CodingKeys: String, CodingKey {
    case tid, nsTids = "nstid", name, nameBytes = "name_bytes", state, ppid
    case utimeTicks = "utime_ticks", stimeTicks = "stime_ticks", startTicks = "start_ticks"
    case lastCPU = "last_cpu", priority, nice, wchan, syscall, syscallNumber = "syscall_nr"
    case voluntarySwitches = "voluntary_ctxt_switches"
    case involuntarySwitches = "nonvoluntary_ctxt_switches"
    case tgid, kernelStack = "kernel_stack", cpuSeconds = "cpu_seconds"
    case ageSeconds = "age_seconds", stack, stackNote = "stack_note"
    case timedWait = "timed_wait"
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(tid, forKey: .tid)
    try c.encode(nsTids, forKey: .nsTids)
    try c.encode(name, forKey: .name)
    if nameIsLossy {
      try c.encode(Base64.encode(nameBytes), forKey: .nameBytes)
    }
    try c.encode(String(state), forKey: .state)
    try c.encode(ppid, forKey: .ppid)
    try c.encode(utimeTicks, forKey: .utimeTicks)
    try c.encode(stimeTicks, forKey: .stimeTicks)
    try c.encode(startTicks, forKey: .startTicks)
    try c.encode(lastCPU, forKey: .lastCPU)
    try c.encode(priority, forKey: .priority)
    try c.encode(nice, forKey: .nice)
    try c.encode(wchan, forKey: .wchan)
    try c.encode(syscall?.label, forKey: .syscall)
    if case .inSyscall(let number, _)? = syscall {
      try c.encode(number, forKey: .syscallNumber)
    }
    try c.encodeIfPresent(voluntarySwitches, forKey: .voluntarySwitches)
    try c.encodeIfPresent(involuntarySwitches, forKey: .involuntarySwitches)
    try c.encodeIfPresent(tgid, forKey: .tgid)
    try c.encode(kernelStack, forKey: .kernelStack)
    try c.encode(JSONNumber.millis(cpuSeconds), forKey: .cpuSeconds)
    try c.encode(JSONNumber.millis(ageSeconds), forKey: .ageSeconds)
    try c.encodeIfPresent(stack, forKey: .stack)
    try c.encodeIfPresent(stackNote, forKey: .stackNote)
    if timedWait { try c.encode(true, forKey: .timedWait) }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    tid = try c.decode(Int32.self, forKey: .tid)
    nsTids = try c.decodeIfPresent([Int32].self, forKey: .nsTids) ?? []
    if let b64 = try c.decodeIfPresent(String.self, forKey: .nameBytes),
      let raw = Base64.decode(b64)
    {
      nameBytes = raw
    } else {
      nameBytes = Array(try c.decode(String.self, forKey: .name).utf8)
    }
    let stateText = try c.decode(String.self, forKey: .state)
    guard let first = stateText.first, stateText.count == 1 else {
      throw DecodingError.dataCorruptedError(
        forKey: .state, in: c, debugDescription: "state must be one letter")
    }
    state = first
    ppid = try c.decodeIfPresent(Int32.self, forKey: .ppid) ?? 0
    utimeTicks = try c.decodeIfPresent(UInt64.self, forKey: .utimeTicks) ?? 0
    stimeTicks = try c.decodeIfPresent(UInt64.self, forKey: .stimeTicks) ?? 0
    startTicks = try c.decodeIfPresent(UInt64.self, forKey: .startTicks) ?? 0
    lastCPU = try c.decodeIfPresent(Int32.self, forKey: .lastCPU) ?? 0
    priority = try c.decodeIfPresent(Int32.self, forKey: .priority) ?? 0
    nice = try c.decodeIfPresent(Int32.self, forKey: .nice) ?? 0
    wchan = try c.decodeIfPresent(String.self, forKey: .wchan)
    let label = try c.decodeIfPresent(String.self, forKey: .syscall)
    let number = try c.decodeIfPresent(Int.self, forKey: .syscallNumber)
    switch (label, number) {
    case ("running"?, _): syscall = .running
    case ("-"?, _): syscall = SyscallState.none
    case (let name?, let n?): syscall = .inSyscall(number: n, name: name)
    case (let name?, nil): syscall = .inSyscall(number: -1, name: name)
    case (nil, _): syscall = nil
    }
    voluntarySwitches = try c.decodeIfPresent(UInt64.self, forKey: .voluntarySwitches)
    involuntarySwitches = try c.decodeIfPresent(UInt64.self, forKey: .involuntarySwitches)
    tgid = try c.decodeIfPresent(Int32.self, forKey: .tgid)
    kernelStack = try c.decodeIfPresent([String].self, forKey: .kernelStack)
    cpuSeconds = try c.decodeIfPresent(Double.self, forKey: .cpuSeconds) ?? 0
    ageSeconds = try c.decodeIfPresent(Double.self, forKey: .ageSeconds) ?? 0
    stack = try c.decodeIfPresent([StackFrame].self, forKey: .stack)
    stackNote = try c.decodeIfPresent(String.self, forKey: .stackNote)
    timedWait = try c.decodeIfPresent(Bool.self, forKey: .timedWait) ?? false
  }
}

/// Number formatting for JSON documents.
enum JSONNumber {
  /// Seconds rounded to milliseconds, so documents do not carry float noise
  /// such as `2.019999999999982`.
  static func millis(_ seconds: Double) -> Double {
    guard seconds.isFinite else { return 0 }
    return (seconds * 1000).rounded() / 1000
  }
}
