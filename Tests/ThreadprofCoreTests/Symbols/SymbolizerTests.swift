// Live symbolization of a running target's own functions: PIE and non-PIE,
// return addresses, inlined frames, deleted executables, ASLR stability.
import Foundation
import Synchronization
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct SymbolizerTests {
  static let flags = ["-O2", "-g"]

  @Test(arguments: [["-fPIE", "-pie"], ["-fno-PIE", "-no-pie"]])
  func namesTheTargetsOwnFunctions(pieFlags: [String]) throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags + pieFlags)
    let t = try SymTarget(bin)
    let symbolizer = try Symbolizer(pid: t.pid)
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["beta"] + 4, exactPC: true),
    ])
    #expect(frames.map(\.function) == ["sym_alpha", "sym_beta"])
    #expect(frames.map(\.offset) == [0, 4])
    #expect(frames.allSatisfy { $0.module == bin && $0.kind == .user && $0.file != nil })
    let module = try #require(symbolizer.modules.first { $0.path == bin })
    #expect(module.symbols == "symtab")
    #expect(module.buildID?.count == 40)
    #expect(frames[0].buildID == module.buildID)
    let bias = try #require(module.loadBias)
    if pieFlags.contains("-pie") {
      #expect(bias != 0)
    } else {
      #expect(bias == 0)
    }
    // The file offset is where the function's bytes sit in the file.
    let nm = try tool("/usr/bin/nm", [bin])
    let line = try #require(nm.split(separator: "\n").first { $0.hasSuffix(" T sym_alpha") })
    let vaddr = try #require(UInt64(line.split(separator: " ")[0], radix: 16))
    #expect(t["alpha"] == vaddr &+ bias)
    #expect(frames[0].fileOffset == vaddr - (pieFlags.contains("-pie") ? 0 : 0x400000))
  }

  @Test func returnAddressesAreLookedUpAtTheCall() throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags)
    let t = try SymTarget(bin)
    let symbolizer = try Symbolizer(pid: t.pid)
    // `ret` is one past ends_in_call's last byte (a call to a noreturn
    // function): only the ip-1 lookup names the caller.
    let asReturn = symbolizer.symbolize([RawFrame(ip: t["ret"])])
    let asExact = symbolizer.symbolize([RawFrame(ip: t["ret"], exactPC: true)])
    #expect(asReturn.last?.function == "ends_in_call")
    #expect(asReturn.last?.offset == t["ret"] - t["tail"])
    #expect(asExact.last?.function != "ends_in_call")
    #expect(asReturn.last?.address == t["ret"])
  }

  @Test func expandsInlinedFramesWithFileAndLine() throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags)
    let t = try SymTarget(bin)
    let symbolizer = try Symbolizer(pid: t.pid)
    let frames = symbolizer.symbolize([RawFrame(ip: t["inline_pc"], exactPC: true)])
    try #require(frames.count == 2)
    #expect(frames[0].function == "inner_helper")
    #expect(frames[0].inlined)
    #expect(frames[0].line == Int(t["inline_line"]))
    #expect(frames[0].file?.hasSuffix("symtarget.c") == true)
    #expect(frames[1].function == "outer_noinline")
    #expect(!frames[1].inlined)
    #expect(frames[1].line == Int(t["call_line"]))
    let bias = try #require(symbolizer.modules.first { $0.path == bin }?.loadBias)
    let outer = try #require(try nmAddress(bin, "outer_noinline"))
    #expect(frames[1].offset == t["inline_pc"] - (outer + bias))
    #expect(frames[0].address == frames[1].address)
  }

  @Test func deletedExecutableStillSymbolizes() throws {
    let built = try TargetBuilder.build("symtarget.c", flags: Self.flags)
    let dir = try scratchDirectory("deleted")
    let copy = dir + "/symtarget-copy"
    try FileManager.default.copyItem(atPath: built, toPath: copy)
    let t = try SymTarget(copy)
    try FileManager.default.removeItem(atPath: copy)
    // A different file now sits at the old path: its names must not be used.
    let other = try TargetBuilder.build("parked.c")
    try FileManager.default.copyItem(atPath: other, toPath: copy)
    let maps = try String(contentsOfFile: "/proc/\(t.pid)/maps", encoding: .utf8)
    #expect(maps.contains(copy + " (deleted)"))
    let symbolizer = try Symbolizer(pid: t.pid)
    let frames = symbolizer.symbolize([RawFrame(ip: t["alpha"], exactPC: true)])
    #expect(frames.map(\.function) == ["sym_alpha"])
    #expect(frames.first?.module == copy)
    #expect(symbolizer.warnings.isEmpty)
  }

  @Test func twoRunsGiveTheSameKeysAtDifferentAddresses() throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags + ["-fPIE", "-pie"])
    var keys: [[String]] = []
    var addresses: [UInt64] = []
    for _ in 0..<2 {
      let t = try SymTarget(bin)
      let symbolizer = try Symbolizer(pid: t.pid)
      let raw = [
        RawFrame(ip: t["inline_pc"], exactPC: true), RawFrame(ip: t["ret"]),
        RawFrame(ip: t["beta"] + 1), RawFrame(ip: t["restorer"], isSignalFrame: true),
      ]
      let frames = symbolizer.symbolize(raw)
      keys.append(frames.map(\.symbolicKey))
      addresses.append(t["alpha"])
      t.target.stop()
    }
    #expect(keys[0] == keys[1])
    #expect(addresses[0] != addresses[1])
    #expect(keys[0].first?.hasSuffix("!inner_helper") == true)
  }

  @Test func sharesParsedFilesAcrossSymbolizers() throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags)
    let t = try SymTarget(bin)
    let first = try Symbolizer(pid: t.pid)
    let second = try Symbolizer(pid: t.pid)
    _ = first.symbolize([RawFrame(ip: t["alpha"], exactPC: true)])
    _ = second.symbolize([RawFrame(ip: t["alpha"], exactPC: true)])
    let a = try #require(first.symbolFile(containing: t["alpha"]))
    let b = try #require(second.symbolFile(containing: t["alpha"]))
    #expect(a === b)
  }

  @Test func concurrentCallersGetTheSameFrames() throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags)
    let t = try SymTarget(bin)
    let raw = [
      RawFrame(ip: t["inline_pc"], exactPC: true), RawFrame(ip: t["ret"]),
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["restorer"], isSignalFrame: true),
    ]
    let expected = try Symbolizer(pid: t.pid).symbolize(raw)
    let shared = try Symbolizer(pid: t.pid)
    let results = Mutex<[[StackFrame]]>([])
    DispatchQueue.concurrentPerform(iterations: 16) { _ in
      let frames = shared.symbolize(raw)
      results.withLock { $0.append(frames) }
    }
    #expect(results.withLock { $0.count } == 16)
    #expect(results.withLock { $0.allSatisfy { $0 == expected } })
  }

  @Test func refreshSeesALibraryLoadedLater() throws {
    let lib = try TargetBuilder.build(
      "dlib.c", flags: ["-O1", "-g", "-shared", "-fPIC"], output: "libdlib-refresh.so")
    let bin = try TargetBuilder.build("dlopener.c")
    let target = try LiveTarget(bin, [lib])
    let symbolizer = try Symbolizer(pid: target.pid)
    target.signal(SIGUSR2)
    let line = try #require(target.readLine(startingWith: "loaded"))
    let address = try #require(UInt64(line.dropFirst("loaded ".count), radix: 16))
    #expect(address != 0)
    let raw = [RawFrame(ip: address, exactPC: true)]
    #expect(symbolizer.symbolize(raw).first?.function == nil)
    symbolizer.refresh()
    let frame = try #require(symbolizer.symbolize(raw).first)
    #expect(frame.function == "dlib_work")
    #expect(frame.module == lib)
  }

  @Test func goneProcessThrowsNoSuchProcess() throws {
    let bin = try TargetBuilder.build("symtarget.c", flags: Self.flags)
    let t = try SymTarget(bin)
    let pid = t.pid
    t.target.stop()
    #expect(throws: ThreadprofError.noSuchProcess(pid: pid, hint: nil)) {
      try Symbolizer(pid: pid)
    }
  }
}

/// The address `nm` gives for `symbol` in `binary` (its file's vaddr).
func nmAddress(_ binary: String, _ symbol: String) throws -> UInt64? {
  let nm = try tool("/usr/bin/nm", [binary])
  guard let line = nm.split(separator: "\n").first(where: { $0.hasSuffix(" " + symbol) }) else {
    return nil
  }
  return UInt64(line.split(separator: " ")[0], radix: 16)
}
