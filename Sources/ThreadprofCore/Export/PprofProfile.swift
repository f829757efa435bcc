// pprof's profile.proto as plain values: what PprofEncoder writes and
// PprofDecoder reads, with the validity check both sides rely on.

/// A decoded `perftools.profiles.Profile`. String fields are indices into
/// `strings`, as on the wire; `string(_:)` resolves them.
public struct PprofProfile: Sendable, Hashable {
  public struct ValueType: Sendable, Hashable {
    public var type: Int64
    public var unit: Int64
    public init(type: Int64, unit: Int64) {
      self.type = type
      self.unit = unit
    }
  }

  /// A sample label: `str` or `num` (with `numUnit`) under `key`.
  public struct Label: Sendable, Hashable {
    public var key: Int64
    public var str: Int64
    public var num: Int64
    public var numUnit: Int64
    public init(key: Int64, str: Int64 = 0, num: Int64 = 0, numUnit: Int64 = 0) {
      self.key = key
      self.str = str
      self.num = num
      self.numUnit = numUnit
    }
  }

  public struct Sample: Sendable, Hashable {
    /// Leaf first.
    public var locationIDs: [UInt64]
    public var values: [Int64]
    public var labels: [Label]
    public init(locationIDs: [UInt64], values: [Int64], labels: [Label] = []) {
      self.locationIDs = locationIDs
      self.values = values
      self.labels = labels
    }
  }

  public struct Mapping: Sendable, Hashable {
    public var id: UInt64
    public var memoryStart: UInt64 = 0
    public var memoryLimit: UInt64 = 0
    public var fileOffset: UInt64 = 0
    public var filename: Int64 = 0
    public var buildID: Int64 = 0
    public var hasFunctions = false
    public var hasFilenames = false
    public var hasLineNumbers = false
    public var hasInlineFrames = false
    public init(id: UInt64) { self.id = id }
  }

  public struct Line: Sendable, Hashable {
    public var functionID: UInt64
    public var line: Int64
    public init(functionID: UInt64, line: Int64 = 0) {
      self.functionID = functionID
      self.line = line
    }
  }

  public struct Location: Sendable, Hashable {
    public var id: UInt64
    public var mappingID: UInt64 = 0
    public var address: UInt64 = 0
    /// Innermost (inlined) function first, the caller it sits in last.
    public var lines: [Line] = []
    public var isFolded = false
    public init(id: UInt64) { self.id = id }
  }

  public struct Function: Sendable, Hashable {
    public var id: UInt64
    public var name: Int64 = 0
    public var systemName: Int64 = 0
    public var filename: Int64 = 0
    public var startLine: Int64 = 0
    public init(id: UInt64) { self.id = id }
  }

  public var sampleTypes: [ValueType] = []
  public var samples: [Sample] = []
  public var mappings: [Mapping] = []
  public var locations: [Location] = []
  public var functions: [Function] = []
  /// The string table; entry 0 is always `""`.
  public var strings: [String] = [""]
  public var dropFrames: Int64 = 0
  public var keepFrames: Int64 = 0
  public var timeNanos: Int64 = 0
  public var durationNanos: Int64 = 0
  public var periodType: ValueType?
  public var period: Int64 = 0
  public var comments: [Int64] = []
  public var defaultSampleType: Int64 = 0

  public init() {}

  /// The string at `index`, or `""` when out of range (run `validate()`
  /// first to rule that out).
  public func string(_ index: Int64) -> String {
    guard index >= 0, index < strings.count else { return "" }
    return strings[Int(index)]
  }

  /// Checks what readers of the format rely on: the string table starts
  /// with `""`, every string index is in range, ids are nonzero and
  /// unique, every referenced id exists, and every sample has one value
  /// per sample type. Throws `ProtoError` naming the first violation.
  public func validate() throws {
    guard strings.first == "" else { throw ProtoError("string table does not start with \"\"") }
    func checkString(_ i: Int64, _ what: @autoclosure () -> String) throws {
      guard i >= 0, i < strings.count else {
        throw ProtoError("\(what()) names string \(i), table has \(strings.count)")
      }
    }
    func uniqueIDs(_ ids: [UInt64], _ what: String) throws -> Set<UInt64> {
      var seen = Set<UInt64>()
      for id in ids {
        guard id != 0 else { throw ProtoError("\(what) with id 0") }
        guard seen.insert(id).inserted else { throw ProtoError("duplicate \(what) id \(id)") }
      }
      return seen
    }
    for (i, t) in sampleTypes.enumerated() {
      try checkString(t.type, "sample_type \(i) type")
      try checkString(t.unit, "sample_type \(i) unit")
    }
    if let p = periodType {
      try checkString(p.type, "period_type type")
      try checkString(p.unit, "period_type unit")
    }
    for (i, c) in comments.enumerated() { try checkString(c, "comment \(i)") }
    try checkString(dropFrames, "drop_frames")
    try checkString(keepFrames, "keep_frames")
    try checkString(defaultSampleType, "default_sample_type")
    let mappingIDs = try uniqueIDs(mappings.map(\.id), "mapping")
    for m in mappings {
      try checkString(m.filename, "mapping \(m.id) filename")
      try checkString(m.buildID, "mapping \(m.id) build_id")
    }
    let functionIDs = try uniqueIDs(functions.map(\.id), "function")
    for f in functions {
      try checkString(f.name, "function \(f.id) name")
      try checkString(f.systemName, "function \(f.id) system_name")
      try checkString(f.filename, "function \(f.id) filename")
    }
    let locationIDs = try uniqueIDs(locations.map(\.id), "location")
    for l in locations {
      guard l.mappingID == 0 || mappingIDs.contains(l.mappingID) else {
        throw ProtoError("location \(l.id) names missing mapping \(l.mappingID)")
      }
      for line in l.lines where !functionIDs.contains(line.functionID) {
        throw ProtoError("location \(l.id) names missing function \(line.functionID)")
      }
    }
    for (i, s) in samples.enumerated() {
      guard s.values.count == sampleTypes.count else {
        throw ProtoError(
          "sample \(i) has \(s.values.count) values for \(sampleTypes.count) sample types")
      }
      for id in s.locationIDs where !locationIDs.contains(id) {
        throw ProtoError("sample \(i) names missing location \(id)")
      }
      for label in s.labels {
        try checkString(label.key, "sample \(i) label key")
        try checkString(label.str, "sample \(i) label value")
        try checkString(label.numUnit, "sample \(i) label unit")
      }
    }
  }

  /// A sample's stack as function names, leaf first (inlined functions
  /// expanded, innermost first), for tests and `check`.
  public func functionNames(of sample: Sample) -> [String] {
    let byLocation = Dictionary(locations.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let byFunction = Dictionary(functions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    var out: [String] = []
    for id in sample.locationIDs {
      guard let loc = byLocation[id] else { continue }
      for line in loc.lines {
        out.append(string(byFunction[line.functionID]?.name ?? 0))
      }
    }
    return out
  }

  /// A sample's string labels as (key, value) pairs, in order.
  public func stringLabels(of sample: Sample) -> [(key: String, value: String)] {
    sample.labels.filter { $0.str != 0 }.map { (string($0.key), string($0.str)) }
  }
}
