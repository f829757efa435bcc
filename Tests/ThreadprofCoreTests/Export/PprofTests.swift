// pprof export: our decoder reads back what we write, the validity check
// rejects broken references, and Go's pprof reads our files.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct PprofTests {
  @Test func roundTripKeepsCountsFramesAndLabels() throws {
    let snap = ExportFixture.stacks
    let bytes = try PprofEncoder.encode(snap)
    #expect(Gzip.isGzip(bytes))
    let p = try PprofDecoder.decode(bytes)
    #expect(p.string(p.sampleTypes[0].type) == "threads")
    #expect(p.string(p.sampleTypes[0].unit) == "count")
    #expect(p.samples.map { $0.values } == [[8], [3], [3], [1]])
    #expect(p.samples.reduce(0) { $0 + $1.values[0] } == 15)
    let worker = p.functionNames(of: p.samples[0])
    #expect(worker == [
      "futex_wait_queue", "__futex_abstimed_wait_common", "pthread_cond_wait", "queue_pop",
      "worker_main", "start_thread", "clone3",
    ])
    // queue_pop was inlined into worker_main: one location with two lines.
    #expect(p.samples[0].locationIDs.count == 6)
    let reader = p.functionNames(of: p.samples[1])
    #expect(reader == ["pipe_read", "vfs_read", "read", "server+0x2200", "start_thread"])
    let labels = p.stringLabels(of: p.samples[1])
    #expect(labels.filter { $0.key == "thread_name" }.map(\.value) == ["reader;1", "odd\nname"])
    #expect(labels.contains { $0.key == "wchan" && $0.value == "pipe_read" })
    #expect(labels.contains { $0.key == "syscall" && $0.value == "read" })
    #expect(labels.contains { $0.key == "state" && $0.value == "S" })
    #expect(p.timeNanos == 1_796_399_125 * 1_000_000_000)
    // Kernel frames live in the [kernel] mapping, user frames in theirs.
    let names = p.mappings.map { p.string($0.filename) }
    #expect(Set(names) == ["[kernel]", ExportFixture.libc, ExportFixture.app])
    let appMapping = try #require(p.mappings.first { p.string($0.filename) == ExportFixture.app })
    #expect(p.string(appMapping.buildID) == "abc123")
    #expect(!appMapping.hasFunctions)  // one frame has no symbol
    #expect(appMapping.hasInlineFrames && appMapping.hasLineNumbers)
    // start_thread is shared by two stacks but written once.
    #expect(p.functions.filter { p.string($0.name) == "start_thread" }.count == 1)
  }

  @Test func waitSiteSnapshotsUseTheWaitSiteAsStack() throws {
    let p = try PprofDecoder.decode(try PprofEncoder.encode(ExportFixture.waitSites))
    #expect(p.samples.map { $0.values[0] } == [6, 2, 1, 1])
    #expect(p.functionNames(of: p.samples[0])
      == ["futex_wait_queue", "futex_wait", "do_futex", "syscall:futex"])
    #expect(p.functionNames(of: p.samples[1]) == ["pipe_read", "syscall:read"])
    #expect(p.functionNames(of: p.samples[2]) == ["running"])
    #expect(p.functionNames(of: p.samples[3]) == ["state:Z"])
  }

  @Test func ourProfileReadsBackAsASnapshotOfClusters() throws {
    let snap = ExportFixture.stacks
    let p = try PprofDecoder.decode(try PprofEncoder.encode(snap))
    let back = try PprofSnapshot.snapshot(from: p, source: "x.pb.gz")
    #expect(back.clusters.map(\.id) == snap.clusters.map(\.id))
    #expect(back.clusters.map(\.count) == snap.clusters.map(\.count))
    #expect(back.clusters.map(\.wchan) == snap.clusters.map(\.wchan))
    #expect(back.clusters[1].names.map(\.pattern) == ["reader;1", "odd\nname"])
    #expect(back.groupBy == .stack && back.process.pid == 4242)
    #expect(back.takenAt == snap.takenAt)
    #expect(back.clusters[0].stack?.map(\.symbol) == snap.clusters[0].stack?.map(\.symbol))
    // A profile from elsewhere (no cluster labels) is refused.
    var foreign = p
    foreign.samples[0].labels = []
    #expect(throws: ThreadprofError.self) {
      try PprofSnapshot.snapshot(from: foreign, source: "cpu.pb.gz")
    }
  }

  @Test func validityCheckRejectsBadReferences() throws {
    var p = PprofEncoder.profile(from: ExportFixture.stacks)
    try p.validate()
    var q = p
    q.samples[0].locationIDs.append(999)
    #expect(throws: ProtoError.self) { try q.validate() }
    q = p
    q.functions[0].name = Int64(p.strings.count)
    #expect(throws: ProtoError.self) { try q.validate() }
    q = p
    q.locations[1].id = q.locations[0].id
    #expect(throws: ProtoError.self) { try q.validate() }
    q = p
    q.samples[1].values = [1, 2]
    #expect(throws: ProtoError.self) { try q.validate() }
    p.strings[0] = "x"
    #expect(throws: ProtoError.self) { try p.validate() }
  }

  @Test func decoderRejectsTruncatedAndCorruptInput() throws {
    let raw = PprofEncoder.serialize(PprofEncoder.profile(from: ExportFixture.stacks))
    for cut in stride(from: 1, to: raw.count, by: 97) {
      // Every strict prefix either fails to parse or fails validation;
      // none may trap.
      _ = try? PprofDecoder.decode(Array(raw.prefix(cut)))
    }
    let half = Array(raw.prefix(raw.count / 2))
    #expect(throws: ThreadprofError.self) { try PprofDecoder.decode(half) }
    let gz = try PprofEncoder.encode(ExportFixture.stacks)
    let cut = Array(gz.prefix(gz.count - 9))
    #expect(throws: ThreadprofError.self) { try PprofDecoder.decode(cut) }
    #expect(throws: ThreadprofError.self) { try PprofDecoder.decode([0x0b, 0x01]) }
  }

  @Test func mutatedProfilesNeverTrapTheDecoder() {
    // A fixed-seed generator, so a failure reproduces.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(truncatingIfNeeded: state >> 33)
    }
    let raw = PprofEncoder.serialize(PprofEncoder.profile(from: ExportFixture.stacks))
    var accepted = 0
    for _ in 0..<3000 {
      var bytes = raw
      for _ in 0..<(1 + next() % 4) {
        let i = next() % bytes.count
        switch next() % 3 {
        case 0: bytes[i] = UInt8(truncatingIfNeeded: next())
        case 1: bytes.remove(at: i)
        default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: i)
        }
      }
      // Either a validated profile or a thrown error; never a trap.
      if let p = try? PprofDecoder.decode(bytes) {
        #expect((try? p.validate()) != nil)
        accepted += 1
      }
    }
    #expect(accepted < 3000)
  }

  @Test func varintsRoundTripAtTheEdges() throws {
    var w = ProtoWriter()
    let values: [UInt64] = [0, 1, 127, 128, 300, UInt64(UInt32.max), UInt64.max]
    w.packed(1, values)
    w.int(2, -1)
    var r = ProtoReader(w.bytes)
    let first = try #require(try r.next())
    #expect(try first.value.integers(field: 1) == values)
    let second = try #require(try r.next())
    #expect(Int64(bitPattern: try second.value.integer(field: 2)) == -1)
    #expect(try r.next() == nil)
  }
}
