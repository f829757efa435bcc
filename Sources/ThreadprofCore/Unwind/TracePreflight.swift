// Checks, before any thread is stopped, that the target can be traced and
// unwound, and names the exact reason when it cannot.
import CThreadprof

#if canImport(Glibc)
  import Glibc
#endif

/// The permission and ABI checks `StackCollector.init` runs.
enum TracePreflight {
  static let remedy =
    "run as root or with CAP_SYS_PTRACE, or drop --stacks for a wait-site snapshot"

  /// Reads `/proc/<pid>/exe`'s ELF header, every thread's `TracerPid` in
  /// `/proc/<pid>/task/*/status`, `/proc/sys/kernel/yama/ptrace_scope`,
  /// our own `CapEff` and `Seccomp`, and probes with `process_vm_readv`.
  static func check(pid: Int32) throws {
    guard access("/proc/\(pid)/stat", F_OK) == 0 else {
      throw ThreadprofError.noSuchProcess(pid: pid, hint: nil)
    }
    try checkABI(pid: pid)
    try checkOtherTracer(pid: pid)
    try checkAccess(pid: pid)
  }

  /// x86_64 only: libunwind here is built for the host ABI alone.
  static func checkABI(pid: Int32) throws {
    guard let head = UnwindProcFile.bytes("/proc/\(pid)/exe", limit: 20), head.count == 20,
      head[0] == 0x7f, head[1] == UInt8(ascii: "E")
    else { return }  // unreadable: the access checks below name the reason
    let machine = UInt16(head[18]) | UInt16(head[19]) << 8
    let what = "cannot unwind pid \(pid): "
    let drop = " not supported for --stacks; drop --stacks for a wait-site snapshot"
    if head[4] == 1 || machine == 3 {
      throw ThreadprofError.unsupported(what + "32-bit (i386) target" + drop)
    }
    if machine != 62 {
      throw ThreadprofError.unsupported(what + "ELF machine \(machine) target" + drop)
    }
  }

  /// A thread traced by another process (a debugger, strace) cannot be
  /// seized; name the tracer.
  static func checkOtherTracer(pid: Int32) throws {
    let me = getpid()
    for tid in UnwindProcFile.tids(pid: pid) {
      guard let status = UnwindProcFile.bytes("/proc/\(pid)/task/\(tid)/status"),
        let tracer = UnwindProcFile.field(status, "TracerPid").flatMap({ Int32($0) }),
        tracer != 0, tracer != me
      else { continue }
      let comm = UnwindProcFile.text("/proc/\(tracer)/comm")?.split(separator: "\n").first
        .map(String.init) ?? "?"
      throw ThreadprofError.permissionDenied(
        what: "cannot trace pid \(pid): thread \(tid) is already traced by pid \(tracer) (\(comm))",
        remedy: "detach that tracer first, or drop --stacks for a wait-site snapshot")
    }
  }

  /// True when every thread's state in `/proc/<pid>/task/*/stat` is `Z`:
  /// the process exited and its memory is gone, but nobody reaped it.
  static func allZombies(pid: Int32) -> Bool {
    let tids = UnwindProcFile.tids(pid: pid)
    return !tids.isEmpty
      && tids.allSatisfy { tid in
        guard let stat = UnwindProcFile.bytes("/proc/\(pid)/task/\(tid)/stat", limit: 4096),
          let paren = stat.lastIndex(of: UInt8(ascii: ")")), paren + 2 < stat.count
        else { return false }
        return stat[paren + 2] == UInt8(ascii: "Z")
      }
  }

  /// `process_vm_readv` needs the same rights as `PTRACE_ATTACH` (uid,
  /// CAP_SYS_PTRACE, Yama, LSMs) without stopping anything.
  static func checkAccess(pid: Int32) throws {
    let what = "cannot trace pid \(pid)"
    guard let maps = UnwindProcFile.text("/proc/\(pid)/maps", limit: 4096) else {
      throw ThreadprofError.permissionDenied(
        what: what + ": " + denialCause(pid: pid, fallback: "/proc/\(pid)/maps is unreadable"),
        remedy: remedy)
    }
    guard let first = maps.split(separator: "\n").first,
      let dash = first.firstIndex(of: "-"), let start = UInt64(first[..<dash], radix: 16)
    else {
      if allZombies(pid: pid) {
        throw ThreadprofError.unsupported(
          "process \(pid) is a zombie: no user stacks; drop --stacks for a wait-site snapshot")
      }
      throw ThreadprofError.unsupported(
        "cannot unwind pid \(pid): a kernel thread has no user stack; "
          + "drop --stacks for a wait-site snapshot")
    }
    let err = tp_read_probe(pid, start)
    if err == EPERM || err == EACCES {
      throw ThreadprofError.permissionDenied(
        what: what + ": "
          + denialCause(pid: pid, fallback: "the kernel or a security module refused access"),
        remedy: remedy)
    }
    if UnwindProcFile.field(UnwindProcFile.text("/proc/self/status") ?? "", "Seccomp") == "2" {
      let probe = tp_ptrace_probe(pid)
      if probe == EPERM || probe == ENOSYS || probe == EACCES {
        throw ThreadprofError.permissionDenied(
          what: what + ": a seccomp filter on threadprof forbids ptrace "
            + "(a container's default profile?)",
          remedy: "allow ptrace in the seccomp profile (or add CAP_SYS_PTRACE), "
            + "or drop --stacks for a wait-site snapshot")
      }
    }
  }

  /// The most likely reason the kernel denied access, most specific first.
  static func denialCause(pid: Int32, fallback: String) -> String {
    let own = UnwindProcFile.text("/proc/self/status") ?? ""
    let capEff = UnwindProcFile.field(own, "CapEff").flatMap { UInt64($0, radix: 16) } ?? 0
    let hasCap = capEff & (1 << 19) != 0  // CAP_SYS_PTRACE
    let target = UnwindProcFile.text("/proc/\(pid)/status") ?? ""
    let uids = UnwindProcFile.field(target, "Uid")?
      .split(whereSeparator: { $0 == "\t" || $0 == " " })
      .compactMap { UInt32($0) } ?? []
    let me = geteuid()
    if !hasCap, let other = uids.first(where: { $0 != me }) {
      return "pid \(pid) runs as uid \(other), threadprof as uid \(me) without CAP_SYS_PTRACE"
    }
    if let scope = UnwindProcFile.text("/proc/sys/kernel/yama/ptrace_scope")
      .flatMap({ Int($0.split(separator: "\n").first ?? "") })
    {
      switch scope {
      case 3: return "kernel.yama.ptrace_scope=3 forbids attaching to any process"
      case 2 where !hasCap:
        return "kernel.yama.ptrace_scope=2 lets only CAP_SYS_PTRACE attach"
      case 1 where !hasCap:
        return "kernel.yama.ptrace_scope=1 allows tracing only threadprof's own descendants"
      default: break
      }
    }
    return fallback
  }
}
