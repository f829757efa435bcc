// The snapshot document as JSON bytes, in a stable field order.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Encodes snapshots (and anything else threadprof writes as JSON) the same
/// way everywhere: keys sorted, slashes unescaped, UTF-8.
public enum SnapshotJSON {
  /// Pretty-printed for files people open; compact for one-line streams.
  public static func encode<T: Encodable>(_ value: T, pretty: Bool = true) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty
      ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
      : [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    var bytes = [UInt8](try encoder.encode(value))
    if pretty { bytes.append(UInt8(ascii: "\n")) }
    return bytes
  }
}

extension SnapshotJSON {
  /// The pretty-printed snapshot document, byte for byte what
  /// `encode(snapshot)` gives, written without JSONEncoder's value tree
  /// (several times faster and a fraction of the memory for stacks).
  public static func document(_ snapshot: Snapshot) -> [UInt8] {
    SnapshotWriter.write(snapshot)
  }

  /// `document(snapshot)` handed to `sink` in pieces of about `chunk`
  /// bytes (the concatenation is the same bytes), for writing to a stream
  /// without holding the whole document.
  public static func stream(
    _ snapshot: Snapshot, chunk: Int = 1 << 16, to sink: @escaping ([UInt8]) -> Void
  ) {
    SnapshotWriter.write(snapshot, chunk: chunk, sink: sink)
  }
}
