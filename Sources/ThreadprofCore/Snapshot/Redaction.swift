// Removing what a snapshot should not carry into a bug report.

/// Replaces command-line arguments, the host name and home-directory paths
/// with placeholders, in every field that formats print.
public enum Redaction {
  public static let placeholder = "<redacted>"

  public static func apply(to snapshot: Snapshot) -> Snapshot {
    var s = snapshot
    s.host = placeholder
    let program = s.process.cmdline.first.map(redactPath) ?? ""
    s.process.cmdline = s.process.cmdline.isEmpty
      ? [] : [program] + Array(repeating: placeholder, count: s.process.cmdline.count - 1)
    s.process.exe = s.process.exe.map(redactPath)
    s.threads = s.threads.map { t in
      var t = t
      t.stack = t.stack?.map(redactFrame)
      return t
    }
    s.clusters = s.clusters.map { c in
      var c = c
      c.stack = c.stack?.map(redactFrame)
      return c
    }
    s.warnings = s.warnings.map(redactPath)
    s.modules = s.modules.map { m in
      var m = m
      m.path = redactPath(m.path)
      return m
    }
    return s
  }

  private static func redactFrame(_ f: StackFrame) -> StackFrame {
    var f = f
    f.module = f.module.map(redactPath)
    f.file = f.file.map(redactPath)
    return f
  }

  /// `/home/alice/x` → `/home/<redacted>/x`; `/root/x` → `/<redacted>/x`.
  static func redactPath(_ text: String) -> String {
    var out = ""
    var rest = Substring(text)
    while let range = rest.firstRange(of: "/home/") ?? rest.firstRange(of: "/Users/") {
      out += rest[..<range.upperBound]
      rest = rest[range.upperBound...]
      let user = rest.prefix { $0 != "/" && $0 != " " }
      out += placeholder
      rest = rest.dropFirst(user.count)
    }
    out += rest
    if out.hasPrefix("/root/") { out = "/" + placeholder + out.dropFirst(5) }
    return out
  }
}
