// Parsers for the small per-thread files: syscall, stack and wchan.

/// Parses `/proc/<tid>/syscall`, `/proc/<tid>/stack` and `/proc/<tid>/wchan`.
public enum ThreadFiles {
  /// `syscall` reads `running`, `-1 <sp> <pc>` (not in a system call), or
  /// `<nr> <6 args> <sp> <pc>`; the number is in the target's own table.
  /// `nil` for an empty or unrecognised file (a zombie has none).
  public static func syscall(_ bytes: [UInt8], abi: TargetABI) -> SyscallState? {
    bytes.withUnsafeBytes { syscall($0, abi: abi) }
  }

  static func syscall(_ b: UnsafeRawBufferPointer, abi: TargetABI) -> SyscallState? {
    guard let c = b.first else { return nil }
    if c == UInt8(ascii: "r") { return .running }
    if c == UInt8(ascii: "-") { return SyscallState.none }
    guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
    var i = 0
    // A number past Int.max is not a system call: unrecognised, not a trap.
    guard let n = Int(exactly: ProcBytes.unsigned(b, &i)) else { return nil }
    return .inSyscall(number: n, name: abi.syscallName(n))
  }

  /// True when `syscall` shows a wait with a timeout that the kernel
  /// resumes through `restart_syscall` after a ptrace stop (a restart
  /// block): `nanosleep`, `clock_nanosleep`, `poll` (any timeout), and
  /// `futex` with op `FUTEX_WAIT` or `FUTEX_WAIT_BITSET` (op & 0x7f, the
  /// private flag masked) and a non-null timeout (the fourth argument).
  /// `ppoll`, `select` and `epoll_wait` restart as themselves.
  public static func timedWait(_ bytes: [UInt8], abi: TargetABI) -> Bool {
    bytes.withUnsafeBytes { timedWait($0, abi: abi) }
  }

  static func timedWait(_ bytes: UnsafeRawBufferPointer, abi: TargetABI) -> Bool {
    guard case .inSyscall(_, let name?)? = syscall(bytes, abi: abi) else { return false }
    switch name {
    case "nanosleep", "clock_nanosleep", "clock_nanosleep_time64", "poll":
      return true
    case "futex", "futex_time64":
      // `<nr> <arg0> ... <arg5> <sp> <pc>`, arguments in hex.
      let fields = bytes.split(separator: UInt8(ascii: " "))
      guard fields.count >= 5, let op = hex(fields[2]), let timeout = hex(fields[4]) else {
        return false
      }
      let futexWait: UInt64 = 0
      let futexWaitBitset: UInt64 = 9
      return (op & 0x7f == futexWait || op & 0x7f == futexWaitBitset) && timeout != 0
    default:
      return false
    }
  }

  /// `0x1f` (or `1f`) as a number; `nil` when not hex.
  private static func hex(_ field: some Collection<UInt8>) -> UInt64? {
    var text = String(decoding: field, as: UTF8.self)
    if text.hasPrefix("0x") { text.removeFirst(2) }
    return UInt64(text.hasSuffix("\n") ? String(text.dropLast()) : text, radix: 16)
  }

  /// `stack` lines look like `[<0>] futex_wait_queue+0x5f/0xa0`; returns
  /// the function names, innermost first, with address and offsets gone.
  public static func kernelStack(_ bytes: [UInt8]) -> [String] {
    bytes.withUnsafeBytes { kernelStack($0) }
  }

  static func kernelStack(_ b: UnsafeRawBufferPointer) -> [String] {
    var frames: [String] = []
    var i = 0
    while i < b.count {
      var lineEnd = i
      while lineEnd < b.count && b[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
      var s = i
      if s < lineEnd && b[s] == UInt8(ascii: "[") {
        while s < lineEnd && b[s] != UInt8(ascii: "]") { s += 1 }
        s += 1
        while s < lineEnd && b[s] == UInt8(ascii: " ") { s += 1 }
      }
      var e = s
      while e < lineEnd && b[e] != UInt8(ascii: "+") && b[e] != UInt8(ascii: " ") { e += 1 }
      if e > s {
        frames.append(String(decoding: UnsafeRawBufferPointer(rebasing: b[s..<e]), as: UTF8.self))
      }
      i = lineEnd + 1
    }
    return frames
  }

  /// What `wchan` says: the symbol, or `nil` for `0` / empty (not sleeping,
  /// or hidden: the caller decides which from the thread's state).
  static func wchanSymbol(_ b: UnsafeRawBufferPointer) -> String? {
    let t = ProcBytes.trimNewline(b)
    if t.isEmpty || (t.count == 1 && t[0] == UInt8(ascii: "0")) { return nil }
    return String(decoding: t, as: UTF8.self)
  }
}
