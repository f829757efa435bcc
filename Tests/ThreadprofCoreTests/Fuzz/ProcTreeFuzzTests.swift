// Fuzzes the whole snapshot path on captured /proc trees whose files are
// missing, empty, random, mutated, huge, directories, FIFOs or links to
// /dev/zero: every scan must end, with a snapshot or a ThreadprofError.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

@Suite struct ProcTreeFuzzTests {
  static let perThread = ["stat", "status", "syscall", "wchan", "stack"]

  /// What a file in the tree becomes.
  enum Damage: CaseIterable {
    case intact, missing, empty, noise, mutated, huge, directory, fifo, devZero, loop, dangling
  }

  @Test func snapshotsOfDamagedTreesEndCleanly() throws {
    let stats = Fuzz.corpus("stat")
    let corpus = ["status", "syscall", "stack"].reduce(into: [String: [[UInt8]]]()) {
      $0[$1] = Fuzz.corpus($1)
    }
    let base = TargetBuilder.scratch + "/tree-fuzz"
    try? FileManager.default.removeItem(atPath: base)
    defer { try? FileManager.default.removeItem(atPath: base) }
    var scans = 0
    var failures = 0
    // Fewer iterations than the parser fuzzers: each one writes a tree.
    let runs = try Fuzz.run("proc-tree", minimum: 30) { rng, seed in
      let root = base + "/\(seed)"
      let pid = Int32.random(in: 2...4_000_000, using: &rng)
      let tids = [pid] + (0..<Int.random(in: 0...6, using: &rng)).map { _ in
        Int32.random(in: 2...4_000_000, using: &rng)
      }
      let tree = Tree(root: root)
      tree.write("uptime", Array("\(Int.random(in: 0...99999, using: &rng)).25 10.00\n".utf8))
      tree.write("sys/kernel/hostname", Array("fuzz\n".utf8))
      tree.write("sys/kernel/osrelease", Array("6.1.0\n".utf8))
      func put(_ path: String, _ good: [UInt8], _ pool: [[UInt8]]) {
        let damage: Damage =
          Int.random(in: 0..<3, using: &rng) == 0
          ? Damage.allCases.randomElement(using: &rng)! : .intact
        tree.write(path, good, damage: damage, pool: pool, rng: &rng)
      }
      let statusText = Array("Name:\tx\nTgid:\t\(pid)\nNSpid:\t\(pid)\t1\n".utf8)
      put("\(pid)/status", statusText, corpus["status"]!)
      put("\(pid)/stat", statLine(pid, stats, &rng), stats)
      put("\(pid)/comm", Array("fuzz\n".utf8), [])
      put("\(pid)/cmdline", Array("/bin/fuzz\0-x\0".utf8), [])
      if Bool.random(using: &rng) {
        put("\(pid)/abi", Array(TargetABI.allCases.randomElement(using: &rng)!.rawValue.utf8), [])
      }
      for tid in tids {
        let dir = "\(pid)/task/\(tid)"
        put("\(dir)/stat", statLine(tid, stats, &rng), stats)
        put("\(dir)/status", Array("Tgid:\t\(pid)\nNSpid:\t\(tid)\n".utf8), corpus["status"]!)
        put("\(dir)/syscall", corpus["syscall"]!.randomElement(using: &rng)!, corpus["syscall"]!)
        put("\(dir)/wchan", Array("futex_wait_queue".utf8), [])
        put("\(dir)/stack", corpus["stack"]!.randomElement(using: &rng)!, corpus["stack"]!)
      }
      // Odd entries in task/: names that are not tids, a tid that is a file.
      for odd in ["abc", "-1", "99999999999", "0", "12x"]
      where Int.random(in: 0..<8, using: &rng) == 0 {
        tree.write("\(pid)/task/\(odd)/stat", statLine(7, stats, &rng))
      }
      if Int.random(in: 0..<8, using: &rng) == 0 { tree.write("\(pid)/task/424242", [1, 2]) }

      do {
        let options = SnapshotOptions(procRoot: root, kernelStacks: Bool.random(using: &rng))
        let snapshot = try SnapshotTaker(id: pid, options: options).take()
        scans += 1
        let tidsSeen = snapshot.threads.map(\.tid)
        #expect(Set(tidsSeen).count == tidsSeen.count, "seed \(seed): a tid twice")
        #expect(snapshot.clusters.reduce(0) { $0 + $1.count } == snapshot.threads.count,
          "seed \(seed)")
        _ = TextReport().render(snapshot)
        let json = try SnapshotJSON.encode(snapshot)
        let back = try JSONDecoder().decode(Snapshot.self, from: Data(json))
        #expect(back.threads.map(\.tid) == tidsSeen, "seed \(seed): JSON round trip")
        #expect(back.threads.map(\.nameBytes) == snapshot.threads.map(\.nameBytes),
          "seed \(seed): names survive JSON")
      } catch is ThreadprofError {
        failures += 1
      }
      try? FileManager.default.removeItem(atPath: root)
    }
    #expect(runs >= 30)
    // Most trees are only lightly damaged: a fuzzer that never gets a
    // snapshot through tests nothing past the first file.
    #expect(scans > failures / 4, "\(scans) snapshots, \(failures) refusals")
  }

  /// A plausible stat line for `tid`, usually a corpus line with the pid
  /// and a random name spliced in.
  func statLine(_ tid: Int32, _ stats: [[UInt8]], _ rng: inout SeededRandom) -> [UInt8] {
    let line = stats.randomElement(using: &rng)!
    guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return line }
    let name = (0..<Int.random(in: 0...15, using: &rng)).map { _ in
      UInt8.random(in: 1...255, using: &rng)
    }
    return Array("\(tid) (".utf8) + name + line[close...]
  }
}

/// Writes files under a root, damaged on request.
struct Tree {
  let root: String

  func write(_ path: String, _ bytes: [UInt8]) {
    var rng = SeededRandom(seed: 0)
    write(path, bytes, damage: .intact, pool: [], rng: &rng)
  }

  func write(
    _ path: String, _ bytes: [UInt8], damage: ProcTreeFuzzTests.Damage, pool: [[UInt8]],
    rng: inout SeededRandom
  ) {
    let full = root + "/" + path
    let fm = FileManager.default
    try? fm.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    switch damage {
    case .intact: _ = fm.createFile(atPath: full, contents: Data(bytes))
    case .missing: break
    case .empty: _ = fm.createFile(atPath: full, contents: Data())
    case .noise:
      _ = fm.createFile(
        atPath: full, contents: Data(Fuzz.bytes(Int.random(in: 1...4096, using: &rng), &rng)))
    case .mutated:
      _ = fm.createFile(atPath: full, contents: Data(Fuzz.mutate(bytes, &rng, others: pool)))
    case .huge:
      // Sparse, so no disk is used: either just past the reader's 16 MiB
      // limit (refused unread) or 256 KiB of NULs behind the real text
      // (parsed; bigger would only slow the debug build down).
      _ = fm.createFile(atPath: full, contents: Data(bytes))
      let past = Bool.random(using: &rng)
      truncate(full, past ? off_t(16 << 20) + 4096 : 256 << 10)
    case .directory: try? fm.createDirectory(atPath: full, withIntermediateDirectories: true)
    case .fifo: mkfifo(full, 0o600)
    case .devZero: symlink("/dev/zero", full)
    case .loop: symlink(full, full)
    case .dangling: symlink(root + "/nowhere", full)
    }
  }
}
