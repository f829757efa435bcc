// One frame of a thread's stack, symbolized as far as the files allowed.

/// A stack frame. `module` + `fileOffset` (or `buildID` + `fileOffset`)
/// identify the code across runs; `address` is only valid in one process.
public struct StackFrame: Sendable, Hashable {
  /// What produced the frame.
  public enum Kind: String, Sendable, Hashable, Codable {
    /// Ordinary user-space code found through CFI.
    case user
    /// A kernel frame from `/proc/<tid>/stack`.
    case kernel
    /// The signal trampoline (`__restore_rt`, vdso sigreturn).
    case signal
    /// JIT code named through `/tmp/perf-<pid>.map`.
    case jit
    /// Anonymous memory with no name.
    case anon
  }

  public var address: UInt64
  /// Path of the mapped file (`/usr/lib/x86_64-linux-gnu/libc.so.6`),
  /// `[vdso]`, `[anon]`, `[jit]` or `[kernel]`.
  public var module: String?
  /// The module's GNU build-id in lower-case hex.
  public var buildID: String?
  /// Offset of `address` in the module's file.
  public var fileOffset: UInt64?
  /// Demangled function name, without a symbol version (`@GLIBC_2.2.5`).
  public var function: String?
  /// Offset of `address` from the start of `function`.
  public var offset: UInt64?
  public var file: String?
  public var line: Int?
  /// True for a frame that the compiler inlined into the next one.
  public var inlined: Bool
  public var kind: Kind

  public init(
    address: UInt64, module: String? = nil, buildID: String? = nil,
    fileOffset: UInt64? = nil, function: String? = nil, offset: UInt64? = nil,
    file: String? = nil, line: Int? = nil, inlined: Bool = false, kind: Kind = .user
  ) {
    self.address = address
    self.module = module
    self.buildID = buildID
    self.fileOffset = fileOffset
    self.function = function
    self.offset = offset
    self.file = file
    self.line = line
    self.inlined = inlined
    self.kind = kind
  }

  public var isKernel: Bool { kind == .kernel }

  /// The last path component of `module`, or `?`.
  public var moduleName: String {
    guard let module else { return "?" }
    if let slash = module.lastIndex(of: "/") {
      return String(module[module.index(after: slash)...])
    }
    return module
  }

  /// `function`, or `module+0xoffset` when there is no symbol.
  public var symbol: String {
    if let function { return function }
    if let fileOffset { return "\(moduleName)+0x\(String(fileOffset, radix: 16))" }
    return "0x\(String(address, radix: 16))"
  }

  /// What a frame contributes to a stack cluster key: the module's name and
  /// the function, or the offset in the module when there is no function.
  /// Never an absolute address, so ASLR does not split clusters.
  public var symbolicKey: String {
    switch kind {
    case .kernel: return "[kernel]!\(function ?? "?")"
    case .anon: return "[anon]"
    case .jit: return "[jit]!\(function ?? "?")"
    case .signal: return "[signal]"
    case .user: break
    }
    if let function { return "\(moduleName)!\(function)" }
    return "\(moduleName)+0x\(String(fileOffset ?? 0, radix: 16))"
  }
}

extension StackFrame: Codable {
  private enum CodingKeys: String, CodingKey {
    case address, module, buildID = "build_id", fileOffset = "file_offset", function, offset
    case file, line, inlined, kernel, kind
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode("0x" + String(address, radix: 16), forKey: .address)
    try c.encode(module, forKey: .module)
    try c.encode(buildID, forKey: .buildID)
    try c.encode(fileOffset, forKey: .fileOffset)
    try c.encode(function, forKey: .function)
    try c.encode(offset, forKey: .offset)
    try c.encode(file, forKey: .file)
    try c.encode(line, forKey: .line)
    try c.encode(inlined, forKey: .inlined)
    try c.encode(kind == .kernel, forKey: .kernel)
    try c.encode(kind, forKey: .kind)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let text = try c.decode(String.self, forKey: .address)
    let digits = text.hasPrefix("0x") ? text.dropFirst(2) : Substring(text)
    guard let address = UInt64(digits, radix: 16) else {
      throw DecodingError.dataCorruptedError(
        forKey: .address, in: c, debugDescription: "address is not hex: \(text)")
    }
    self.address = address
    module = try c.decodeIfPresent(String.self, forKey: .module)
    buildID = try c.decodeIfPresent(String.self, forKey: .buildID)
    fileOffset = try c.decodeIfPresent(UInt64.self, forKey: .fileOffset)
    function = try c.decodeIfPresent(String.self, forKey: .function)
    offset = try c.decodeIfPresent(UInt64.self, forKey: .offset)
    file = try c.decodeIfPresent(String.self, forKey: .file)
    line = try c.decodeIfPresent(Int.self, forKey: .line)
    inlined = try c.decodeIfPresent(Bool.self, forKey: .inlined) ?? false
    let isKernel = try c.decodeIfPresent(Bool.self, forKey: .kernel) ?? false
    kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? (isKernel ? .kernel : .user)
  }
}
