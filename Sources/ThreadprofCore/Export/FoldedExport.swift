// Folded stacks, the input of flamegraph.pl, inferno and speedscope: one
// line per stack, root first, frames joined by `;`, then a space and the
// thread count.

/// Renders snapshots as folded stacks.
///
/// The root frame of every line is the thread name pattern, so a flame
/// graph splits by pool first; a cluster whose threads carry several name
/// patterns gives one line per pattern, with that pattern's count. Kernel
/// frames end in `_[k]` and inlined ones in `_[i]`, the suffixes
/// flamegraph.pl colours. Wait-site snapshots use `ExportStack`'s frames.
///
/// Escaping, each byte once: function names get `\` as `\\`, `;` as
/// `\x3b` and control characters (newline, tab, ...) as `\xNN`. Thread-name
/// patterns are already printable in `NameEscaping`'s form (`\\`, `\xNN`),
/// so only their `;` becomes `\x3b`. Spaces are kept: readers take the
/// count after the last space, and demangled C++ names contain spaces.
/// The counts of all lines add up to the snapshot's thread count.
public enum FoldedExport {
  public static func render(_ snapshot: Snapshot) -> String {
    var order: [String] = []
    var counts: [String: Int] = [:]
    func add(_ stack: String, _ n: Int) {
      guard n > 0 else { return }
      if counts[stack] == nil { order.append(stack) }
      counts[stack, default: 0] += n
    }
    for cluster in snapshot.clusters {
      let frames = ExportStack.frames(for: cluster).reversed().map(label).joined(separator: ";")
      var named = 0
      for name in cluster.names where name.count > 0 {
        let n = min(name.count, cluster.count - named)
        add(escapeName(name.pattern.isEmpty ? "?" : name.pattern) + ";" + frames, n)
        named += n
      }
      add("?;" + frames, cluster.count - named)
    }
    return order.map { "\($0) \(counts[$0]!)\n" }.joined()
  }

  /// One frame's text: the escaped symbol with its kind suffix.
  static func label(_ frame: StackFrame) -> String {
    var text = escape(frame.kind == .signal && frame.function == nil ? "[signal]" : frame.symbol)
    if frame.kind == .kernel {
      text += "_[k]"
    } else if frame.inlined {
      text += "_[i]"
    }
    return text
  }

  /// A name pattern (already printable, escapes written by `NameEscaping`)
  /// with its `;` written as `\x3b`; its backslashes are kept as they are.
  /// Control characters, which only a hand-made snapshot can carry, still
  /// become `\xNN` so that each line stays one line.
  public static func escapeName(_ pattern: String) -> String {
    var out = ""
    for scalar in pattern.unicodeScalars {
      switch scalar {
      case ";": out += "\\x3b"
      case _ where scalar.value < 0x20 || scalar.value == 0x7f:
        out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Escapes `\`, `;` and control characters as described on the type.
  public static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case ";": out += "\\x3b"
      case _ where scalar.value < 0x20 || scalar.value == 0x7f:
        out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
