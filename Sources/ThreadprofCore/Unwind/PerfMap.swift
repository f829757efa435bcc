// JIT symbol names from a perf map file, /tmp/perf-<pid>.map.
import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#endif

/// A perf map: one `START SIZE name` line per JIT-compiled function, START
/// and SIZE in hex (with or without `0x`), the name running to the end of
/// the line. Read lazily on the first lookup and again whenever the file's
/// size changed, because JITs append to it while they run. Of several
/// candidate paths the first that exists is used.
final class PerfMap {
  struct Entry: Sendable, Hashable {
    var start: UInt64
    var size: UInt64
    var name: String
  }

  let candidates: [String]
  private var path = ""
  private var size: Int64 = -1
  private var entries: [Entry] = []

  init(candidates: [String]) { self.candidates = candidates }

  /// The entry whose range holds `address`, re-reading the file if needed.
  func lookup(_ address: UInt64) -> Entry? {
    reloadIfChanged()
    var low = 0
    var high = entries.count
    while low < high {
      let mid = (low + high) / 2
      if entries[mid].start <= address { low = mid + 1 } else { high = mid }
    }
    // Later lines win over earlier ones for the same start (re-JIT).
    guard low > 0 else { return nil }
    let entry = entries[low - 1]
    return address < entry.start &+ max(entry.size, 1) ? entry : nil
  }

  private func reloadIfChanged() {
    var st = stat()
    guard let found = candidates.first(where: { stat($0, &st) == 0 }) else {
      size = -1
      entries = []
      return
    }
    guard found != path || Int64(st.st_size) != size else { return }
    path = found
    guard case .success(let bytes) = WholeFile.read(path) else { return }
    size = Int64(st.st_size)
    entries = PerfMap.parse(String(decoding: bytes, as: UTF8.self))
  }

  /// Parses perf map text; lines that do not read as `START SIZE name` are skipped.
  static func parse(_ text: String) -> [Entry] {
    var result: [Entry] = []
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
      guard parts.count == 3, let start = hex(parts[0]), let size = hex(parts[1]) else {
        continue
      }
      result.append(Entry(start: start, size: size, name: String(parts[2])))
    }
    // A stable sort keeps file order among equal starts; lookup takes the last.
    return result.enumerated().sorted {
      ($0.element.start, $0.offset) < ($1.element.start, $1.offset)
    }.map(\.element)
  }

  private static func hex(_ text: Substring) -> UInt64? {
    let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : text
    return UInt64(digits, radix: 16)
  }
}
