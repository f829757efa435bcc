// Demangling names read from real binaries built here by g++, rustc and
// swiftc, checked against c++filt and swift-demangle.
import Foundation
import Testing
import ThreadprofTestSupport

@testable import ThreadprofCore

/// The first executable called `name` on PATH or in ~/.cargo/bin.
func findTool(_ name: String) -> String? {
  let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
  let dirs = path.split(separator: ":").map(String.init) + ["/root/.cargo/bin", "/usr/bin"]
  return dirs.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Defined and local symbols of `binary` starting with `prefix`, via nm.
func symbols(_ binary: String, prefix: String) throws -> [String] {
  let out = try tool("/usr/bin/nm", [binary])
  let names = out.split(separator: "\n").compactMap { line -> String? in
    let parts = line.split(separator: " ")
    guard parts.count == 3, parts[2].hasPrefix(prefix) else { return nil }
    return String(parts[2])
  }
  return Array(Set(names)).sorted()
}

/// `c++filt` (libiberty, which reads C++ and both Rust manglings) on each name.
func cxxfilt(_ names: [String]) throws -> [String] {
  let result = try run(
    "/usr/bin/c++filt", [], stdin: Data(names.joined(separator: "\n").utf8))
  return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix(
    names.count
  ).map(String.init)
}

@Suite struct DemanglerTests {
  @Test func stripsSymbolVersions() {
    #expect(Demangler.demangle("pthread_cond_wait@@GLIBC_2.3.2") == "pthread_cond_wait")
    #expect(Demangler.demangle("clock_nanosleep@GLIBC_2.2.5") == "clock_nanosleep")
    #expect(Demangler.demangle("_ZNSt6thread4joinEv@@GLIBCXX_3.4.11") == "std::thread::join()")
    #expect(Demangler.demangle("main") == "main")
  }

  @Test func cxxNamesFromARealBinary() throws {
    let dir = try scratchDirectory("cxx")
    let bin = dir + "/mangled"
    _ = try tool("/usr/bin/g++", ["-O1", "-o", bin, Repo.targets + "/mangled.cpp"])
    let names = try symbols(bin, prefix: "_Z")
    #expect(names.count > 10)
    let expected = try cxxfilt(names)
    #expect(names.map(Demangler.demangle) == expected)
    #expect(expected.contains("pool::Queue<double>::take(int) const"))
  }

  @Test(.enabled(if: findTool("rustc") != nil))
  func rustV0NamesFromARealBinary() throws {
    let dir = try scratchDirectory("rust-v0")
    let bin = dir + "/mangled"
    _ = try tool(
      findTool("rustc")!,
      ["-O", "-C", "symbol-mangling-version=v0", "-o", bin, Repo.targets + "/mangled.rs"])
    let names = try symbols(bin, prefix: "_R")
    #expect(names.count > 100)
    // c++filt prints crate hashes as `crate[0123abcd]` and constants with
    // their type (`3: usize`); threadprof omits both.
    let expected = try cxxfilt(names).map {
      $0.replacingOccurrences(of: #"\[[0-9a-f]+\]"#, with: "", options: .regularExpression)
        .replacingOccurrences(
          of: #"\b(-?[0-9]+|true|false): [a-z0-9]+\b"#, with: "$1", options: .regularExpression)
    }
    var mismatches: [String] = []
    for (name, want) in zip(names, expected) where Demangler.demangle(name) != want {
      mismatches.append("\(name)\n  got:  \(Demangler.demangle(name))\n  want: \(want)")
    }
    let shown = mismatches.prefix(8).joined(separator: "\n")
    #expect(mismatches.isEmpty, "\(mismatches.count) of \(names.count):\n\(shown)")
    #expect(expected.contains { $0.hasSuffix("<mangled::Pool<u8> as mangled::Job>::run") })
  }

  @Test(.enabled(if: findTool("rustc") != nil))
  func rustLegacyNamesFromARealBinary() throws {
    // Stable rustc still mangles the program's own crate the legacy way by
    // default (and refuses the flag that would ask for it explicitly).
    let dir = try scratchDirectory("rust-legacy")
    let bin = dir + "/mangled"
    _ = try tool(
      findTool("rustc")!,
      ["-O", "-o", bin, Repo.targets + "/mangled.rs"])
    let names = try symbols(bin, prefix: "_ZN").filter { $0.contains("7mangled") }
    #expect(names.count >= 3)
    let expected = try cxxfilt(names).map {
      $0.replacingOccurrences(of: #"::h[0-9a-f]{16}$"#, with: "", options: .regularExpression)
    }
    #expect(names.map(Demangler.demangle) == expected)
    #expect(expected.contains("mangled::Pool<T>::take"))
  }

  @Test(.enabled(if: findTool("swiftc") != nil))
  func swiftNamesFromARealBinary() throws {
    let dir = try scratchDirectory("swift")
    let bin = dir + "/mangled"
    _ = try tool(findTool("swiftc")!, ["-O", "-o", bin, Repo.targets + "/mangled.swift"])
    let names = try symbols(bin, prefix: "$s").filter { $0.contains("7mangled") }
    #expect(names.count > 5)
    let demangler = try #require(findTool("swift-demangle"))
    let expected = try tool(demangler, ["--compact", "--no-sugar"] + names)
      .split(separator: "\n").map(String.init)
    #expect(names.map(Demangler.demangle) == expected)
    #expect(expected.contains { $0.contains("mangled.Worker.wait") })
  }

  @Test(.enabled(if: findTool("rustc") != nil))
  func symbolizesARunningRustProgram() throws {
    let dir = try scratchDirectory("rust-live")
    let bin = dir + "/rusttarget"
    _ = try tool(
      findTool("rustc")!,
      ["-O", "-g", "-C", "symbol-mangling-version=v0", "-o", bin,
       Repo.targets + "/rusttarget.rs"])
    let t = try SymTarget(bin)
    let symbolizer = try Symbolizer(pid: t.pid)
    let frames = symbolizer.symbolize([
      RawFrame(ip: t["work"], exactPC: true), RawFrame(ip: t["method"], exactPC: true),
    ])
    // rustc links with lld, whose segments share file pages: the mapped
    // page belongs to two PT_LOADs and only the executable one is right.
    let outer = frames.filter { !$0.inlined }
    #expect(outer.map(\.function) == ["rusttarget::work", "<rusttarget::Parker<u32>>::first"])
    #expect(outer.allSatisfy { $0.module == bin && $0.file?.hasSuffix("rusttarget.rs") == true })
    // The slice method inlined into `first`, named from DWARF's v0 linkage name.
    #expect(frames.contains { $0.inlined && $0.function == "<[u32]>::first" })
  }

  @Test func rustV0Grammar() {
    let cases: [(String, String)] = [
      ("_RNvCs1234_7mycrate3foo", "mycrate::foo"),
      ("_RNvNvCs1234_7mycrate3foo3bar", "mycrate::foo::bar"),
      ("_RNCNvCs1234_7mycrate4main0B3_", "mycrate::main::{closure#0}"),
      ("_RNCNvCs1234_7mycrate4mains_0B3_", "mycrate::main::{closure#1}"),
      ("_RINvCs1234_7mycrate4swaplEB2_", "mycrate::swap::<i32>"),
      ("_RNvMCs1234_7mycrateNtB2_4Pool4take", "<mycrate::Pool>::take"),
      ("_RNvXCs1234_7mycrateNtB2_4PoolNtB2_3Job3run", "<mycrate::Pool as mycrate::Job>::run"),
      ("_RINvCs1234_7mycrate1fRShEB2_", "mycrate::f::<&[u8]>"),
      ("_RINvCs1234_7mycrate1fTlmEEB2_", "mycrate::f::<(i32, u32)>"),
      ("_RINvCs1234_7mycrate1fKj3_EB2_", "mycrate::f::<3>"),
      ("_RINvCs1234_7mycrate1fFEuEB2_", "mycrate::f::<fn()>"),
      ("_RNvCs1234_7mycrate3foo.llvm.1234", "mycrate::foo"),
    ]
    for (mangled, want) in cases {
      #expect(Demangler.demangle(mangled) == want, "\(mangled)")
    }
    // Punycode identifiers are not decoded: the raw name stays.
    #expect(Demangler.demangle("_RNvCs1234_7mycrateu5pn_gc") == "_RNvCs1234_7mycrateu5pn_gc")
    #expect(Demangler.demangle("_RNvC") == "_RNvC")
  }
}
