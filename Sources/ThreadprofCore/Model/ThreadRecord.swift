// One OS thread as read from /proc, plus its stack when one was unwound.

/// What `/proc/<pid>/task/<tid>/syscall` said about a thread.
public enum SyscallState: Sendable, Hashable, Codable {
  /// The thread is on a CPU (the file reads `running`).
  case running
  /// Blocked in (or last entered) the system call with this number.
  case inSyscall(number: Int, name: String?)
  /// Not in a system call (the file reads `-1 ...`: a user-mode stop).
  case none

  /// The short form used in reports and cluster keys: `running`, `read`,
  /// `syscall_447` for a number the table does not know, `-` for none.
  public var label: String {
    switch self {
    case .running: return "running"
    case .none: return "-"
    case .inSyscall(let number, let name): return name ?? "syscall_\(number)"
    }
  }
}

/// A thread's facts from `stat`, `status`, `wchan`, `syscall` and `stack`.
///
/// Fields that could not be read (permission, a vanished file) are `nil`,
/// never a made-up value.
public struct ThreadRecord: Sendable, Hashable {
  public var tid: Int32
  /// The thread id in each nested pid namespace, outermost first (`NSpid`).
  public var nsTids: [Int32]
  /// `comm` exactly as the kernel stores it (up to 15 bytes, any bytes).
  public var nameBytes: [UInt8]
  /// One-letter state from `stat` (`R`, `S`, `D`, `Z`, `T`, `t`, `X`, `I`, ...).
  public var state: Character
  public var ppid: Int32
  public var utimeTicks: UInt64
  public var stimeTicks: UInt64
  /// Start time in clock ticks after boot (`stat` field 22).
  public var startTicks: UInt64
  public var lastCPU: Int32
  public var priority: Int32
  public var nice: Int32
  /// Kernel function the thread sleeps in; `""` when it is not sleeping,
  /// `nil` when the file could not be read or was hidden (reads `0` to
  /// callers without ptrace rights on a sleeping thread).
  public var wchan: String?
  public var syscall: SyscallState?
  public var voluntarySwitches: UInt64?
  public var involuntarySwitches: UInt64?
  public var tgid: Int32?
  /// Kernel frames from `/proc/<tid>/stack`, innermost first, offsets
  /// stripped (`futex_wait_queue`); `nil` when not readable.
  public var kernelStack: [String]?
  /// CPU time used, in seconds (utime + stime).
  public var cpuSeconds: Double
  /// Seconds since the thread started, at the time of the read.
  public var ageSeconds: Double
  /// The unwound user stack (kernel frames on top), when `--stacks` ran.
  public var stack: [StackFrame]?
  /// Why the stack is missing or incomplete (`no-cfi`, `max-depth`,
  /// `timeout`, `exited`, `permission denied`, ...), `nil` when complete.
  public var stackNote: String?
  /// True when the thread waits in a system call with a timeout that a
  /// ptrace stop resumes through `restart_syscall` (`nanosleep`,
  /// `clock_nanosleep`, `poll`, a futex wait with a timeout), from the
  /// arguments in `/proc/<tid>/syscall`.
  public var timedWait: Bool

  public init(
    tid: Int32, nsTids: [Int32] = [], nameBytes: [UInt8], state: Character,
    ppid: Int32 = 0, utimeTicks: UInt64 = 0, stimeTicks: UInt64 = 0,
    startTicks: UInt64 = 0, lastCPU: Int32 = 0, priority: Int32 = 0, nice: Int32 = 0,
    wchan: String? = nil, syscall: SyscallState? = nil,
    voluntarySwitches: UInt64? = nil, involuntarySwitches: UInt64? = nil,
    tgid: Int32? = nil, kernelStack: [String]? = nil,
    cpuSeconds: Double = 0, ageSeconds: Double = 0,
    stack: [StackFrame]? = nil, stackNote: String? = nil, timedWait: Bool = false
  ) {
    self.tid = tid
    self.nsTids = nsTids
    self.nameBytes = nameBytes
    self.state = state
    self.ppid = ppid
    self.utimeTicks = utimeTicks
    self.stimeTicks = stimeTicks
    self.startTicks = startTicks
    self.lastCPU = lastCPU
    self.priority = priority
    self.nice = nice
    self.wchan = wchan
    self.syscall = syscall
    self.voluntarySwitches = voluntarySwitches
    self.involuntarySwitches = involuntarySwitches
    self.tgid = tgid
    self.kernelStack = kernelStack
    self.cpuSeconds = cpuSeconds
    self.ageSeconds = ageSeconds
    self.stack = stack
    self.stackNote = stackNote
    self.timedWait = timedWait
  }

  /// The name as valid UTF-8: invalid bytes become U+FFFD.
  public var name: String { String(decoding: nameBytes, as: UTF8.self) }

  /// True when `nameBytes` is not valid UTF-8 (then JSON carries the raw
  /// bytes in `name_bytes`).
  public var nameIsLossy: Bool { String(validating: nameBytes, as: UTF8.self) == nil }

  /// The name for a terminal: printable ASCII and valid UTF-8 as is,
  /// control characters and invalid bytes as `\xNN`.
  public var displayName: String { NameEscaping.escape(nameBytes) }
}

/// Escaping of raw thread names for human output.
public enum NameEscaping {
  /// Returns `bytes` with control characters, backslashes and invalid UTF-8
  /// written as `\xNN` (backslash as `\\`), everything else unchanged.
  public static func escape(_ bytes: [UInt8]) -> String {
    var out = ""
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      let len = utf8SequenceLength(bytes, at: i)
      if len > 1 {
        out += String(decoding: bytes[i..<i + len], as: UTF8.self)
        i += len
        continue
      }
      if b == UInt8(ascii: "\\") {
        out += "\\\\"
      } else if b >= 0x20 && b < 0x7f {
        out.unicodeScalars.append(Unicode.Scalar(b))
      } else {
        out += "\\x" + hex2(b)
      }
      i += 1
    }
    return out
  }

  /// Length of the valid multi-byte UTF-8 sequence at `i`, or 1.
  private static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int {
    let lead = b[i]
    let n: Int
    switch lead {
    case 0xC2...0xDF: n = 2
    case 0xE0...0xEF: n = 3
    case 0xF0...0xF4: n = 4
    default: return 1
    }
    guard i + n <= b.count else { return 1 }
    if String(validating: b[i..<i + n], as: UTF8.self) == nil { return 1 }
    return n
  }

  private static func hex2(_ b: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
  }
}
