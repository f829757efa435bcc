// Test helper: a running symtarget and the addresses it printed.
import Foundation
import ThreadprofTestSupport

/// A started `symtarget` with the values from its ready line.
struct SymTarget {
  let target: LiveTarget
  let binary: String
  let values: [String: UInt64]

  var pid: Int32 { target.pid }

  /// Starts `binary` (a build of Tests/Targets/symtarget.c).
  init(_ binary: String) throws {
    self.binary = binary
    target = try LiveTarget(binary)
    guard let line = target.lines.last(where: { $0.hasPrefix("ready") }) else {
      throw TestFailure("no ready line")
    }
    var values: [String: UInt64] = [:]
    for field in line.split(separator: " ") {
      let parts = field.split(separator: "=")
      guard parts.count == 2 else { continue }
      let isLine = parts[0].hasSuffix("_line")
      values[String(parts[0])] = UInt64(parts[1], radix: isLine ? 10 : 16)
    }
    self.values = values
  }

  subscript(_ key: String) -> UInt64 { values[key] ?? 0 }
}

/// Runs a tool and returns its stdout, failing the test on a non-zero exit.
func tool(_ path: String, _ args: [String]) throws -> String {
  let result = try run(path, args)
  guard result.status == 0 else {
    throw TestFailure("\(path) \(args.joined(separator: " ")) failed: \(result.stderr)")
  }
  return result.stdout
}

/// A fresh directory under the test scratch directory.
func scratchDirectory(_ name: String) throws -> String {
  let dir = TargetBuilder.scratch + "/\(name)-\(UUID().uuidString.prefix(8))"
  try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  return dir
}
