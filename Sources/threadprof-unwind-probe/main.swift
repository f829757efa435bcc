// Test helper: collects a process's stacks over and over, so tests can send
// it SIGINT, SIGTERM, SIGHUP or SIGKILL in the middle of a scan.
//
// usage: threadprof-unwind-probe PID [--graceful] [--freeze] [--once]
// Prints "scan <n> stacks=<k> exited=<e> failed=<f> pause_us=<p>" after each
// collection; in graceful mode prints "interrupted stacks=<k>" and exits 130.
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
  say("usage: threadprof-unwind-probe PID [--graceful] [--freeze] [--once]", fd: 2)
  exit(64)
}
let graceful = args.contains("--graceful")
StackCollector.installSignalHandlers(graceful: graceful)
let collector: StackCollector
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

var n = 0
while true {
  n += 1
  let c = collector.collect(tids: taskIDs())
  if c.interrupted {
    say("interrupted stacks=\(c.stacks.count)")
    exit(130)
  }
  say(
    "scan \(n) stacks=\(c.stacks.count) exited=\(c.exited.count) failed=\(c.failed.count)"
      + " pause_us=\(c.maxPauseMicros)")
  for (tid, why) in c.failed.sorted(by: { $0.key < $1.key }).prefix(3) {
    say("failed \(tid): \(why)")
  }
  if args.contains("--once") { break }
}
