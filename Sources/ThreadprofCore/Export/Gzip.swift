// gzip through zlib (CThreadprof's tp_gzip), for profile.proto.gz.
import CThreadprof

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// gzip members in and out of memory.
public enum Gzip {
  /// Compresses `bytes` into one gzip member (zlib's `deflate`).
  public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    var outLen = 0
    let rc = bytes.withUnsafeBufferPointer { buf in
      tp_gzip(buf.baseAddress, buf.count, &out, &outLen)
    }
    guard rc == 0, let out else { throw ThreadprofError.system(what: "gzip", errno: ENOMEM) }
    defer { free(out) }
    return Array(UnsafeBufferPointer(start: out, count: outLen))
  }

  /// True when `bytes` start with the gzip magic number.
  public static func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// Inflates one gzip member; `nil` for corrupt or truncated data or
  /// output past `limit` bytes.
  public static func decompress(_ bytes: [UInt8], limit: Int = 1 << 30) -> [UInt8]? {
    var out: UnsafeMutablePointer<UInt8>?
    var outLen = 0
    let rc = bytes.withUnsafeBufferPointer { buf in
      tp_gunzip(buf.baseAddress, buf.count, limit, &out, &outLen)
    }
    guard rc == 0, let out else { return nil }
    defer { free(out) }
    return Array(UnsafeBufferPointer(start: out, count: outLen))
  }
}
