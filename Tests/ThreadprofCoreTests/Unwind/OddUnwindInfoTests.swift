// Unwind info that would crash or hang a naive unwinder: an .eh_frame_hdr
// encoding libunwind aborts on, and CFI that sends the walk round a cycle.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite(.serialized) struct OddUnwindInfoTests {
  /// libdeep.so with its .eh_frame_hdr table encoding byte changed from
  /// datarel|sdata4 to pcrel|sdata4: libunwind 1.6 calls abort() on it.
  static func oddHeaderLibrary() throws -> String {
    let lib = try TargetBuilder.build(
      "libdeep.c", flags: ["-O2", "-fomit-frame-pointer", "-shared", "-fPIC"],
      output: "libdeep_oddhdr.so")
    let sections = try run("/usr/bin/readelf", ["-SW", lib]).stdout
    let line = try #require(
      sections.split(separator: "\n").first { $0.contains(".eh_frame_hdr") })
    let fields = line.split(separator: "]").last!.split(separator: " ")
    let offset = try #require(UInt64(fields[3], radix: 16))
    let file = try #require(FileHandle(forUpdatingAtPath: lib))
    try file.seek(toOffset: offset + 3)
    try file.write(contentsOf: Data([0x1b]))
    try file.close()
    return lib
  }

  @Test func unusualEhFrameHdrEncodingEndsTheStackInsteadOfAborting() throws {
    let odd = try Self.oddHeaderLibrary()
    let (eh, _, none) = try CFITests.libraries()
    let bin = try TargetBuilder.build("cfi_main.c", flags: ["-O1", "-g"], linkFlags: ["-ldl"])
    let target = try LiveTarget(bin, [eh, odd, none])
    let ready = target.lines.last?.split(separator: " ").compactMap { Int32($0) } ?? []
    try #require(ready.count == 4)
    let collector = try StackCollector(pid: target.pid)
    let result = collector.collect(tids: target.tids)
    let sym = try TestSymbols(pid: target.pid)
    let stack = try #require(result.stacks[ready[2]])
    #expect(stack.frames.map(sym.name) == ["libc.so.6!read", "libdeep_oddhdr.so!deep_c"])
    #expect(stack.truncated == "no-cfi")
    // The module with a normal header still unwinds fully.
    #expect(result.stacks[ready[1]]?.truncated == nil)
    #expect(target.stoppedOrTraced().isEmpty)
  }

  @Test func cyclicUnwindInfoIsCutAsALoop() throws {
    let bin = try TargetBuilder.build("loopframe.c", flags: ["-O1", "-g"])
    let exe = (bin as NSString).lastPathComponent
    let target = try LiveTarget(bin)
    let ready = target.lines.last?.split(separator: " ").compactMap { Int32($0) } ?? []
    try #require(ready.count == 2)
    let collector = try StackCollector(pid: target.pid)
    let result = collector.collect(tids: [ready[1]])
    let stack = try #require(result.stacks[ready[1]])
    let sym = try TestSymbols(pid: target.pid)
    #expect(stack.frames.map(sym.name) == [exe + "!loop_frame", exe + "!loop_partner"])
    #expect(stack.truncated == "loop")
    #expect(target.stoppedOrTraced().isEmpty)
  }
}
