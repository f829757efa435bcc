// The threadprof command line: parse, dispatch, map errors to exit codes.
import ThreadprofCore

print("threadprof \(Threadprof.version)")
