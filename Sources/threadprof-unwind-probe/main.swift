// Test helper: collects a process's stacks over and over, so tests can send
// it SIGINT, SIGTERM, SIGHUP or SIGKILL in the middle of a scan.
//
// usage: threadprof-unwind-probe PID [--graceful] [--freeze] [--once | --scans N]
// Prints "ready <pid> init_us=<t>" once set up (t: StackCollector.init,
// the preflight), then after each collection "scan <n>
// stacks=<k> exited=<e> failed=<f> frames=<m> pause_us=<p> collect_us=<t>
// [truncated=<reason>:<count>,...]" (t: wall time of collect, listing
// excluded); in graceful mode prints
// "interrupted stacks=<k>" and exits 130.
import ThreadprofCore

#if canImport(Glibc)
  import Glibc
#endif

/// Writes one line straight to a file descriptor (no stdio buffering).
func say(_ text: String, fd: Int32 = 1) {
  let line = Array((text + "\n").utf8)
  _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

let args = CommandLine.arguments
guard args.count >= 2, let pid = Int32(args[1]) else {
  say("usage: threadprof-unwind-probe PID [--graceful] [--freeze] [--once | --scans N]",
    fd: 2)
  exit(64)
}
let graceful = args.contains("--graceful")
StackCollector.installSignalHandlers(graceful: graceful)
func nowMicros() -> Int {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}

let collector: StackCollector
let initStart = nowMicros()
do {
  let options = UnwindOptions(freeze: args.contains("--freeze"))
  collector = try StackCollector(pid: pid, options: options)
} catch let error as ThreadprofError {
  say("threadprof-unwind-probe: \(error.message)", fd: 2)
  exit(error.exitCode.rawValue)
}

func taskIDs() -> [Int32] {
  guard let dir = opendir("/proc/\(pid)/task") else { return [] }
  defer { closedir(dir) }
  var out: [Int32] = []
  while let e = readdir(dir) {
    // In place (`&`): a by-value copy reads 256 bytes past a short record.
    let name = withUnsafeBytes(of: &e.pointee.d_name) {
      String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
    }
    if let t = Int32(name) { out.append(t) }
  }
  return out
}

say("ready \(getpid()) init_us=\(nowMicros() - initStart)")
let scans: Int? = args.contains("--once") ? 1 : args.firstIndex(of: "--scans").flatMap {
  $0 + 1 < args.count ? Int(args[$0 + 1]) : nil
}
var n = 0
while scans.map({ n < $0 }) ?? true {
  n += 1
  let tids = taskIDs()
  let start = nowMicros()
  let c = collector.collect(tids: tids)
  let took = nowMicros() - start
  if c.interrupted {
    say("interrupted stacks=\(c.stacks.count)")
    exit(130)
  }
  let frames = c.stacks.values.reduce(0) { $0 + $1.frames.count }
  var cut: [String: Int] = [:]
  for stack in c.stacks.values { if let why = stack.truncated { cut[why, default: 0] += 1 } }
  let cutText = cut.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }
  say(
    "scan \(n) stacks=\(c.stacks.count) exited=\(c.exited.count) failed=\(c.failed.count)"
      + " frames=\(frames) pause_us=\(c.maxPauseMicros) collect_us=\(took)"
      + (cutText.isEmpty ? "" : " truncated=" + cutText.joined(separator: ",")))
  for (tid, why) in c.failed.sorted(by: { $0.key < $1.key }).prefix(3) {
    say("failed \(tid): \(why)")
  }
}
