// A mapped ELF module of the target and where its symbol names came from.

/// One module (executable, shared object or the vdso) that symbolization
/// touched, as `/proc/<pid>/maps` names it.
public struct ModuleInfo: Sendable, Hashable, Codable {
  /// The path from `/proc/<pid>/maps` (without ` (deleted)`), or `[vdso]`.
  public var path: String
  /// The GNU build-id in lower-case hex, when the file has one.
  public var buildID: String?
  /// Where names came from: `symtab`, `dynsym`, `minidebuginfo`,
  /// `debuglink:<path>`, `build-id:<path>`, or `none` (no names, or the
  /// file could not be opened).
  public var symbols: String
  /// Load address minus the file's virtual addresses; `nil` when unknown.
  public var loadBias: UInt64?

  public init(path: String, buildID: String?, symbols: String, loadBias: UInt64?) {
    self.path = path
    self.buildID = buildID
    self.symbols = symbols
    self.loadBias = loadBias
  }

  private enum CodingKeys: String, CodingKey {
    case path, buildID = "build_id", symbols, loadBias = "load_bias"
  }
}
