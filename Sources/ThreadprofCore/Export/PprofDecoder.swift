// pprof profile.proto reader: ours and Go's (packed or unpacked repeated
// fields, unknown fields skipped), gzipped or not, validated after parsing.

/// Reads pprof profiles.
public enum PprofDecoder {
  /// The most bytes a gzipped profile may inflate to (a guard against
  /// gzip bombs; real thread profiles are a few hundred KiB).
  public static let maxInflated = 256 << 20

  /// Decodes `bytes` (gzipped or raw profile.proto) and validates the
  /// result. `source` names the input in errors.
  public static func decode(_ bytes: [UInt8], source: String = "profile") throws -> PprofProfile {
    var raw = bytes
    if Gzip.isGzip(bytes) {
      guard let inflated = Gzip.decompress(bytes, limit: maxInflated) else {
        throw bad(source, "corrupt or truncated gzip data, or larger than 256 MiB inflated")
      }
      raw = inflated
    }
    do {
      let profile = try parse(raw)
      try profile.validate()
      return profile
    } catch let error as ProtoError {
      throw bad(source, "not a valid pprof profile: \(error.description)")
    }
  }

  private static func bad(_ source: String, _ reason: String) -> ThreadprofError {
    .badData(
      path: source, reason: reason,
      remedy: "write one with 'threadprof snapshot --format pprof'")
  }

  /// Parses without validating (for tests of `validate()` itself).
  public static func parse(_ bytes: [UInt8]) throws -> PprofProfile {
    var p = PprofProfile()
    p.strings = []
    var r = ProtoReader(bytes)
    while let (field, value) = try r.next() {
      switch field {
      case 1: p.sampleTypes.append(try valueType(value.payload(field: 1)))
      case 2: p.samples.append(try sample(value.payload(field: 2)))
      case 3: p.mappings.append(try mapping(value.payload(field: 3)))
      case 4: p.locations.append(try location(value.payload(field: 4)))
      case 5: p.functions.append(try function(value.payload(field: 5)))
      case 6:
        let b = try value.payload(field: 6)
        guard let s = String(validating: b, as: UTF8.self) else {
          throw ProtoError("string \(p.strings.count) is not UTF-8")
        }
        p.strings.append(s)
      case 7: p.dropFrames = try int(value, 7)
      case 8: p.keepFrames = try int(value, 8)
      case 9: p.timeNanos = try int(value, 9)
      case 10: p.durationNanos = try int(value, 10)
      case 11: p.periodType = try valueType(value.payload(field: 11))
      case 12: p.period = try int(value, 12)
      case 13: p.comments += try value.integers(field: 13).map { Int64(bitPattern: $0) }
      case 14: p.defaultSampleType = try int(value, 14)
      default: break
      }
    }
    if p.strings.isEmpty { p.strings = [""] }
    return p
  }

  private static func int(_ v: ProtoReader.Value, _ field: Int) throws -> Int64 {
    Int64(bitPattern: try v.integer(field: field))
  }

  private static func valueType(_ b: ArraySlice<UInt8>) throws -> PprofProfile.ValueType {
    var t = PprofProfile.ValueType(type: 0, unit: 0)
    var r = ProtoReader(b)
    while let (field, value) = try r.next() {
      if field == 1 { t.type = try int(value, 1) }
      if field == 2 { t.unit = try int(value, 2) }
    }
    return t
  }

  private static func sample(_ b: ArraySlice<UInt8>) throws -> PprofProfile.Sample {
    var s = PprofProfile.Sample(locationIDs: [], values: [])
    var r = ProtoReader(b)
    while let (field, value) = try r.next() {
      switch field {
      case 1: s.locationIDs += try value.integers(field: 1)
      case 2: s.values += try value.integers(field: 2).map { Int64(bitPattern: $0) }
      case 3:
        var l = PprofProfile.Label(key: 0)
        var lr = ProtoReader(try value.payload(field: 3))
        while let (lf, lv) = try lr.next() {
          switch lf {
          case 1: l.key = try int(lv, 1)
          case 2: l.str = try int(lv, 2)
          case 3: l.num = try int(lv, 3)
          case 4: l.numUnit = try int(lv, 4)
          default: break
          }
        }
        s.labels.append(l)
      default: break
      }
    }
    return s
  }

  private static func mapping(_ b: ArraySlice<UInt8>) throws -> PprofProfile.Mapping {
    var m = PprofProfile.Mapping(id: 0)
    var r = ProtoReader(b)
    while let (field, value) = try r.next() {
      switch field {
      case 1: m.id = try value.integer(field: 1)
      case 2: m.memoryStart = try value.integer(field: 2)
      case 3: m.memoryLimit = try value.integer(field: 3)
      case 4: m.fileOffset = try value.integer(field: 4)
      case 5: m.filename = try int(value, 5)
      case 6: m.buildID = try int(value, 6)
      case 7: m.hasFunctions = try value.integer(field: 7) != 0
      case 8: m.hasFilenames = try value.integer(field: 8) != 0
      case 9: m.hasLineNumbers = try value.integer(field: 9) != 0
      case 10: m.hasInlineFrames = try value.integer(field: 10) != 0
      default: break
      }
    }
    return m
  }

  private static func location(_ b: ArraySlice<UInt8>) throws -> PprofProfile.Location {
    var l = PprofProfile.Location(id: 0)
    var r = ProtoReader(b)
    while let (field, value) = try r.next() {
      switch field {
      case 1: l.id = try value.integer(field: 1)
      case 2: l.mappingID = try value.integer(field: 2)
      case 3: l.address = try value.integer(field: 3)
      case 4:
        var line = PprofProfile.Line(functionID: 0)
        var lr = ProtoReader(try value.payload(field: 4))
        while let (lf, lv) = try lr.next() {
          if lf == 1 { line.functionID = try lv.integer(field: 1) }
          if lf == 2 { line.line = try int(lv, 2) }
        }
        l.lines.append(line)
      case 5: l.isFolded = try value.integer(field: 5) != 0
      default: break
      }
    }
    return l
  }

  private static func function(_ b: ArraySlice<UInt8>) throws -> PprofProfile.Function {
    var f = PprofProfile.Function(id: 0)
    var r = ProtoReader(b)
    while let (field, value) = try r.next() {
      switch field {
      case 1: f.id = try value.integer(field: 1)
      case 2: f.name = try int(value, 2)
      case 3: f.systemName = try int(value, 3)
      case 4: f.filename = try int(value, 4)
      case 5: f.startLine = try int(value, 5)
      default: break
      }
    }
    return f
  }
}
