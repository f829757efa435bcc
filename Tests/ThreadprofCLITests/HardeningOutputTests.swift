// What threadprof must never do to files: follow a planted symlink when
// writing -o, create output readable-writable by others, or open environ.
import Foundation
import Testing
import ThreadprofCore
import ThreadprofTestSupport

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct HardeningOutputTests {
  static func scratchDir() -> String {
    let dir = TargetBuilder.scratch + "/out-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func lstatMode(_ path: String) -> (isLink: Bool, isFile: Bool, perm: mode_t)? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    let kind = st.st_mode & S_IFMT
    return (kind == S_IFLNK, kind == S_IFREG, st.st_mode & 0o7777)
  }

  /// `-o path` where another user (nobody, uid 65534) planted `path` as a
  /// symlink: refused; the link is neither followed nor replaced and the
  /// file it points at is untouched. (Links of root or our own euid are
  /// followed: OutputPathTests.)
  @Test func symlinkPlantedByAnotherUserIsRefusedNotFollowed() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["1", "0", "0"])
    let dir = Self.scratchDir()
    let victim = dir + "/victim"
    try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
    #expect(symlink(victim, dir + "/out.json") == 0)
    try #require(lchown(dir + "/out.json", 65534, 65534) == 0, "needs root to chown")
    let result = try threadprof(
      ["snapshot", "--format", "json", "-o", dir + "/out.json", String(target.pid)])
    #expect(result.status == 77, "\(result.stderr)")
    #expect(result.stderr.contains("symbolic link owned by another user"), "\(result.stderr)")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    let mode = try #require(Self.lstatMode(dir + "/out.json"))
    #expect(mode.isLink)
  }

  /// A symlink planted at the temporary file's name (predictable from the
  /// pid) is not followed either; the victim stays as it was.
  @Test func plantedSymlinkAtTheTempNameIsNotFollowed() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["1", "0", "0"])
    let dir = Self.scratchDir()
    let victim = dir + "/victim"
    try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
    // `exec` keeps the shell's pid, so $$ is threadprof's pid.
    let script = """
      cd \(Hardening.q(dir)) && ln -s victim ".out.txt.tmp.$$.0" && \
      exec \(Hardening.q(Repo.threadprofBinary)) snapshot -o out.txt \(target.pid)
      """
    let result = try Hardening.shell(script)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    let mode = try #require(Self.lstatMode(dir + "/out.txt"))
    #expect(mode.isFile)
    #expect(try String(contentsOfFile: dir + "/out.txt", encoding: .utf8).contains("parked"))
  }

  /// Even with umask 000 the report is created 0644, not world-writable.
  @Test func outputIsNeverWorldWritable() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["1", "0", "0"])
    let dir = Self.scratchDir()
    let script = "umask 000 && exec \(Hardening.q(Repo.threadprofBinary)) snapshot "
      + "-o \(Hardening.q(dir + "/r.txt")) \(target.pid)"
    let result = try Hardening.shell(script)
    #expect(result.status == 0, "\(result.stderr)")
    let mode = try #require(Self.lstatMode(dir + "/r.txt"))
    #expect(mode.perm & ~0o644 == 0, "mode \(String(mode.perm, radix: 8))")
  }

  /// No source file names `environ`: a snapshot must never carry the
  /// target's environment (secrets live there).
  @Test func sourcesNeverNameEnviron() throws {
    let root = Repo.root + "/Sources"
    let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") || $0.hasSuffix(".c") || $0.hasSuffix(".h") } ?? []
    #expect(files.count > 10)
    for file in files {
      let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
      for line in text.split(separator: "\n") where line.contains("environ") {
        let code = line.split(separator: "//").first ?? ""
        #expect(!code.contains("\"environ\"") && !code.contains("/environ"),
          "\(file): \(line)")
      }
    }
  }

  /// At run time: a captured tree copied from a live target, with an
  /// `environ` file beside the others, watched with inotify while
  /// threadprof reads it. `status` must be opened, `environ` never.
  @Test func snapshotNeverOpensEnviron() throws {
    let parked = try TargetBuilder.build("parked.c")
    let target = try LiveTarget(parked, ["2", "1", "0"])
    let root = Self.scratchDir()
    let pidDir = root + "/\(target.pid)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: pidDir, withIntermediateDirectories: true)
    func copy(_ from: String, _ to: String) {
      _ = fm.createFile(atPath: to, contents: fm.contents(atPath: from))
    }
    for f in ["stat", "status", "comm", "cmdline"] {
      copy("/proc/\(target.pid)/\(f)", pidDir + "/" + f)
    }
    copy("/proc/uptime", root + "/uptime")
    for tid in target.tids {
      let dir = pidDir + "/task/\(tid)"
      try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for f in ["stat", "status", "syscall", "wchan", "stack"] {
        copy("/proc/\(target.pid)/task/\(tid)/\(f)", dir + "/" + f)
      }
      try "SECRET=do-not-read\n".write(toFile: dir + "/environ", atomically: false, encoding: .utf8)
    }
    try "SECRET=do-not-read\n".write(
      toFile: pidDir + "/environ", atomically: false, encoding: .utf8)

    let watch = try InotifyOpens(dirs: [pidDir] + target.tids.map { pidDir + "/task/\($0)" })
    for format in ["text", "json"] {
      let result = try threadprof(
        ["snapshot", "--format", format, "--proc-root", root, String(target.pid)])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(!result.stdout.contains("do-not-read"))
    }
    let opened = watch.openedNames()
    #expect(opened.contains("status"), "the watch saw \(opened)")
    #expect(!opened.contains("environ"))
  }
}

/// Names of files opened in watched directories (`inotify(7)`, `IN_OPEN`).
final class InotifyOpens {
  let fd: Int32

  init(dirs: [String]) throws {
    fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    guard fd >= 0 else { throw TestFailure("inotify_init1: errno \(errno)") }
    for dir in dirs where inotify_add_watch(fd, dir, UInt32(IN_OPEN)) < 0 {
      throw TestFailure("inotify_add_watch \(dir): errno \(errno)")
    }
  }

  deinit { close(fd) }

  /// Drains the queue; each event is wd, mask, cookie, len, then a name.
  func openedNames() -> Set<String> {
    var names: Set<String> = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      var i = 0
      while i + 16 <= n {
        let len = Int(buf[i + 12]) | Int(buf[i + 13]) << 8 | Int(buf[i + 14]) << 16
          | Int(buf[i + 15]) << 24
        let name = buf[(i + 16)..<min(n, i + 16 + len)].prefix { $0 != 0 }
        if !name.isEmpty { names.insert(String(decoding: name, as: UTF8.self)) }
        i += 16 + len
      }
    }
    return names
  }
}
