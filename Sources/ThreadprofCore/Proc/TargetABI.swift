// The target's instruction set and word size, which decides how the
// numbers in /proc/<tid>/syscall are named.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The ABI a target process runs under.
public enum TargetABI: String, Sendable, Hashable, Codable, CaseIterable {
  case x86_64, aarch64, i386, arm, unknown

  /// The ABI of this build of threadprof.
  public static var host: TargetABI {
    #if arch(x86_64)
      return .x86_64
    #elseif arch(arm64)
      return .aarch64
    #elseif arch(i386)
      return .i386
    #elseif arch(arm)
      return .arm
    #else
      return .unknown
    #endif
  }

  /// The system call name for `number` in this ABI's table, `nil` when
  /// the number is unused or the ABI has no table.
  // FIXME: 32-bit arm has no table yet (no arm headers on the build
  // machine to generate it from); its numbers show as `syscall_<n>`.
  public func syscallName(_ number: Int) -> String? {
    let table: [String]
    switch self {
    case .x86_64: table = SyscallTables.x86_64
    case .aarch64: table = SyscallTables.aarch64
    case .i386: table = SyscallTables.i386
    case .arm, .unknown: return nil
    }
    guard number >= 0, number < table.count, !table[number].isEmpty else { return nil }
    return table[number]
  }

  /// The ABI an ELF header names (`e_ident[EI_CLASS]`, `e_machine`);
  /// `.unknown` when `header` is not ELF or names another machine.
  public static func fromELFHeader(_ header: [UInt8]) -> TargetABI {
    guard header.count >= 20, header[0] == 0x7f, header[1] == UInt8(ascii: "E"),
      header[2] == UInt8(ascii: "L"), header[3] == UInt8(ascii: "F")
    else { return .unknown }
    let is64 = header[4] == 2
    let little = header[5] == 1
    let machine = little
      ? UInt16(header[18]) | UInt16(header[19]) << 8
      : UInt16(header[19]) | UInt16(header[18]) << 8
    switch (machine, is64) {
    case (62, true): return .x86_64
    case (183, true): return .aarch64
    case (3, false): return .i386
    case (40, false): return .arm
    default: return .unknown
    }
  }

  /// The word size a process's `auxv` is written in: its `AT_PHENT` entry
  /// is 56 (Elf64_Phdr) for 64-bit and 32 for 32-bit processes. The
  /// machine is taken to be the host's of that size.
  static func fromAuxv(_ auxv: [UInt8]) -> TargetABI {
    let atPhent: UInt64 = 4
    func entries(width: Int) -> [(UInt64, UInt64)] {
      var out: [(UInt64, UInt64)] = []
      var i = 0
      while i + 2 * width <= auxv.count {
        var key: UInt64 = 0, value: UInt64 = 0
        for k in 0..<width {
          key |= UInt64(auxv[i + k]) << (8 * UInt64(k))
          value |= UInt64(auxv[i + width + k]) << (8 * UInt64(k))
        }
        if key == 0 { break }
        out.append((key, value))
        i += 2 * width
      }
      return out
    }
    if entries(width: 8).contains(where: { $0.0 == atPhent && $0.1 == 56 }) {
      return host == .i386 || host == .arm ? .unknown : host
    }
    if entries(width: 4).contains(where: { $0.0 == atPhent && $0.1 == 32 }) {
      switch host {
      case .x86_64, .i386: return .i386
      case .aarch64, .arm: return .arm
      case .unknown: return .unknown
      }
    }
    return .unknown
  }
}
