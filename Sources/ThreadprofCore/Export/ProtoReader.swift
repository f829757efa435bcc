// A minimal protocol-buffers decoder that walks fields one at a time and
// rejects truncated or malformed input instead of trapping.

/// Why a buffer could not be read as protobuf.
public struct ProtoError: Error, Sendable, Equatable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Reads protobuf wire format from a byte slice.
public struct ProtoReader {
  private let bytes: ArraySlice<UInt8>
  private var index: Int

  public init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    index = bytes.startIndex
  }

  public init(_ bytes: [UInt8]) { self.init(bytes[...]) }

  public var atEnd: Bool { index >= bytes.endIndex }

  /// One field: its number, wire type and payload.
  public enum Value {
    case varint(UInt64)
    case fixed64(UInt64)
    case fixed32(UInt32)
    case bytes(ArraySlice<UInt8>)
  }

  /// Reads a varint of at most 10 bytes.
  public mutating func readVarint() throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard index < bytes.endIndex else { throw ProtoError("truncated varint") }
      let b = bytes[index]
      index += 1
      if shift == 63 && b > 1 { throw ProtoError("varint longer than 64 bits") }
      result |= UInt64(b & 0x7f) << shift
      if b & 0x80 == 0 { return result }
      shift += 7
      if shift > 63 { throw ProtoError("varint longer than 10 bytes") }
    }
  }

  private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
    guard n >= 0, bytes.endIndex - index >= n else {
      throw ProtoError("field of \(n) bytes runs past the end")
    }
    let slice = bytes[index..<index + n]
    index += n
    return slice
  }

  /// Reads the next field, or returns `nil` at the end of the buffer.
  /// Group wire types (3, 4), long deprecated, are rejected.
  public mutating func next() throws -> (field: Int, value: Value)? {
    guard !atEnd else { return nil }
    let key = try readVarint()
    let field = key >> 3
    guard field > 0, field <= 536_870_911 else { throw ProtoError("bad field number \(field)") }
    switch key & 7 {
    case 0:
      return (Int(field), .varint(try readVarint()))
    case 1:
      let b = try take(8)
      var v: UInt64 = 0
      for (i, x) in b.enumerated() { v |= UInt64(x) << (8 * UInt64(i)) }
      return (Int(field), .fixed64(v))
    case 2:
      let n = try readVarint()
      guard n <= UInt64(Int.max) else { throw ProtoError("length \(n) too large") }
      return (Int(field), .bytes(try take(Int(n))))
    case 5:
      let b = try take(4)
      var v: UInt32 = 0
      for (i, x) in b.enumerated() { v |= UInt32(x) << (8 * UInt32(i)) }
      return (Int(field), .fixed32(v))
    default:
      throw ProtoError("unsupported wire type \(key & 7) for field \(field)")
    }
  }
}

extension ProtoReader.Value {
  /// The value as an integer; a length-delimited value is an error.
  public func integer(field: Int) throws -> UInt64 {
    switch self {
    case .varint(let v), .fixed64(let v): return v
    case .fixed32(let v): return UInt64(v)
    case .bytes: throw ProtoError("field \(field) is length-delimited, expected an integer")
    }
  }

  /// Repeated integers, packed (one length-delimited run) or not (one value).
  public func integers(field: Int) throws -> [UInt64] {
    guard case .bytes(let run) = self else { return [try integer(field: field)] }
    var reader = ProtoReader(run)
    var out: [UInt64] = []
    while !reader.atEnd { out.append(try reader.readVarint()) }
    return out
  }

  /// The payload of a length-delimited field.
  public func payload(field: Int) throws -> ArraySlice<UInt8> {
    guard case .bytes(let b) = self else {
      throw ProtoError("field \(field) is an integer, expected length-delimited")
    }
    return b
  }
}
