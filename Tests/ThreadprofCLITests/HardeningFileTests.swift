// Hostile snapshot files given to diff: a 1 GB sparse file, a million
// levels of nesting, a FIFO, truncations and out-of-range counts all end
// in exit 65 with one line naming the file, never a hang or a trap.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct HardeningFileTests {
  static let good = Repo.fixtures + "/fuzz/snapshot/parked-site.json"

  static func scratch(_ name: String) -> String {
    let dir = TargetBuilder.scratch + "/files-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + name
  }

  /// Runs `diff bad good` and `diff good bad`: both must exit 65 naming
  /// `bad` and `reason`. Returns the slower run's seconds (printed only).
  @discardableResult
  func refused(_ bad: String, _ reason: String) throws -> Double {
    var slowest = 0.0
    for args in [[bad, Self.good], [Self.good, bad]] {
      let began = Date()
      let r = try threadprof(["diff"] + args, timeout: 60)
      slowest = max(slowest, Date().timeIntervalSince(began))
      #expect(r.status == ExitCode.dataError.rawValue, "\(args): \(r.status) \(r.stderr)")
      #expect(r.stderr.hasPrefix("threadprof: cannot load \(bad): \(reason)"), "\(r.stderr)")
      #expect(r.stdout.isEmpty)
      #expect(!Hardening.crashed(r))
    }
    return slowest
  }

  @Test func oneGigabyteSparseFileIsRefusedUnread() throws {
    let path = Self.scratch("big.json")
    #expect(FileManager.default.createFile(atPath: path, contents: Data("{".utf8)))
    #expect(truncate(path, 1 << 30) == 0)
    defer { unlink(path) }
    let secs = try refused(path, "too large (1024 MiB, limit 512 MiB)")
    print("1 GB sparse snapshot refused in \(Int(secs * 1000)) ms")
  }

  @Test func millionLevelsOfNestingAreRefused() throws {
    for (name, unit) in [("arrays.json", "["), ("objects.json", "{\"a\":")] {
      let path = Self.scratch(name)
      try String(repeating: unit, count: 1_000_000).write(
        toFile: path, atomically: false, encoding: .utf8)
      let secs = try refused(path, "nested more than 64 levels deep")
      print("\(name): a million levels refused in \(Int(secs * 1000)) ms")
    }
  }

  /// A FIFO used to block the open until a writer appeared.
  @Test func fifoWithoutAWriterIsRefusedNotWaitedOn() throws {
    let path = Self.scratch("pipe.json")
    #expect(mkfifo(path, 0o600) == 0)
    try refused(path, "empty file")
  }

  /// An endless character device is refused once one byte past the limit
  /// has been read, not after growing its buffer far beyond it.
  @Test func endlessDeviceIsRefusedAtTheLimit() throws {
    let secs = try refused("/dev/zero", "too large (512 MiB, limit 512 MiB)")
    print("/dev/zero refused in \(Int(secs * 1000)) ms")
  }

  @Test func aSlowWriterOnAPipeIsWaitedFor() throws {
    let good = Self.good
    let r = try run(
      "/bin/bash",
      ["-c", "\(Repo.threadprofBinary) diff <(sleep 0.3; cat \(good)) \(good)"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("unchanged"))
  }

  @Test func truncatedEmptyAndOutOfRangeFilesAreRefused() throws {
    let good = try #require(FileManager.default.contents(atPath: Self.good))
    let cut = Self.scratch("cut.json")
    _ = FileManager.default.createFile(atPath: cut, contents: good.prefix(good.count / 2))
    try refused(cut, "truncated")
    let empty = Self.scratch("empty.json")
    _ = FileManager.default.createFile(atPath: empty, contents: Data())
    try refused(empty, "empty file")
    try refused(
      Repo.fixtures + "/fuzz/snapshot-regressions/count-int-max.json",
      "field 'clusters[0].count' is out of range")
  }
}
