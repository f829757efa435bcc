// Frames outside ordinary files: perf-map JIT code, anonymous memory, the
// vdso, the signal trampoline, and addresses mapped nowhere.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct SpecialMemoryTests {
  @Test func namesJITCodeFromThePerfMapAndRereadsItWhenItGrows() throws {
    let bin = try TargetBuilder.build("symtarget.c")
    let t = try SymTarget(bin)
    let anon = t["anon"]
    let mapPath = "/tmp/perf-\(t.pid).map"
    defer { try? FileManager.default.removeItem(atPath: mapPath) }
    let hex = { (v: UInt64) in String(v, radix: 16) }
    try "\(hex(anon)) 40 jitted_entry\n".write(toFile: mapPath, atomically: true, encoding: .utf8)
    let symbolizer = try Symbolizer(pid: t.pid)
    let first = symbolizer.symbolize([
      RawFrame(ip: anon + 0x10, exactPC: true), RawFrame(ip: anon + 0x101),
    ])
    #expect(first[0].kind == .jit)
    #expect(first[0].function == "jitted_entry")
    #expect(first[0].module == "[jit]")
    #expect(first[0].offset == 0x10)
    // Not covered by the map: anonymous, named relative to the mapping.
    #expect(first[1].kind == .anon)
    #expect(first[1].function == nil)
    #expect(first[1].module == "[anon]")
    #expect(first[1].symbol == "[anon]+0x101")
    #expect(first[1].symbolicKey == "[anon]")

    let handle = try #require(FileHandle(forWritingAtPath: mapPath))
    handle.seekToEndOfFile()
    handle.write(Data("0x\(hex(anon + 0x100)) 0x20 Interpreter::loop(int)\n".utf8))
    try handle.close()
    let second = symbolizer.symbolize([RawFrame(ip: anon + 0x101)])
    #expect(second.map(\.function) == ["Interpreter::loop(int)"])
    #expect(second.first?.kind == .jit)
  }

  @Test func namesVDSOFunctionsFromTheTargetsImage() throws {
    let bin = try TargetBuilder.build("symtarget.c")
    let t = try SymTarget(bin)
    let maps = try String(contentsOfFile: "/proc/\(t.pid)/maps", encoding: .utf8)
    let line = try #require(maps.split(separator: "\n").first { $0.hasSuffix("[vdso]") })
    let vdso = try #require(MemoryMap.parseLine(line))
    let symbolizer = try Symbolizer(pid: t.pid)
    let raw = stride(from: vdso.start, to: vdso.end, by: 8).map {
      RawFrame(ip: $0, exactPC: true)
    }
    let frames = symbolizer.symbolize(raw)
    #expect(frames.allSatisfy { $0.module == "[vdso]" })
    let names = Set(frames.compactMap(\.function))
    #expect(names.contains { $0.contains("clock_gettime") })
    let info = try #require(symbolizer.modules.first { $0.path == "[vdso]" })
    #expect(info.symbols == "dynsym")
    #expect(info.buildID != nil)
    #expect(info.loadBias != nil)
  }

  @Test func signalTrampolineFrameIsMarked() throws {
    let bin = try TargetBuilder.build("symtarget.c")
    let t = try SymTarget(bin)
    let symbolizer = try Symbolizer(pid: t.pid)
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["restorer"], isSignalFrame: true), RawFrame(ip: t["alpha"], exactPC: true),
    ])
    #expect(frames.count == 2)
    #expect(frames[0].kind == .signal)
    #expect(frames[0].function == "__restore_rt")
    #expect(frames[0].module?.contains("libc") == true)
    #expect(frames[0].symbolicKey == "[signal]")
    // The frame the signal interrupted is looked up at its exact PC.
    #expect(frames[1].function == "sym_alpha")
    #expect(frames[1].offset == 0)
  }

  @Test func unmappedAddressGivesABareFrame() throws {
    let bin = try TargetBuilder.build("symtarget.c")
    let t = try SymTarget(bin)
    let symbolizer = try Symbolizer(pid: t.pid)
    let frames = symbolizer.symbolize([RawFrame(ip: 0x10, exactPC: true)])
    #expect(frames.count == 1)
    #expect(frames[0].module == nil)
    #expect(frames[0].function == nil)
    #expect(frames[0].symbol == "0x10")
  }
}
