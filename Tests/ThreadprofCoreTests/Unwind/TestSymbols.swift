// Test-only frame naming: the module from /proc/<pid>/maps, the function
// from `nm` of that file. The real symbolizer lives elsewhere; tests of the
// unwinder must not depend on it.
import Foundation
import ThreadprofCore
import ThreadprofTestSupport

/// Names raw frames as `module!function` (`module!?` without a symbol).
final class TestSymbols {
  private struct Mapping {
    var start: UInt64
    var end: UInt64
    var offset: UInt64
    var path: String
  }
  private struct Symbol {
    var address: UInt64
    var size: UInt64
    var name: String
  }
  private var maps: [Mapping] = []
  private var symbols: [String: [Symbol]] = [:]
  private var loads: [String: [(offset: UInt64, vaddr: UInt64)]] = [:]

  /// Reads `/proc/<pid>/maps` once; call again after the target maps code.
  init(pid: Int32) throws {
    let text = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
    for line in text.split(separator: "\n") {
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 6, f[1].contains("x") else { continue }
      let range = f[0].split(separator: "-")
      guard let s = UInt64(range[0], radix: 16), let e = UInt64(range[1], radix: 16),
        let off = UInt64(f[2], radix: 16)
      else { continue }
      maps.append(Mapping(start: s, end: e, offset: off, path: f[5...].joined(separator: " ")))
    }
  }

  /// The module base name of the frame's address, or `?`.
  func module(_ frame: RawFrame) -> String {
    guard let m = mapping(lookupAddress(frame)) else { return "?" }
    return (m.path as NSString).lastPathComponent
  }

  func name(_ frame: RawFrame) -> String {
    let addr = lookupAddress(frame)
    guard let m = mapping(addr) else { return "?" }
    let base = (m.path as NSString).lastPathComponent
    let fileOffset = addr - m.start + m.offset
    guard m.path.hasPrefix("/"), let vaddr = virtualAddress(m.path, fileOffset) else {
      return base + "!?"
    }
    let hit = table(m.path).first { vaddr >= $0.address && vaddr < $0.address + $0.size }
    return base + "!" + (hit?.name ?? "?")
  }

  private func lookupAddress(_ frame: RawFrame) -> UInt64 {
    frame.exactPC ? frame.ip : frame.ip - 1
  }

  private func mapping(_ addr: UInt64) -> Mapping? {
    maps.first { addr >= $0.start && addr < $0.end }
  }

  /// Maps a file offset to the link-time address through the PT_LOADs.
  private func virtualAddress(_ path: String, _ offset: UInt64) -> UInt64? {
    if loads[path] == nil {
      var out: [(UInt64, UInt64)] = []
      let text = (try? run("/usr/bin/readelf", ["-lW", path]).stdout) ?? ""
      for line in text.split(separator: "\n") {
        let f = line.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 3, f[0] == "LOAD", let o = UInt64(f[1].dropFirst(2), radix: 16),
          let v = UInt64(f[2].dropFirst(2), radix: 16)
        else { continue }
        out.append((o, v))
      }
      loads[path] = out.map { (offset: $0.0, vaddr: $0.1) }
    }
    guard let seg = loads[path]?.last(where: { $0.offset <= offset }) else { return nil }
    return offset - seg.offset + seg.vaddr
  }

  private func table(_ path: String) -> [Symbol] {
    if let t = symbols[path] { return t }
    var out = parse((try? run("/usr/bin/nm", ["--defined-only", "-S", path]).stdout) ?? "")
    if out.isEmpty {
      out = parse((try? run("/usr/bin/nm", ["-D", "--defined-only", "-S", path]).stdout) ?? "")
    }
    symbols[path] = out
    return out
  }

  /// `nm -S` lines; of several names at one address (`__read`, `read`)
  /// the public one (no leading underscore) wins, so names are stable.
  private func parse(_ text: String) -> [Symbol] {
    let all: [Symbol] = text.split(separator: "\n").compactMap { line in
      let f = line.split(separator: " ")
      guard f.count == 4, "TtWw".contains(f[2]), let a = UInt64(f[0], radix: 16),
        let s = UInt64(f[1], radix: 16)
      else { return nil }
      let name = f[3].split(separator: "@").first.map(String.init) ?? String(f[3])
      return Symbol(address: a, size: s, name: name)
    }
    var best: [UInt64: Symbol] = [:]
    for sym in all {
      if let old = best[sym.address], !(old.name.hasPrefix("_") && !sym.name.hasPrefix("_")) {
        continue
      }
      best[sym.address] = sym
    }
    return best.values.sorted { $0.address < $1.address }
  }
}
