// Times ProcReader.scan on a live process: the per-thread cost of the
// /proc reader, to set beside bench/proc-baseline.c.
import Foundation

let args = CommandLine.arguments
guard args.count >= 2, let pid = Int32(args[1]) else {
  let usage = "usage: proc-bench PID [REPEATS] [--no-stacks]\n"
  FileHandle.standardError.write(usage.data(using: .utf8)!)
  exit(2)
}
let repeats = args.count > 2 ? Int(args[2]) ?? 10 : 10
let stacks = !args.contains("--no-stacks")
let reader = ProcReader()
for _ in 0..<repeats {
  let t0 = DispatchTime.now().uptimeNanoseconds
  let scan = try reader.scan(pid: pid, kernelStacks: stacks)
  let t1 = DispatchTime.now().uptimeNanoseconds
  let us = Double(t1 - t0) / 1000
  let per = us / Double(max(1, scan.threads.count))
  let n = scan.threads.count
  print(String(format: "threads=%d elapsed_us=%.0f us_per_thread=%.2f", n, us, per))
}
