// Fuzzes the snapshot loader and diff on mutated snapshot files: byte
// flips, truncations, deep nesting, huge numbers and wrong types must give
// a snapshot or one badData error, and any snapshot must diff and render.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct SnapshotFileFuzzTests {
  /// Values that break decoders: extremes, wrong types, deep nesting.
  static func hostileValue(_ rng: inout SeededRandom) -> Any {
    switch Int.random(in: 0..<14, using: &rng) {
    case 0: return Int.max
    case 1: return Int.min
    case 2: return -1
    case 3: return 0
    case 4: return 1e300
    case 5: return -0.5
    case 6: return "\u{0}\u{ffff}\u{1F600}"
    case 7: return String(repeating: "x", count: Int.random(in: 0...5000, using: &rng))
    case 8: return NSNull()
    case 9: return true
    case 10: return [Any]()
    case 11: return [String: Any]()
    case 12:
      var v: Any = 1
      for _ in 0..<Int.random(in: 1...62, using: &rng) { v = [v] }
      return v
    default: return UInt64.max
    }
  }

  /// Replaces, deletes or duplicates one randomly chosen node of a parsed
  /// JSON tree.
  static func mutateTree(_ node: Any, _ rng: inout SeededRandom, depth: Int = 0) -> Any {
    let stop = Int.random(in: 0..<4, using: &rng) == 0 || depth > 8
    if var dict = node as? [String: Any], !dict.isEmpty {
      let key = dict.keys.sorted().randomElement(using: &rng)!
      if stop {
        if Bool.random(using: &rng) { dict[key] = hostileValue(&rng) } else { dict[key] = nil }
      } else {
        dict[key] = mutateTree(dict[key]!, &rng, depth: depth + 1)
      }
      return dict
    }
    if var list = node as? [Any], !list.isEmpty {
      let i = Int.random(in: 0..<list.count, using: &rng)
      if stop {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: list[i] = hostileValue(&rng)
        case 1: list.remove(at: i)
        default: list.append(contentsOf: Array(repeating: list[i], count: 50))
        }
      } else {
        list[i] = mutateTree(list[i], &rng, depth: depth + 1)
      }
      return list
    }
    return hostileValue(&rng)
  }

  /// Sets every value under `key`, anywhere in the tree, to `value` (one
  /// edit that reaches all clusters, e.g. every `count` at Int.max).
  static func setAll(_ node: Any, key: String, to value: Any) -> Any {
    if var dict = node as? [String: Any] {
      for (k, v) in dict { dict[k] = k == key ? value : setAll(v, key: key, to: value) }
      return dict
    }
    if let list = node as? [Any] { return list.map { setAll($0, key: key, to: value) } }
    return node
  }

  static let numericKeys = [
    "count", "cpu_seconds", "youngest_seconds", "oldest_seconds", "age_seconds", "tid", "pid",
    "utime_ticks", "start_ticks", "max_pause_us", "exited", "syscall_nr", "offset", "address",
  ]

  /// Loads `bytes`; a snapshot must diff against itself and a seed and
  /// render in every format. Returns whether it loaded.
  static func exercise(_ bytes: [UInt8], seeds: [Snapshot], seed: UInt64) -> Bool {
    let snap: Snapshot
    do {
      snap = try SnapshotFile.decode(bytes, path: "fuzz.json")
    } catch let error as ThreadprofError {
      guard case .badData = error else {
        Issue.record("seed \(seed): \(error) is not badData")
        return false
      }
      return false
    } catch {
      Issue.record("seed \(seed): untyped error \(error)")
      return false
    }
    _ = TextReport().render(snap)
    _ = try? SnapshotJSON.encode(snap)
    for other in [snap] + seeds {
      guard let diff = try? SnapshotDiff.compare(other, snap) else { continue }
      _ = DiffReport().text(diff, old: other, new: snap, oldPath: "a", newPath: "b")
      _ = try? DiffReport().json(diff, old: other, new: snap, oldPath: "a", newPath: "b")
    }
    return true
  }

  @Test func loaderAndDiffSurviveByteMutations() throws {
    let corpus = Fuzz.corpus("snapshot")
    #expect(corpus.count >= 3)
    let seeds = try corpus.map { try SnapshotFile.decode($0, path: "seed.json") }
    var loaded = 0
    Fuzz.run("snapshot-bytes", minimum: 30) { rng, seed in
      var bytes = corpus.randomElement(using: &rng)!
      if Bool.random(using: &rng) {
        bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
      } else {
        // Edits kept off whitespace-only bytes would be no-ops most times.
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
          bytes = Fuzz.mutate(bytes, &rng, others: corpus)
        }
      }
      if Self.exercise(bytes, seeds: seeds, seed: seed) { loaded += 1 }
    }
    print("snapshot byte fuzz: \(loaded) mutated files still loaded")
  }

  @Test func loaderAndDiffSurviveStructuralMutations() throws {
    let corpus = Fuzz.corpus("snapshot")
    let seeds = try corpus.map { try SnapshotFile.decode($0, path: "seed.json") }
    let trees = try corpus.map { try JSONSerialization.jsonObject(with: Data($0)) }
    var loaded = 0
    try Fuzz.run("snapshot-tree", minimum: 30) { rng, seed in
      var tree = trees.randomElement(using: &rng)!
      if Bool.random(using: &rng) {
        let key = Self.numericKeys.randomElement(using: &rng)!
        tree = Self.setAll(tree, key: key, to: Self.hostileValue(&rng))
      } else {
        for _ in 0..<Int.random(in: 1...4, using: &rng) { tree = Self.mutateTree(tree, &rng) }
      }
      guard JSONSerialization.isValidJSONObject(tree) else { return }
      let bytes = [UInt8](try JSONSerialization.data(withJSONObject: tree))
      if Self.exercise(bytes, seeds: seeds, seed: seed) { loaded += 1 }
    }
    // Most structural edits touch optional or loosely typed fields: a
    // loader that refuses everything would be too strict to be useful.
    #expect(loaded > 0, "no mutated snapshot ever loaded")
    print("snapshot tree fuzz: \(loaded) mutated files still loaded")
  }

  /// Nesting past the limit and numbers past Int: refused as badData.
  @Test func deepNestingAndHugeNumbersAreBadData() throws {
    let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
    #expect(throws: ThreadprofError.self) { try SnapshotFile.decode(deep, path: "deep.json") }
    let seed = try #require(Fuzz.corpus("snapshot").first)
    var text = String(decoding: seed, as: UTF8.self)
    let range = try #require(text.range(of: "\"count\" : "))
    text.insert(contentsOf: "99999999999999999999999999", at: range.upperBound)
    do {
      _ = try SnapshotFile.decode(Array(text.utf8), path: "huge.json")
      Issue.record("a count past Int loaded")
    } catch let error as ThreadprofError {
      #expect(error.exitCode == .dataError, "\(error)")
    }
  }
}

extension SnapshotFileFuzzTests {
  static func regression(_ name: String) throws -> [UInt8] {
    let path = Repo.fixtures + "/fuzz/snapshot-regressions/" + name
    return try #require(FileManager.default.contents(atPath: path).map { [UInt8]($0) })
  }

  /// Regression: cluster counts of Int.max / Int.min loaded, then diff's
  /// delta overflowed. Now refused as badData naming the field.
  @Test func countsOutOfRangeAreBadData() throws {
    for name in ["count-int-max.json", "count-int-min.json"] {
      do {
        _ = try SnapshotFile.decode(try Self.regression(name), path: name)
        Issue.record("\(name) loaded")
      } catch let error as ThreadprofError {
        #expect(error.exitCode == .dataError)
        #expect(error.message.contains("clusters[0].count' is out of range"), "\(error.message)")
      }
    }
  }

  /// Regression: 1e300 seconds in a loaded snapshot trapped converting to
  /// Int in the text report. Now rendered as a plain number.
  @Test func hugeSecondsRenderWithoutTrapping() throws {
    let snap = try SnapshotFile.decode(try Self.regression("seconds-1e300.json"), path: "s")
    let text = TextReport().render(snap)
    #expect(text.contains("cpu "))
    #expect(Formatting.cpu(-1e300) == "-1e+300s")
    #expect(Formatting.rounded(.nan, 2) == "nan")
    #expect(Formatting.age(1e300).hasSuffix("h"))
  }
}
