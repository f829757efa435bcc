// The streaming snapshot writer against the Codable encoding: same bytes,
// same parsed objects, on a live stack snapshot and on hostile ones.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct SnapshotWriterTests {
  /// Both encodings of `snap`, checked equal as bytes, as parsed JSON and
  /// through `SnapshotFile.decode`.
  func expectSame(_ snap: Snapshot, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let codable = try SnapshotJSON.encode(snap)
    let streamed = SnapshotJSON.document(snap)
    let parsedA = try JSONSerialization.jsonObject(with: Data(codable)) as? NSDictionary
    let parsedB = try JSONSerialization.jsonObject(with: Data(streamed)) as? NSDictionary
    #expect(parsedA != nil, sourceLocation: sourceLocation)
    #expect(parsedA == parsedB, sourceLocation: sourceLocation)
    if codable != streamed {
      let a = String(decoding: codable, as: UTF8.self).split(separator: "\n")
      let b = String(decoding: streamed, as: UTF8.self).split(separator: "\n")
      let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
      let lineA = i < a.count ? String(a[i]) : "<end>"
      let lineB = i < b.count ? String(b[i]) : "<end>"
      Issue.record(
        "first different line \(i): codable \(lineA) / streamed \(lineB)",
        sourceLocation: sourceLocation)
    }
    // In small pieces: the same bytes, and no piece much past the chunk.
    var pieces: [[UInt8]] = []
    SnapshotJSON.stream(snap, chunk: 1) { pieces.append($0) }
    #expect(Array(pieces.joined()) == streamed, sourceLocation: sourceLocation)
    #expect(pieces.count > 1, sourceLocation: sourceLocation)
    let back = try SnapshotFile.decode(streamed, path: "streamed.json")
    #expect(back == (try SnapshotFile.decode(codable, path: "codable.json")),
      sourceLocation: sourceLocation)
  }

  @Test func fixturesMatchTheCodableEncoding() throws {
    try expectSame(ExportFixture.stacks)
    try expectSame(ExportFixture.waitSites)
  }

  @Test func hostileValuesMatchTheCodableEncoding() throws {
    let weird = [
      "", "\u{0}\u{1}\u{7}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1b}\u{1f}\u{7f}",
      "quote\" back\\slash /slash", "ünï©ødé ☃ 😀 \u{2028}\u{2029}\u{feff}\u{ffff}",
      "/usr/lib/x86_64-linux-gnu/libc.so.6", String(repeating: "x", count: 3000),
    ]
    var threads: [ThreadRecord] = []
    for (i, text) in weird.enumerated() {
      let frame = StackFrame(
        address: UInt64.max - UInt64(i), module: text, buildID: i == 0 ? nil : text,
        fileOffset: i == 1 ? nil : UInt64.max, function: i == 2 ? nil : text,
        offset: i == 3 ? nil : 0, file: i % 2 == 0 ? text : nil,
        line: i == 4 ? nil : Int.max - i, inlined: i % 2 == 1,
        kind: [.user, .kernel, .signal, .jit, .anon][i % 5])
      threads.append(
        ThreadRecord(
          tid: i == 0 ? Int32.max : Int32.min + Int32(i), nsTids: [Int32.max, -1, 0],
          nameBytes: [[0xff, 0xfe, 0x41], [0xc3], Array(text.utf8.prefix(15)), [0x80, 0x0a],
            [], Array("w/\u{1}".utf8)][i],
          state: ["R", "S", "D", "Z", "t", "é"][i], ppid: -7, utimeTicks: UInt64.max,
          stimeTicks: 0, startTicks: UInt64(i), lastCPU: Int32.min, priority: -100,
          nice: 19, wchan: i == 0 ? nil : text,
          syscall: [nil, .running, SyscallState.none, .inSyscall(number: 202, name: "futex"),
            .inSyscall(number: Int.max, name: nil), .inSyscall(number: -5, name: text)][i],
          voluntarySwitches: i == 2 ? nil : UInt64.max, involuntarySwitches: i == 3 ? nil : 0,
          tgid: i == 4 ? nil : 1, kernelStack: i == 1 ? nil : (i == 2 ? [] : [text, "a"]),
          cpuSeconds: [0, 1e-9, 0.0005, 123456.789, 1e15, 12.5][i],
          ageSeconds: [.nan, .infinity, -0.0, 0.001, 99.999_9, 3.0][i],
          stack: i == 5 ? nil : (i == 4 ? [] : [frame, frame]),
          stackNote: i % 3 == 0 ? text : nil))
    }
    var clusters = Grouper(groupBy: .site).group(threads)
    clusters.append(
      Cluster(
        id: weird[2], count: 0, tids: [], names: [], state: nil, wchan: nil, syscall: nil,
        kernelStack: nil, stack: [], cpuSeconds: .nan, youngestSeconds: 1e-4,
        oldestSeconds: 5e20))
    for (i, text) in weird.enumerated() {
      let snap = Snapshot(
        takenAt: text, host: text, kernel: text,
        process: TargetProcess(
          pid: Int32.max, nsPids: i == 0 ? [] : [1, 2], name: text, exe: i == 1 ? nil : text,
          cmdline: i == 2 ? [] : [text, "", text]),
        groupBy: GroupBy.allCases[i % 4], stacks: i % 2 == 0,
        maxPauseMicros: i == 3 ? nil : Int.max - i, frozen: i == 1,
        threads: i == 5 ? [] : threads, clusters: i == 4 ? [] : clusters,
        skipped: Skipped(exited: i, unreadable: Int.max, unwindFailed: 0),
        warnings: i == 0 ? [] : [text, text],
        modules: [
          ModuleInfo(path: text, buildID: nil, symbols: "none", loadBias: nil),
          ModuleInfo(path: text, buildID: text, symbols: "symtab", loadBias: UInt64.max),
          ModuleInfo(path: text, buildID: nil, symbols: "dynsym", loadBias: 0),
        ])
      try expectSame(snap)
    }
  }

  @Test func aLiveStackSnapshotMatchesTheCodableEncoding() throws {
    let t = try LiveTarget(try TargetBuilder.build("parked.c"), ["2", "1", "1"])
    let snap = try LiveStackExportTests().stackSnapshot(t)
    #expect(t.stoppedOrTraced().isEmpty)
    #expect(snap.threads.contains { ($0.stack?.count ?? 0) > 3 })
    try expectSame(snap)
    var sites = snap
    sites.groupBy = .site
    sites.clusters = Grouper(groupBy: .site).group(snap.threads)
    for i in sites.threads.indices { sites.threads[i].stack = nil }
    try expectSame(sites)
  }
}
