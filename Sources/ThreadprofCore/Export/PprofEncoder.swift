// Snapshot -> pprof profile.proto (gzipped): one sample per cluster whose
// value is its thread count, like Go's goroutine profile.

/// Writes snapshots as pprof profiles that `go tool pprof` and pprof's web
/// UI read: sample type `threads`/`count`, one sample per cluster, every
/// frame a location (kernel frames in the `[kernel]` mapping), and labels
/// `thread_name`, `state`, `wchan`, `syscall` and `cluster` on each sample.
public enum PprofEncoder {
  /// The gzipped profile, ready to write to a `.pb.gz` file.
  public static func encode(_ snapshot: Snapshot) throws -> [UInt8] {
    try Gzip.compress(serialize(profile(from: snapshot)))
  }

  /// Builds the profile model for `snapshot`.
  public static func profile(from snapshot: Snapshot) -> PprofProfile {
    var b = Builder()
    var p = PprofProfile()
    p.sampleTypes = [.init(type: b.str("threads"), unit: b.str("count"))]
    p.periodType = .init(type: b.str("threads"), unit: b.str("count"))
    p.period = 1
    p.timeNanos = RFC3339.nanoseconds(snapshot.takenAt) ?? 0
    let proc = snapshot.process
    p.comments = [
      b.str("threadprof \(snapshot.tool.version) snapshot of pid \(proc.pid) (\(proc.name))"),
      b.str("grouped by \(snapshot.groupBy.rawValue); stacks \(snapshot.stacks ? "on" : "off")"),
    ]
    // pprof takes mapping 1 for the main binary: register the executable
    // first.
    let stacks = snapshot.clusters.map { ExportStack.frames(for: $0) }
    for frame in stacks.joined() where frame.module != nil && frame.module == proc.exe {
      _ = b.mapping(for: frame)
    }
    for (cluster, frames) in zip(snapshot.clusters, stacks) {
      let ids = b.locations(for: frames)
      var labels: [PprofProfile.Label] = []
      for name in cluster.names {
        labels.append(.init(key: b.str("thread_name"), str: b.str(name.pattern)))
      }
      let more: [(String, String?)] = [
        ("state", cluster.state), ("wchan", cluster.wchan), ("syscall", cluster.syscall),
        ("cluster", cluster.id),
      ]
      for (key, value) in more {
        if let value, !value.isEmpty { labels.append(.init(key: b.str(key), str: b.str(value))) }
      }
      p.samples.append(.init(locationIDs: ids, values: [Int64(cluster.count)], labels: labels))
    }
    p.mappings = b.mappings.map {
      var m = $0
      if m.memoryStart == UInt64.max { m.memoryStart = 0 }
      return m
    }
    p.locations = b.locations
    p.functions = b.functions
    p.strings = b.strings
    return p
  }

  /// The uncompressed profile.proto bytes of `p`.
  public static func serialize(_ p: PprofProfile) -> [UInt8] {
    var w = ProtoWriter()
    func valueType(_ field: Int, _ t: PprofProfile.ValueType) {
      w.message(field) {
        $0.int(1, t.type)
        $0.int(2, t.unit)
      }
    }
    for t in p.sampleTypes { valueType(1, t) }
    for s in p.samples {
      w.message(2) { m in
        m.packed(1, s.locationIDs)
        m.packed(2, s.values)
        for l in s.labels {
          m.message(3) {
            $0.int(1, l.key)
            $0.int(2, l.str)
            $0.int(3, l.num)
            $0.int(4, l.numUnit)
          }
        }
      }
    }
    for m in p.mappings {
      w.message(3) {
        $0.uint(1, m.id)
        $0.uint(2, m.memoryStart)
        $0.uint(3, m.memoryLimit)
        $0.uint(4, m.fileOffset)
        $0.int(5, m.filename)
        $0.int(6, m.buildID)
        $0.bool(7, m.hasFunctions)
        $0.bool(8, m.hasFilenames)
        $0.bool(9, m.hasLineNumbers)
        $0.bool(10, m.hasInlineFrames)
      }
    }
    for l in p.locations {
      w.message(4) { m in
        m.uint(1, l.id)
        m.uint(2, l.mappingID)
        m.uint(3, l.address)
        for line in l.lines {
          m.message(4) {
            $0.uint(1, line.functionID)
            $0.int(2, line.line)
          }
        }
        m.bool(5, l.isFolded)
      }
    }
    for f in p.functions {
      w.message(5) {
        $0.uint(1, f.id)
        $0.int(2, f.name)
        $0.int(3, f.systemName)
        $0.int(4, f.filename)
        $0.int(5, f.startLine)
      }
    }
    for s in p.strings { w.string(6, s) }
    w.int(7, p.dropFrames)
    w.int(8, p.keepFrames)
    w.int(9, p.timeNanos)
    w.int(10, p.durationNanos)
    if let t = p.periodType { valueType(11, t) }
    w.int(12, p.period)
    for c in p.comments { w.int(13, c) }
    w.int(14, p.defaultSampleType)
    return w.bytes
  }
}

/// Interns strings, functions, mappings and locations while samples are
/// added, so each appears once in the profile.
private struct Builder {
  var strings: [String] = [""]
  var stringIndex: [String: Int64] = ["": 0]
  var functions: [PprofProfile.Function] = []
  var functionIndex: [FunctionKey: UInt64] = [:]
  var mappings: [PprofProfile.Mapping] = []
  var mappingIndex: [String: Int] = [:]
  var locations: [PprofProfile.Location] = []
  var locationIndex: [[FrameKey]: UInt64] = [:]

  struct FunctionKey: Hashable {
    var name: String
    var file: String?
  }

  /// What makes two frames the same location: never the address alone,
  /// since kernel and made-up frames have none.
  struct FrameKey: Hashable {
    var kind: StackFrame.Kind
    var module: String?
    var address: UInt64
    var function: String?
    var line: Int?
  }

  mutating func str(_ s: String) -> Int64 {
    if let i = stringIndex[s] { return i }
    let i = Int64(strings.count)
    strings.append(s)
    stringIndex[s] = i
    return i
  }

  mutating func function(for frame: StackFrame) -> UInt64 {
    let name = frame.kind == .signal && frame.function == nil ? "[signal]" : frame.symbol
    let key = FunctionKey(name: name, file: frame.file)
    if let id = functionIndex[key] { return id }
    var f = PprofProfile.Function(id: UInt64(functions.count + 1))
    f.name = str(name)
    f.systemName = f.name
    if let file = frame.file { f.filename = str(file) }
    functions.append(f)
    functionIndex[key] = f.id
    return f.id
  }

  /// The mapping for a frame's module, widened to cover the frame. Start
  /// and limit come from the frames seen (the snapshot keeps no load
  /// ranges), with `file_offset` matching the lowest frame.
  mutating func mapping(for frame: StackFrame) -> UInt64 {
    let name = frame.kind == .kernel ? (frame.module ?? "[kernel]") : (frame.module ?? "[unknown]")
    let key = name + "\u{0}" + (frame.buildID ?? "")
    let i: Int
    if let found = mappingIndex[key] {
      i = found
    } else {
      var m = PprofProfile.Mapping(id: UInt64(mappings.count + 1))
      m.filename = str(name)
      if let id = frame.buildID { m.buildID = str(id) }
      m.hasFunctions = true
      m.memoryStart = UInt64.max
      mappings.append(m)
      i = mappings.count - 1
      mappingIndex[key] = i
    }
    var m = mappings[i]
    if frame.function == nil { m.hasFunctions = false }
    if frame.file != nil { m.hasFilenames = true }
    if frame.line != nil { m.hasLineNumbers = true }
    if frame.inlined { m.hasInlineFrames = true }
    if frame.address != 0 && frame.address < m.memoryStart {
      m.memoryStart = frame.address
      m.fileOffset = frame.fileOffset ?? 0
    }
    if frame.address != 0 { m.memoryLimit = max(m.memoryLimit, frame.address + 1) }
    mappings[i] = m
    return m.id
  }

  /// Location ids for `frames` (innermost first). Runs of inlined frames
  /// and the frame they sit in share one location with several lines.
  mutating func locations(for frames: [StackFrame]) -> [UInt64] {
    var ids: [UInt64] = []
    var group: [StackFrame] = []
    for frame in frames {
      group.append(frame)
      if frame.inlined { continue }
      ids.append(location(for: group))
      group = []
    }
    if !group.isEmpty { ids.append(location(for: group)) }
    return ids
  }

  private mutating func location(for group: [StackFrame]) -> UInt64 {
    let key = group.map {
      FrameKey(kind: $0.kind, module: $0.module, address: $0.address, function: $0.function,
        line: $0.line)
    }
    if let id = locationIndex[key] { return id }
    let outer = group[group.count - 1]
    var loc = PprofProfile.Location(id: UInt64(locations.count + 1))
    loc.mappingID = mapping(for: outer)
    for inner in group.dropLast() { _ = mapping(for: inner) }
    loc.address = outer.address
    loc.lines = group.map {
      PprofProfile.Line(functionID: function(for: $0), line: Int64($0.line ?? 0))
    }
    locations.append(loc)
    locationIndex[key] = loc.id
    return loc.id
  }
}
