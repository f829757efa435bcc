// Targets in other pid namespaces, threadprof inside one, and /proc views
// that hide processes (hidepid=2) or refuse fields (another user).
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite(.enabled(if: Hardening.isRoot, "needs root for unshare, mount and setpriv"))
struct HardeningNamespaceTests {
  /// A parked target started as pid 1 of a new pid namespace, profiled from
  /// the host by its host pid: the snapshot carries both ids.
  @Test func targetInItsOwnPidNamespaceIsProfiledByHostPid() throws {
    let parked = try TargetBuilder.build("parked.c")
    let unshare = try LiveTarget(
      "/usr/bin/unshare",
      ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", parked, "2", "1", "0"])
    defer { unshare.stop() }
    let hostPid = try #require(Hardening.firstChild(of: unshare.pid))
    defer { kill(hostPid, SIGKILL) }

    let result = try threadprof(["snapshot", "--format", "json", String(hostPid)], timeout: 60)
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    #expect(snap.process.pid == hostPid)
    #expect(snap.process.nsPids == [hostPid, 1])
    #expect(snap.threads.count == 4)
    for thread in snap.threads {
      #expect(thread.nsTids.count == 2)
      #expect(thread.nsTids.first == thread.tid)
      #expect((thread.nsTids.last ?? 0) < 100, "namespace tid \(thread.nsTids)")
    }
    #expect(snap.threads.contains { $0.tid == hostPid && $0.nsTids == [hostPid, 1] })
  }

  /// threadprof started inside the namespace sees and reports the
  /// namespace's own pids.
  @Test func threadprofInsideAPidNamespaceUsesItsPids() throws {
    let parked = try TargetBuilder.build("parked.c")
    let out = TargetBuilder.scratch + "/ns-inside-\(UUID().uuidString).out"
    let script = """
      "$0" 2 1 0 > "$1" & p=$!
      i=0
      until grep -q ready "$1"; do sleep 0.02; i=$((i+1)); [ $i -gt 1500 ] && exit 99; done
      "$2" snapshot --format json "$p"; rc=$?
      kill -9 "$p"
      exit $rc
      """
    let result = try run(
      "/usr/bin/unshare",
      ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "/bin/sh", "-c", script,
       parked, out, Repo.threadprofBinary],
      timeout: 90)
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    // sh is pid 1 in the namespace, the target one of its first children.
    #expect(snap.process.pid > 1 && snap.process.pid < 100)
    #expect(snap.process.nsPids == [snap.process.pid])
    #expect(snap.threads.count == 4)
    #expect(snap.threads.allSatisfy { $0.tid < 100 && $0.nsTids == [$0.tid] })
  }

  /// With /proc mounted hidepid=2, a non-root user asking for root's
  /// process gets the documented "no such process" code and a hint.
  @Test func hidepidHidesTheTargetWithAClearMessage() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["1", "1", "0"])
    let script = """
      mount -t proc -o hidepid=2 proc /proc || exit 98
      exec setpriv --reuid=65534 --regid=65534 --clear-groups "$0" snapshot "$1"
      """
    let result = try run(
      "/usr/bin/unshare",
      ["--mount", "/bin/sh", "-c", script, Hardening.publicBinary, String(target.pid)],
      timeout: 60)
    #expect(result.status == ExitCode.noInput.rawValue, "\(result.stderr)")
    #expect(result.stderr.contains("no process with pid \(target.pid)"))
    #expect(result.stderr.contains("hidepid"))
    #expect(!Hardening.crashed(result))
    #expect(result.stdout.isEmpty)
    #expect(target.stoppedOrTraced().isEmpty)
  }

  /// Another unprivileged user without hidepid: states and names from the
  /// world-readable files, the rest marked unknown with one note each.
  @Test func anotherUserGetsWhatIsWorldReadable() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["0", "4", "0"])
    let result = try run(
      "/usr/bin/setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", Hardening.publicBinary,
       "snapshot", "--format", "json", String(target.pid)],
      timeout: 60)
    #expect(result.status == 0, "\(result.stderr)")
    let snap = try Hardening.snapshot(result)
    let readers = snap.threads.filter { $0.name.hasPrefix("reader-") }
    #expect(readers.count == 4)
    #expect(readers.allSatisfy { $0.state == "S" && $0.syscall == nil })
    #expect(snap.clusters.contains { $0.count == 4 })
    #expect(snap.warnings.contains { $0.contains("system calls unreadable") })
    #expect(snap.warnings.contains("kernel stacks hidden for 5 threads (needs root)"),
      "\(snap.warnings)")
  }
}
