// Where -o writes: regular files replaced atomically with their mode kept,
// devices and pipes written in place, links followed only when trusted.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct OutputPathTests {
  private func kind(_ path: String) -> mode_t? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    return st.st_mode & S_IFMT
  }

  /// A private node of the null device (char 1,3), not /dev/null itself:
  /// a regression would otherwise replace the machine's /dev/null. (1 << 8) | 3 is
  /// major 1, minor 3 in the kernel's device number encoding.
  @Test func aNullDeviceStaysADevice() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let node = HardeningOutputTests.scratchDir() + "/null"
    try #require(mknod(node, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0, "needs root for mknod")
    let result = try threadprof(["snapshot", "-o", node, String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(kind(node) == S_IFCHR)
  }

  @Test func aNamedPipeIsWrittenNotReplaced() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let dir = HardeningOutputTests.scratchDir()
    let fifo = dir + "/pipe"
    #expect(mkfifo(fifo, 0o600) == 0)
    let script = "cat \(Hardening.q(fifo)) > \(Hardening.q(dir + "/got")) & "
      + "\(Hardening.q(Repo.threadprofBinary)) snapshot -o \(Hardening.q(fifo)) \(target.pid); "
      + "s=$?; wait; exit $s"
    let result = try Hardening.shell(script)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(kind(fifo) == S_IFIFO)
    let got = try String(contentsOfFile: dir + "/got", encoding: .utf8)
    #expect(got.contains("pid \(target.pid) "))
  }

  @Test func anExistingFileKeepsItsNarrowerMode() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let dir = HardeningOutputTests.scratchDir()
    let path = dir + "/r.txt"
    try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
    #expect(chmod(path, 0o640) == 0)
    var result = try threadprof(["snapshot", "-o", path, String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(HardeningOutputTests.lstatMode(path)?.perm == 0o640)
    // Wider than 0644 is narrowed to it.
    #expect(chmod(path, 0o666) == 0)
    result = try threadprof(["snapshot", "-o", path, String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(HardeningOutputTests.lstatMode(path)?.perm == 0o644)
    #expect(try String(contentsOfFile: path, encoding: .utf8).contains("parked"))
  }

  @Test func aSymlinkOfOursIsFollowedAndStaysALink() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let dir = HardeningOutputTests.scratchDir()
    try "old\n".write(toFile: dir + "/real.txt", atomically: false, encoding: .utf8)
    #expect(symlink(dir + "/real.txt", dir + "/link.txt") == 0)
    let result = try threadprof(["snapshot", "-o", dir + "/link.txt", String(target.pid)])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(kind(dir + "/link.txt") == S_IFLNK)
    #expect(try String(contentsOfFile: dir + "/real.txt", encoding: .utf8).contains("parked"))
  }

  @Test func aDirectoryIsAUsageError() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    let dir = HardeningOutputTests.scratchDir()
    let result = try threadprof(["snapshot", "-o", dir, String(target.pid)])
    #expect(result.status == 64)
    #expect(result.stderr.contains("\(dir) is a directory"), "\(result.stderr)")
  }

  @Test func errorsNameThePathAndTheCause() throws {
    let target = try LiveTarget(try TargetBuilder.build("parked.c"), ["1", "0", "0"])
    var result = try threadprof(["snapshot", "-o", "", String(target.pid)])
    #expect(result.status == 64)
    #expect(result.stderr == "threadprof: -o needs a file name\n")
    result = try threadprof(["snapshot", "-o", "/proc/version", String(target.pid)])
    #expect(result.status != 0)
    #expect(result.stderr.contains("cannot write /proc/version:"), "\(result.stderr)")
    #expect(!result.stderr.contains("cannot open /proc:"))
    let missing = HardeningOutputTests.scratchDir() + "/no/such/dir/r.txt"
    result = try threadprof(["snapshot", "-o", missing, String(target.pid)])
    #expect(result.status != 0)
    #expect(result.stderr.contains("cannot write \(missing):"), "\(result.stderr)")
  }
}
