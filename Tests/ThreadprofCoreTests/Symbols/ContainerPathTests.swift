// Files seen through another mount namespace (CASE-05): opened under
// <procRoot>/<pid>/root, and module+offset when they cannot be opened.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

@Suite struct ContainerPathTests {
  /// A fake proc root for `t` whose maps name the binary `/opt/app/nsdemo`,
  /// a path that exists only under `<root>/<pid>/root` (when `provide`).
  static func fakeProc(_ t: SymTarget, provide: Bool) throws -> String {
    let proc = try scratchDirectory("proc")
    let pidDir = proc + "/\(t.pid)"
    try FileManager.default.createDirectory(
      atPath: pidDir + "/root/opt/app", withIntermediateDirectories: true)
    let maps = try String(contentsOfFile: "/proc/\(t.pid)/maps", encoding: .utf8)
    try maps.replacingOccurrences(of: t.binary, with: "/opt/app/nsdemo")
      .write(toFile: pidDir + "/maps", atomically: true, encoding: .utf8)
    if provide {
      try FileManager.default.copyItem(atPath: t.binary, toPath: pidDir + "/root/opt/app/nsdemo")
    }
    return proc
  }

  @Test func opensFilesUnderTheProcessRoot() throws {
    let t = try SymTarget(try TargetBuilder.build("symtarget.c"))
    let proc = try Self.fakeProc(t, provide: true)
    let symbolizer = try Symbolizer(pid: t.pid, procRoot: proc)
    let frames = symbolizer.symbolize([RawFrame(ip: t["alpha"], exactPC: true)])
    #expect(frames.map(\.function) == ["sym_alpha"])
    #expect(frames.first?.module == "/opt/app/nsdemo")
  }

  @Test func unopenableFileGivesModulePlusOffsetAndAWarning() throws {
    let t = try SymTarget(try TargetBuilder.build("symtarget.c"))
    let proc = try Self.fakeProc(t, provide: false)
    let symbolizer = try Symbolizer(pid: t.pid, procRoot: proc)
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["alpha"], exactPC: true), RawFrame(ip: t["beta"], exactPC: true),
    ])
    #expect(frames.count == 2)
    #expect(frames.allSatisfy { $0.function == nil && $0.module == "/opt/app/nsdemo" })
    #expect(frames[0].symbol.hasPrefix("nsdemo+0x"))
    #expect(frames[1].fileOffset! - frames[0].fileOffset! == t["beta"] - t["alpha"])
    #expect(symbolizer.warnings.count == 1)
    #expect(symbolizer.warnings.first?.contains("cannot open /opt/app/nsdemo") == true)
    let module = try #require(symbolizer.modules.first)
    #expect(module.symbols == "none" && module.buildID == nil && module.loadBias == nil)
  }

  static let canUnshare =
    getuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/unshare")

  /// A process in its own mount and pid namespace: `unshare` mounts a
  /// tmpfs only the child sees, runs `setup` (with $R the new root) and
  /// chroots there into /opt/app/nsdemo, a static symtarget. Returns the
  /// unshare process (whose death kills the child), the child's host pid
  /// and its ready line.
  static func namespaced(
    _ bin: String, mnt: String, setup: String = "true"
  ) throws -> (LiveTarget, Int32, String) {
    let script =
      "R=\(mnt) && mount -t tmpfs tpns $R && mkdir -p $R/opt/app $R/tmp && "
      + "cp \(bin) $R/opt/app/nsdemo && \(setup) && exec chroot $R /opt/app/nsdemo"
    let unshare = try LiveTarget(
      "/usr/bin/unshare", ["--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script])
    let children = try String(
      contentsOfFile: "/proc/\(unshare.pid)/task/\(unshare.pid)/children", encoding: .utf8)
    let pid = try #require(children.split(separator: " ").first.flatMap { Int32($0) })
    return (unshare, pid, try #require(unshare.lines.last))
  }

  static func value(_ key: String, in line: String) -> UInt64? {
    line.split(separator: " ").first { $0.hasPrefix(key + "=") }
      .flatMap { UInt64($0.dropFirst(key.count + 1), radix: 16) }
  }

  /// The maps path of nsdemo as the host sees it: one that does not
  /// exist on the host.
  @Test(.enabled(if: canUnshare))
  func namesCodeOfAProcessInAnotherMountNamespace() throws {
    let bin = try TargetBuilder.build("symtarget.c", linkFlags: ["-static"])
    let mnt = try scratchDirectory("nsroot")
    let (unshare, pid, line) = try Self.namespaced(bin, mnt: mnt)
    defer { unshare.stop() }
    let alpha = try #require(Self.value("alpha", in: line))
    let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
    let path = try #require(
      maps.split(separator: "\n").first { $0.hasSuffix("/opt/app/nsdemo") }?
        .split(separator: " ").last.map(String.init))
    #expect(!FileManager.default.fileExists(atPath: path))
    // The JIT map lives in the namespace's /tmp, named by its own pid (1).
    let anon = try #require(Self.value("anon", in: line))
    try "\(String(anon, radix: 16)) 100 ns_jitted\n".write(
      toFile: "/proc/\(pid)/root/tmp/perf-1.map", atomically: false, encoding: .utf8)
    let symbolizer = try Symbolizer(pid: pid)
    let frames = symbolizer.symbolize([
      RawFrame(ip: alpha, exactPC: true), RawFrame(ip: anon + 8, exactPC: true),
    ])
    #expect(frames.map(\.function) == ["sym_alpha", "ns_jitted"])
    #expect(frames.first?.module == path)
    #expect(frames.last?.kind == .jit)
    #expect(symbolizer.warnings.isEmpty)
  }

  /// A stripped binary whose debug file sits in the container's own
  /// /usr/lib/debug/.build-id, not the host's.
  @Test(.enabled(if: canUnshare))
  func findsDebugFilesInsideTheProcessRoot() throws {
    let built = try TargetBuilder.build("symtarget.c", linkFlags: ["-static", "-Wl,--build-id"])
    let dir = try scratchDirectory("ns-stripped")
    let bin = dir + "/nsdemo"
    try FileManager.default.copyItem(atPath: built, toPath: bin)
    _ = try tool("/usr/bin/objcopy", ["--only-keep-debug", bin, bin + ".debug"])
    _ = try tool("/usr/bin/strip", ["--strip-all", bin])
    let notes = try tool("/usr/bin/readelf", ["-n", bin])
    let idLine = try #require(notes.split(separator: "\n").first { $0.contains("Build ID:") })
    let id = String(try #require(idLine.split(separator: " ").last))
    let idDir = "/usr/lib/debug/.build-id/\(id.prefix(2))"
    let setup = "mkdir -p $R\(idDir) && cp \(bin).debug $R\(idDir)/\(id.dropFirst(2)).debug"
    let (unshare, pid, line) = try Self.namespaced(
      bin, mnt: try scratchDirectory("nsroot"), setup: setup)
    defer { unshare.stop() }
    let alpha = try #require(Self.value("alpha", in: line))
    let empty = try scratchDirectory("no-debug")
    let symbolizer = try Symbolizer(pid: pid, debugDirectories: [empty, "/usr/lib/debug"])
    let frames = symbolizer.symbolize([RawFrame(ip: alpha, exactPC: true)])
    #expect(frames.map(\.function) == ["sym_alpha"])
    let module = try #require(symbolizer.modules.first)
    #expect(module.symbols == "build-id:/proc/\(pid)/root\(idDir)/\(id.dropFirst(2)).debug")
  }

  @Test func missingMapsIsNoSuchProcess() throws {
    let proc = try scratchDirectory("proc-empty")
    #expect(throws: ThreadprofError.noSuchProcess(pid: 4_000_000, hint: nil)) {
      try Symbolizer(pid: 4_000_000, procRoot: proc)
    }
  }
}
