// swift-tools-version:6.0
// threadprof: group a process's OS threads by wait site or stack, the way
// pprof groups goroutines. The only outside code is Debian's C libraries:
// libunwind (remote unwinding), elfutils' libdw (symbols, lines) and zlib.
import PackageDescription

let package = Package(
  name: "threadprof",
  products: [
    .library(name: "ThreadprofCore", targets: ["ThreadprofCore"]),
    .executable(name: "threadprof", targets: ["threadprof"]),
    .executable(name: "threadprof-demo", targets: ["threadprof-demo"]),
  ],
  targets: [
    .target(
      name: "CThreadprof",
      cSettings: [.define("_GNU_SOURCE")],
      linkerSettings: [
        .linkedLibrary("unwind-ptrace"),
        .linkedLibrary("unwind-generic"),
        .linkedLibrary("unwind"),
        .linkedLibrary("lzma"),
        .linkedLibrary("dw"),
        .linkedLibrary("elf"),
        .linkedLibrary("z"),
        .linkedLibrary("stdc++"),
      ]
    ),
    .target(name: "ThreadprofCore", dependencies: ["CThreadprof"]),
    .executableTarget(name: "threadprof", dependencies: ["ThreadprofCore"]),
    .executableTarget(
      name: "threadprof-demo",
      cSettings: [.define("_GNU_SOURCE")],
      linkerSettings: [.linkedLibrary("pthread")]
    ),
    // Test helper: unwinds a pid in a loop so tests can signal it mid-scan.
    .executableTarget(name: "threadprof-unwind-probe", dependencies: ["ThreadprofCore"]),
    .target(name: "ThreadprofTestSupport", path: "Tests/Support"),
    .testTarget(
      name: "ThreadprofCoreTests", dependencies: ["ThreadprofCore", "ThreadprofTestSupport"]),
    .testTarget(
      name: "ThreadprofCLITests", dependencies: ["ThreadprofCore", "ThreadprofTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
