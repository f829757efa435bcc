// A minimal protocol-buffers encoder: varints, length-delimited fields and
// packed repeated integers, enough to write pprof's profile.proto.

/// Appends protobuf wire-format fields to a byte buffer.
///
/// Fields holding their type's default value (0, false, empty) are skipped
/// as proto3 does, except inside packed lists.
public struct ProtoWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  /// Wire types of the protobuf encoding.
  public enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
  }

  /// Appends `value` as a base-128 varint.
  public mutating func writeVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  /// Appends a field key (number and wire type).
  public mutating func writeKey(_ field: Int, _ type: WireType) {
    writeVarint(UInt64(field) << 3 | UInt64(type.rawValue))
  }

  /// An unsigned integer field; skipped when 0.
  public mutating func uint(_ field: Int, _ value: UInt64) {
    guard value != 0 else { return }
    writeKey(field, .varint)
    writeVarint(value)
  }

  /// A signed `int64` field (two's complement, not zigzag); skipped when 0.
  public mutating func int(_ field: Int, _ value: Int64) {
    uint(field, UInt64(bitPattern: value))
  }

  /// A `bool` field; skipped when false.
  public mutating func bool(_ field: Int, _ value: Bool) {
    uint(field, value ? 1 : 0)
  }

  /// A length-delimited field holding raw bytes; always written, even when
  /// empty (repeated strings need their empty entries).
  public mutating func bytesField(_ field: Int, _ value: [UInt8]) {
    writeKey(field, .lengthDelimited)
    writeVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A string field, always written (see `bytesField`).
  public mutating func string(_ field: Int, _ value: String) {
    bytesField(field, Array(value.utf8))
  }

  /// An embedded message built by `body`.
  public mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
    var inner = ProtoWriter()
    body(&inner)
    bytesField(field, inner.bytes)
  }

  /// A packed repeated unsigned field; skipped when empty.
  public mutating func packed(_ field: Int, _ values: [UInt64]) {
    guard !values.isEmpty else { return }
    var inner = ProtoWriter()
    for v in values { inner.writeVarint(v) }
    bytesField(field, inner.bytes)
  }

  /// A packed repeated `int64` field; skipped when empty.
  public mutating func packed(_ field: Int, _ values: [Int64]) {
    packed(field, values.map { UInt64(bitPattern: $0) })
  }
}
