// proc-capture PID DIR: ProcCapture.capture for scripts that run before
// the threadprof binary is built (fixture recreation).
import Foundation

let args = CommandLine.arguments
guard args.count == 3, let pid = Int32(args[1]) else {
  FileHandle.standardError.write("usage: proc-capture PID DIR\n".data(using: .utf8)!)
  exit(64)
}
do {
  let s = try ProcCapture.capture(pid: pid, into: args[2])
  print("captured pid \(s.pid): \(s.threads) threads, \(s.files) files, abi \(s.abi.rawValue),"
    + " \(s.skipped.exited) vanished")
} catch let error as ThreadprofError {
  FileHandle.standardError.write("proc-capture: \(error.message)\n".data(using: .utf8)!)
  exit(error.exitCode.rawValue)
}
