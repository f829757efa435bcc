// Files seen through another mount namespace: opened under
// <procRoot>/<pid>/root, and module+offset when they cannot be opened.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct ContainerPathTests {
  /// A fake proc root for `t` whose maps name the binary `/opt/app/nsdemo`,
  /// a path that exists only under `<root>/<pid>/root` (when `provide`).
  static func fakeProc(_ t: SymTarget, provide: Bool) throws -> String {
    let proc = try scratchDirectory("proc")
    let pidDir = proc + "/\(t.pid)"
    try FileManager.default.createDirectory(
      atPath: pidDir + "/root/opt/app", withIntermediateDirectories: true)
    let maps = try String(contentsOfFile: "/proc/\(t.pid)/maps", encoding: .utf8)
    try maps.replacingOccurrences(of: t.binary, with: "/opt/app/nsdemo")
      .write(toFile: pidDir + "/maps", atomically: true, encoding: .utf8)
    if provide {
      try FileManager.default.copyItem(atPath: t.binary, toPath: pidDir + "/root/opt/app/nsdemo")
    }
    return proc
  }

  @Test func opensFilesUnderTheProcessRoot() throws {
    let t = try SymTarget(try TargetBuilder.build("symtarget.c"))
    let proc = try Self.fakeProc(t, provide: true)
    let symbolizer = try Symbolizer(pid: t.pid, procRoot: proc)
    let frames = symbolizer.symbolize([RawFrame(ip: t["alpha"], exactPC: true)])
    #expect(frames.map(\.function) == ["sym_alpha"])
    #expect(frames.first?.module == "/opt/app/nsdemo")
  }

  @Test func unopenableFileGivesModulePlusOffsetAndAWarning() throws {
    let t = try SymTarget(try TargetBuilder.build("symtarget.c"))
    let proc = try Self.fakeProc(t, provide: false)
    let symbolizer = try Symbolizer(pid: t.pid, procRoot: proc)
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["beta"], exactPC: true),
    ])
    #expect(frames.count == 2)
    #expect(frames.allSatisfy { $0.function == nil && $0.module == "/opt/app/nsdemo" })
    #expect(frames[0].symbol.hasPrefix("nsdemo+0x"))
    #expect(frames[1].fileOffset! - frames[0].fileOffset! == t["beta"] - t["alpha"])
    #expect(symbolizer.warnings.count == 1)
    #expect(symbolizer.warnings.first?.contains("cannot open /opt/app/nsdemo") == true)
    let module = try #require(symbolizer.modules.first)
    #expect(module.symbols == "none" && module.buildID == nil && module.loadBias == nil)
  }

  @Test func missingMapsIsNoSuchProcess() throws {
    let proc = try scratchDirectory("proc-empty")
    #expect(throws: ThreadprofError.noSuchProcess(pid: 4_000_000, hint: nil)) {
      try Symbolizer(pid: 4_000_000, procRoot: proc)
    }
  }
}
