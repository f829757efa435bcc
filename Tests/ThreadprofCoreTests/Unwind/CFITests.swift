// CASE-11: code with .eh_frame, with only .debug_frame, and with no CFI at
// all, in shared libraries built without frame pointers.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.serialized) struct CFITests {
  /// Builds the three libdeep copies and verifies with readelf that each
  /// has exactly the unwind sections the test is about.
  static func libraries() throws -> (eh: String, dbg: String, none: String) {
    let common = ["-O2", "-fomit-frame-pointer", "-shared", "-fPIC"]
    let eh = try TargetBuilder.build(
      "libdeep.c", flags: common + ["-fasynchronous-unwind-tables"], output: "libdeep.so")
    let noTables = ["-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]
    let dbg = try TargetBuilder.build(
      "libdeep.c", flags: common + noTables + ["-g"], output: "libdeep_nocfi.so")
    let none = try TargetBuilder.build(
      "libdeep.c", flags: common + noTables, output: "libdeep_nocfi2.so")
    _ = try run("/usr/bin/strip", [none])
    func sections(_ path: String) throws -> String {
      try run("/usr/bin/readelf", ["-SW", path]).stdout
    }
    #expect(try sections(eh).contains(".eh_frame_hdr"))
    #expect(try !sections(dbg).contains(".eh_frame_hdr"))
    #expect(try sections(dbg).contains(".debug_frame"))
    #expect(try !sections(none).contains(".eh_frame_hdr"))
    #expect(try !sections(none).contains(".debug_frame"))
    return (eh, dbg, none)
  }

  @Test func ehFrameDebugFrameAndNoCFI() throws {
    let libs = try Self.libraries()
    let bin = try TargetBuilder.build("cfi_main.c", flags: ["-O1", "-g"], linkFlags: ["-ldl"])
    let exe = (bin as NSString).lastPathComponent
    let target = try LiveTarget(bin, [libs.eh, libs.dbg, libs.none])
    let ready = target.lines.last?.split(separator: " ").compactMap { Int32($0) } ?? []
    try #require(ready.count == 4)
    let (tEh, tDbg, tNone) = (ready[1], ready[2], ready[3])
    let collector = try StackCollector(pid: target.pid)
    let result = collector.collect(tids: target.tids)
    #expect(result.failed.isEmpty)
    let sym = try TestSymbols(pid: target.pid)
    func shown(_ s: UnwoundStack) -> [String] {
      s.frames.map { sym.module($0) == "libc.so.6" ? "libc.so.6" : sym.name($0) }
    }
    func chain(_ lib: String) -> [String] {
      [
        "libc.so.6", lib + "!deep_c", lib + "!deep_b", lib + "!deep_a", exe + "!thread_main",
        "libc.so.6", "libc.so.6",
      ]
    }
    let eh = try #require(result.stacks[tEh])
    #expect(shown(eh) == chain("libdeep.so"))
    #expect(eh.truncated == nil)

    let dbg = try #require(result.stacks[tDbg])
    #expect(shown(dbg) == chain("libdeep_nocfi.so"))
    #expect(dbg.truncated == nil)

    // Whatever prefix has CFI, then an explicit marker: never a frame
    // guessed from %rbp.
    let none = try #require(result.stacks[tNone])
    #expect(shown(none) == ["libc.so.6", "libdeep_nocfi2.so!deep_c"])
    #expect(none.truncated == "no-cfi")
    #expect(target.stoppedOrTraced().isEmpty)
  }
}
