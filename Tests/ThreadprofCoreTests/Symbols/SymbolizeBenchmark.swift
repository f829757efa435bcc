// Measures symbolizing 1,000 threads' worth of frames of the shared bench
// target, cold and warm. Runs only with THREADPROF_BENCH=1; prints timings.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct SymbolizeBenchmark {
  static let enabled = ProcessInfo.processInfo.environment["THREADPROF_BENCH"] == "1"

  /// Per thread: the PC from /proc/<tid>/syscall (exact) and the first
  /// words above the stack pointer that point into executable mappings
  /// (return addresses found by scanning, good enough as lookup input).
  static func frames(pid: Int32, tids: [Int32], mappings: [MemoryMapping]) -> [[RawFrame]] {
    let code = mappings.filter(\.isExecutable)
    return tids.map { tid in
      guard
        let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/syscall", encoding: .utf8)
      else { return [] }
      let fields = text.split(separator: " ")
      guard fields.count >= 9, let sp = UInt64(fields[7].dropFirst(2), radix: 16),
        let pc = UInt64(fields[8].dropFirst(2).prefix(while: \.isHexDigit), radix: 16)
      else { return [] }
      var frames = [RawFrame(ip: pc, exactPC: true)]
      if case .success(let bytes) = ProcessMemory.read(
        path: "/proc/\(pid)/mem", at: sp, count: 1024)
      {
        for i in stride(from: 0, to: bytes.count, by: 8) where frames.count < 8 {
          let word = bytes[i..<(i + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
          if code.contains(where: { $0.contains(word) }) { frames.append(RawFrame(ip: word)) }
        }
      }
      return frames
    }
  }

  @Test(.enabled(if: enabled)) func thousandThreads() throws {
    let dir = try scratchDirectory("bench")
    let bin = dir + "/target"
    _ = try tool(
      "/usr/bin/gcc",
      ["-O2", "-g", "-fno-omit-frame-pointer", "-pthread", "-o", bin,
       Repo.root + "/bench/target.c"])
    let p = Process()
    p.executableURL = URL(fileURLWithPath: bin)
    p.arguments = ["1000", "120"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    defer {
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
    }
    _ = out.fileHandleForReading.availableData  // the pid line: every worker asleep
    let pid = p.processIdentifier
    let tids = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
      .compactMap { Int32($0) }
    let maps = try MemoryMap.parse(
      String(decoding: WholeFile.read("/proc/\(pid)/maps").get(), as: UTF8.self))
    let stacks = Self.frames(pid: pid, tids: tids, mappings: maps)
    let frameCount = stacks.reduce(0) { $0 + $1.count }

    func measure(_ symbolizer: Symbolizer) -> (Double, [[StackFrame]]) {
      let start = DispatchTime.now().uptimeNanoseconds
      let named = stacks.map { symbolizer.symbolize($0) }
      return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6, named)
    }
    SymbolFileCache.shared.removeAll()
    var start = DispatchTime.now().uptimeNanoseconds
    let cold = try Symbolizer(pid: pid)
    let initMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    let (coldMs, named) = measure(cold)
    let (hotMs, _) = measure(cold)
    start = DispatchTime.now().uptimeNanoseconds
    let warm = try Symbolizer(pid: pid)
    let warmInitMs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    let (warmMs, _) = measure(warm)
    let names = Set(named.flatMap { $0.compactMap(\.function) })
    #expect(names.isSuperset(of: ["level1", "level2", "level3", "worker_main"]))
    let distinct = Set(stacks.flatMap { $0.map { $0.ip } }).count
    print(
      """
      symbolize bench: \(tids.count) threads, \(frameCount) raw frames, \
      \(distinct) distinct ips
        cold (empty file cache): init \(initMs) ms + symbolize \(coldMs) ms
        warm (files cached, new Symbolizer): init \(warmInitMs) ms + symbolize \(warmMs) ms
        hot (same Symbolizer, address cache): \(hotMs) ms
        names: \(names.sorted().joined(separator: " "))
        modules: \(cold.modules.map { "\($0.path) \($0.symbols)" })
        warnings: \(cold.warnings)
        sample: \(named.last!.map(\.symbol).joined(separator: " <- "))
      """)
  }
}
