// CASE-08: Stripped binaries: names from a debug file found by build-id or by
// .gnu_debuglink, and a mismatching debug file rejected.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct DebugFileTests {
  /// A stripped copy of symtarget in a fresh directory, with its debug
  /// file made by `objcopy --only-keep-debug`.
  struct Stripped {
    let dir: String
    let binary: String
    let debugFile: String
    let buildID: String
  }

  static func stripped(variant: Int = 0, debuglink: Bool = false) throws -> Stripped {
    let built = try TargetBuilder.build(
      "symtarget.c", flags: ["-O1", "-g", "-DVARIANT=\(variant)", "-Wl,--build-id"])
    let dir = try scratchDirectory("stripped")
    let binary = dir + "/stripdemo"
    let debugFile = dir + "/stripdemo.debug"
    try FileManager.default.copyItem(atPath: built, toPath: binary)
    _ = try tool("/usr/bin/objcopy", ["--only-keep-debug", binary, debugFile])
    _ = try tool("/usr/bin/strip", ["--strip-all", binary])
    if debuglink {
      _ = try tool("/usr/bin/objcopy", ["--add-gnu-debuglink=\(debugFile)", binary])
    }
    let notes = try tool("/usr/bin/readelf", ["-n", binary])
    let line = try #require(notes.split(separator: "\n").first { $0.contains("Build ID:") })
    let id = String(try #require(line.split(separator: " ").last))
    return Stripped(dir: dir, binary: binary, debugFile: debugFile, buildID: id)
  }

  @Test func strippedBinaryShowsModulePlusOffset() throws {
    let s = try Self.stripped()
    let t = try SymTarget(s.binary)
    let symbolizer = try Symbolizer(pid: t.pid, debugDirectories: [s.dir + "/none"])
    let frame = try #require(symbolizer.symbolize([RawFrame(ip: t["alpha"], exactPC: true)]).first)
    #expect(frame.function == nil)
    let module = try #require(symbolizer.modules.first { $0.path == s.binary })
    let offset = try #require(frame.fileOffset)
    #expect(frame.symbol == "stripdemo+0x" + String(offset, radix: 16))
    #expect(frame.symbolicKey == frame.symbol)
    #expect(frame.buildID == s.buildID)
    #expect(module.symbols == "dynsym")
    #expect(symbolizer.warnings == ["debug directory \(s.dir)/none does not exist"])
  }

  @Test func debugFileFoundByBuildID() throws {
    let s = try Self.stripped()
    let root = s.dir + "/debug"
    let idDir = root + "/.build-id/" + s.buildID.prefix(2)
    try FileManager.default.createDirectory(atPath: idDir, withIntermediateDirectories: true)
    let debugPath = idDir + "/" + s.buildID.dropFirst(2) + ".debug"
    try FileManager.default.moveItem(atPath: s.debugFile, toPath: debugPath)
    let t = try SymTarget(s.binary)
    let symbolizer = try Symbolizer(pid: t.pid, debugDirectories: [root])
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["ret"]),
    ])
    #expect(frames.map(\.function) == ["sym_alpha", "ends_in_call"])
    #expect(frames[0].file?.hasSuffix("symtarget.c") == true)
    let module = try #require(symbolizer.modules.first { $0.path == s.binary })
    #expect(module.symbols == "build-id:" + debugPath)
    #expect(module.buildID == s.buildID)
  }

  @Test func debugFileFoundByDebuglink() throws {
    let s = try Self.stripped(debuglink: true)
    let t = try SymTarget(s.binary)
    let symbolizer = try Symbolizer(pid: t.pid, debugDirectories: [])
    let frames = symbolizer.symbolize([RawFrame(ip: t["beta"], exactPC: true)])
    #expect(frames.map(\.function) == ["sym_beta"])
    let module = try #require(symbolizer.modules.first { $0.path == s.binary })
    #expect(module.symbols == "debuglink:/proc/\(t.pid)/root" + s.debugFile)
  }

  /// MiniDebugInfo: an xz-compressed ELF holding only function symbols in
  /// `.gnu_debugdata` of a stripped binary (Fedora's scheme).
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/xz")))
  func namesFromMiniDebugInfo() throws {
    let s = try Self.stripped()
    let built = try TargetBuilder.build(
      "symtarget.c", flags: ["-O1", "-g", "-DVARIANT=0", "-Wl,--build-id"])
    let nm = try tool("/usr/bin/nm", ["--format=posix", "--defined-only", built])
    let funcs = nm.split(separator: "\n").compactMap { line -> String? in
      let parts = line.split(separator: " ")
      return parts.count >= 2 && "TtWw".contains(parts[1]) ? String(parts[0]) : nil
    }
    try funcs.joined(separator: "\n").write(
      toFile: s.dir + "/funcs", atomically: true, encoding: .utf8)
    let mini = s.dir + "/mini"
    _ = try tool(
      "/usr/bin/objcopy", ["--strip-debug", "--keep-symbols=\(s.dir)/funcs", built, mini])
    _ = try tool("/usr/bin/xz", ["-f", mini])
    _ = try tool("/usr/bin/objcopy", ["--add-section", ".gnu_debugdata=\(mini).xz", s.binary])
    let t = try SymTarget(s.binary)
    let symbolizer = try Symbolizer(pid: t.pid, debugDirectories: [s.dir + "/none"])
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["ret"]),
    ])
    #expect(frames.map(\.function) == ["sym_alpha", "ends_in_call"])
    #expect(frames.allSatisfy { $0.file == nil })
    #expect(symbolizer.modules.first { $0.path == s.binary }?.symbols == "minidebuginfo")
  }

  @Test func mismatchingDebuglinkFileIsRejected() throws {
    let s = try Self.stripped(debuglink: true)
    // Another build (other code, other build-id) under the linked name.
    let other = try Self.stripped(variant: 1)
    #expect(other.buildID != s.buildID)
    try FileManager.default.removeItem(atPath: s.debugFile)
    try FileManager.default.copyItem(atPath: other.debugFile, toPath: s.debugFile)
    let t = try SymTarget(s.binary)
    let symbolizer = try Symbolizer(pid: t.pid, debugDirectories: [])
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["beta"], exactPC: true),
      RawFrame(ip: t["ret"]),
    ])
    #expect(frames.allSatisfy { $0.function == nil && $0.module == s.binary })
    #expect(frames.allSatisfy { $0.symbol.hasPrefix("stripdemo+0x") })
    let module = try #require(symbolizer.modules.first { $0.path == s.binary })
    #expect(module.symbols == "dynsym")
    let warning = try #require(symbolizer.warnings.first)
    #expect(warning.contains(other.buildID) && warning.contains(s.buildID))
    #expect(symbolizer.warnings.count == 1)
  }
}
