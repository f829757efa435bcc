// Reading a saved snapshot back, refusing anything that is not one with a
// single clear reason.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// Loads `threadprof.snapshot/N` JSON files written by `snapshot --format
/// json` or `watch --save`.
public enum SnapshotFile {
  /// Files larger than this are refused before reading.
  public static let maxBytes = 512 << 20
  /// Deepest nesting accepted; real snapshots nest about 6 levels.
  public static let maxDepth = 64
  static let remedy = "make one with 'threadprof snapshot --format json'"

  /// Reads and checks the file (or pipe) at `path` (`open`, `fstat`, `read`).
  /// Throws `.noSuchFile` when it does not exist, `.badData` when it is
  /// too big, not JSON, truncated, too deeply nested, not a snapshot,
  /// missing a required field, or written by a newer schema.
  public static func load(path: String) throws -> Snapshot {
    let bytes = try read(path: path)
    return try decode(bytes, path: path)
  }

  /// Checks and decodes `bytes` read from `path` (named in errors).
  public static func decode(_ bytes: [UInt8], path: String) throws -> Snapshot {
    func bad(_ reason: String, _ fix: String = remedy) -> ThreadprofError {
      .badData(path: path, reason: reason, remedy: fix)
    }
    if let problem = JSONShape.check(bytes, maxDepth: maxDepth) { throw bad(problem) }
    let data = Data(bytes)
    let probe: SchemaProbe
    do {
      probe = try JSONDecoder().decode(SchemaProbe.self, from: data)
    } catch DecodingError.typeMismatch {
      throw bad("not a threadprof snapshot (the top level is not a JSON object)")
    } catch {
      throw bad("not valid JSON")
    }
    guard let schema = probe.schema else {
      throw bad("not a threadprof snapshot (no \"schema\" field)")
    }
    let prefix = "threadprof.snapshot/"
    guard schema.hasPrefix(prefix), let version = Int(schema.dropFirst(prefix.count)) else {
      throw bad("not a threadprof snapshot (schema is '\(schema.prefix(60))')")
    }
    if version > Snapshot.readableVersions.upperBound {
      throw bad(
        "written by a newer threadprof (schema \(schema); this version reads up to "
          + "\(prefix)\(Snapshot.readableVersions.upperBound))",
        "upgrade threadprof to read it")
    }
    guard Snapshot.readableVersions.contains(version) else {
      throw bad("schema \(schema) is no longer readable")
    }
    do {
      let snapshot = try JSONDecoder().decode(Snapshot.self, from: data)
      // Counts are summed and subtracted by diff and check: one past what
      // any process can hold (or negative) would overflow, not compare.
      if let i = snapshot.clusters.firstIndex(where: { !(0...maxCount).contains($0.count) }) {
        throw bad("field 'clusters[\(i)].count' is out of range (\(snapshot.clusters[i].count))")
      }
      return snapshot
    } catch let error as DecodingError {
      throw bad(describe(error))
    }
  }

  /// The largest cluster count accepted: the kernel's pid limit
  /// (`PID_MAX_LIMIT`, 2^22), which no process's thread count can pass.
  public static let maxCount = 1 << 22

  /// One line for a decoding failure: which field, what was wrong.
  static func describe(_ error: DecodingError) -> String {
    func dotted(_ path: [any CodingKey]) -> String {
      let parts = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
      let joined = parts.joined()
      return joined.hasPrefix(".") ? String(joined.dropFirst()) : joined
    }
    switch error {
    case .keyNotFound(let key, let ctx):
      let field = dotted(ctx.codingPath + [key])
      return "missing required field '\(field)'"
    case .valueNotFound(_, let ctx):
      return "required field '\(dotted(ctx.codingPath))' is null"
    case .typeMismatch(let type, let ctx):
      return "field '\(dotted(ctx.codingPath))' is not a \(typeName(type))"
    case .dataCorrupted(let ctx):
      let field = dotted(ctx.codingPath)
      return field.isEmpty ? "not valid JSON" : "field '\(field)' is invalid"
    @unknown default:
      return "not a threadprof snapshot"
    }
  }

  static func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: return "string"
    case is Bool.Type: return "boolean"
    case is Int.Type, is Int32.Type, is UInt64.Type, is Double.Type: return "number"
    default:
      let name = String(describing: type)
      return name.hasPrefix("Array") ? "list" : "object"
    }
  }

  private struct SchemaProbe: Decodable {
    var schema: String?
  }

  /// The file's bytes, refusing a missing, unreadable or oversized file (a
  /// regular file before reading it) and a directory.
  public static func read(path: String) throws -> [UInt8] {
    // O_NONBLOCK: a FIFO given by mistake must not block the open until
    // some writer appears.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else {
      let err = errno
      if err == ENOENT || err == ENOTDIR { throw ThreadprofError.noSuchFile(path: path) }
      if err == EACCES {
        throw ThreadprofError.permissionDenied(
          what: "cannot open \(path)", remedy: "check the file's permissions")
      }
      throw ThreadprofError.system(what: "cannot open \(path)", errno: err)
    }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      throw ThreadprofError.system(what: "cannot stat \(path)", errno: errno)
    }
    let kind = st.st_mode & S_IFMT
    if kind == S_IFDIR {
      throw ThreadprofError.badData(path: path, reason: "is a directory", remedy: remedy)
    }
    func tooLarge(_ bytes: Int) -> ThreadprofError {
      .badData(
        path: path, reason: "too large (\(bytes >> 20) MiB, limit \(maxBytes >> 20) MiB)",
        remedy: remedy)
    }
    // A regular file is sized up front; a pipe (`<(threadprof snapshot …)`)
    // is read until end of file or one byte past the limit.
    let regular = kind == S_IFREG
    if regular && st.st_size > maxBytes { throw tooLarge(Int(st.st_size)) }
    if !regular {
      // Opening did not wait for a writer; reading does: a pipe whose
      // writer is still working blocks until data or end of file, and a
      // FIFO nobody writes to reads as empty at once.
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    }
    var out = [UInt8](repeating: 0, count: regular ? Int(st.st_size) : 1 << 16)
    var done = 0
    while true {
      if done == out.count {
        guard !regular else { break }
        // The buffer never grows past the limit plus one byte: filling
        // that last byte is proof enough the input is too large.
        guard done <= maxBytes else { throw tooLarge(done) }
        out.append(contentsOf: [UInt8](repeating: 0, count: min(out.count, maxBytes + 1 - done)))
      }
      let n = out.withUnsafeMutableBytes { buf in
        Glibc.read(fd, buf.baseAddress! + done, buf.count - done)
      }
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else {
        throw ThreadprofError.system(what: "cannot read \(path)", errno: errno)
      }
      if n == 0 { break }
      done += n
    }
    if done > maxBytes { throw tooLarge(done) }
    out.removeSubrange(done...)
    return out
  }
}
