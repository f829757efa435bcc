// The text formats symbolization reads: /proc/<pid>/maps lines, perf maps,
// and the JSON form of ModuleInfo.
import Foundation
import Testing

@testable import ThreadprofCore

@Suite struct MapParsingTests {
  @Test func parsesMapsLinesWithSpacesDeletedAndAnonymous() throws {
    let text = """
      00400000-00401000 r-xp 00001000 fe:00 16254113                   /opt/my app/bin (deleted)
      7f2a1c000000-7f2a1c028000 r--p 00000000 08:01 1835               /usr/lib/libc.so.6
      7ffd5b7f9000-7ffd5b7fb000 r-xp 00000000 00:00 0                  [vdso]
      7f0000000000-7f0000001000 rwxp 00000000 00:00 0 
      garbage line
      """
    let maps = MemoryMap.parse(text)
    #expect(maps.count == 4)
    #expect(maps[0].path == "/opt/my app/bin" && maps[0].deleted && maps[0].isFile)
    #expect(maps[0].offset == 0x1000 && maps[0].inode == 16_254_113 && maps[0].isExecutable)
    #expect(maps[1].path == "" && !maps[1].isFile)
    #expect(maps[2].path == "/usr/lib/libc.so.6" && !maps[2].isExecutable)
    #expect(maps[3].path == "[vdso]" && !maps[3].isFile)
    #expect(MemoryMap.find(0x7f2a1c000010, in: maps)?.path == "/usr/lib/libc.so.6")
    #expect(MemoryMap.find(0x7f2a1c028000, in: maps) == nil)
    #expect(MemoryMap.find(0x3fffff, in: maps) == nil)
  }

  @Test func parsesPerfMapsAndKeepsTheLastEntryForAStart() {
    let entries = PerfMap.parse(
      """
      7f0000001000 40 LazyCompile:~main file.js:1
      0x7f0000000000 0x20 stub
      not a line
      7f0000001000 80 Recompiled main
      """)
    #expect(entries.map(\.name) == ["stub", "LazyCompile:~main file.js:1", "Recompiled main"])
    #expect(entries[0].start == 0x7f00_0000_0000 && entries[0].size == 0x20)
  }

  @Test func perfMapLookupHonoursSizes() throws {
    let path = NSTemporaryDirectory() + "perf-test-\(UUID().uuidString).map"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "1000 10 first\n2000 10 second\n".write(toFile: path, atomically: true, encoding: .utf8)
    let map = PerfMap(candidates: [path + ".missing", path])
    #expect(map.lookup(0x1000)?.name == "first")
    #expect(map.lookup(0x100f)?.name == "first")
    #expect(map.lookup(0x1010) == nil)
    #expect(map.lookup(0x2005)?.name == "second")
    #expect(map.lookup(0xfff) == nil)
  }

  @Test func moduleInfoUsesSnakeCaseKeys() throws {
    let info = ModuleInfo(
      path: "/usr/lib/libc.so.6", buildID: "93ac61", symbols: "build-id:/x.debug",
      loadBias: 0x7f00_0000_0000)
    let json = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
    #expect(json.contains("\"build_id\":\"93ac61\""))
    #expect(json.contains("\"load_bias\":"))
    #expect(try JSONDecoder().decode(ModuleInfo.self, from: Data(json.utf8)) == info)
  }
}
