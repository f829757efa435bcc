// The snapshot as text for people: a header, then clusters biggest first.

/// Renders a snapshot for a terminal or a log, within 100 columns.
public struct TextReport {
  /// Styles the caller may apply (the CLI adds ANSI colour on a terminal).
  public enum Emphasis { case heading, count, dim, kernel, warning }

  public var maxClusters: Int?
  public var maxTids: Int
  /// Show every frame's file:line when known.
  public var showLines: Bool
  public var style: (String, Emphasis) -> String

  public init(
    maxClusters: Int? = nil, maxTids: Int = 8, showLines: Bool = true,
    style: @escaping (String, Emphasis) -> String = { text, _ in text }
  ) {
    self.maxClusters = maxClusters
    self.maxTids = maxTids
    self.showLines = showLines
    self.style = style
  }

  public func render(_ snapshot: Snapshot) -> String {
    var out = header(snapshot)
    let shown = maxClusters.map { Array(snapshot.clusters.prefix($0)) } ?? snapshot.clusters
    let width = String(shown.first?.count ?? 0).count
    for cluster in shown {
      out += "\n" + clusterBlock(cluster, countWidth: width, stacks: snapshot.stacks)
    }
    if shown.count < snapshot.clusters.count {
      let rest = snapshot.clusters.dropFirst(shown.count)
      let threads = rest.reduce(0) { $0 + $1.count }
      let text = "… \(rest.count) more cluster\(rest.count == 1 ? "" : "s") with \(threads) "
        + "thread\(threads == 1 ? "" : "s")"
      out += "\n" + style(text, .dim) + "\n"
    }
    out += footer(snapshot)
    return out
  }

  private func header(_ s: Snapshot) -> String {
    var line1 = "pid \(s.process.pid) \(s.process.name)"
    if s.process.nsPids.count > 1 {
      line1 += " (pid \(s.process.nsPids.last!) in its namespace)"
    }
    if let exe = s.process.exe { line1 += "  \(exe)" }
    let threads = s.threads.count
    var line2 = "\(threads) thread\(threads == 1 ? "" : "s") in \(s.clusters.count) "
      + "cluster\(s.clusters.count == 1 ? "" : "s"), grouped by \(s.groupBy.rawValue)"
    if s.stacks {
      // On a line of its own: appended to the counts it passed 100 columns.
      line2 += "\n"
        + (s.frozen ? "all threads frozen together" : "stacks unwound one thread at a time")
      if let pause = s.maxPauseMicros { line2 += ", longest pause \(pauseText(pause))" }
    } else {
      line2 += "; wait sites only (no stacks)"
    }
    return style(line1, .heading) + "\n" + line2 + "\n"
      + style("\(s.takenAt)  \(s.host)  Linux \(s.kernel)  threadprof \(s.tool.version)", .dim)
      + "\n"
  }

  private func pauseText(_ micros: Int) -> String {
    micros < 1000 ? "\(micros) µs" : "\(Formatting.rounded(Double(micros) / 1000, 1)) ms"
  }

  private func clusterBlock(_ c: Cluster, countWidth: Int, stacks: Bool) -> String {
    let count = Formatting.right(String(c.count), countWidth)
    let indent = String(repeating: " ", count: countWidth + 2)
    let names = c.names.prefix(3).map { "\($0.pattern) ×\($0.count)" }.joined(separator: ", ")
      + (c.names.count > 3 ? ", … \(c.names.count - 3) more" : "")
    let idText = "id \(c.id)"
    let room = max(10, 98 - countWidth - 2 - idText.count - 2)
    var out = style(count, .count) + "  " + style(Formatting.fit(names, room), .heading) + "  "
      + style(idText, .dim) + "\n"
    var site = "state \(c.state ?? "?")"
    if let w = c.wchan, !w.isEmpty { site += " · wchan \(w)" }
    if let sc = c.syscall, sc != "-" { site += " · syscall \(sc)" }
    site += " · cpu \(Formatting.cpu(c.cpuSeconds)) · age \(ageRange(c))"
    out += indent + site + "\n"
    out += indent + style(tidList(c.tids, width: 98 - indent.count), .dim) + "\n"
    if let stack = c.stack, stacks {
      for frame in stack where !TextReport.isSyscallEntry(frame) {
        out += indent + "  " + frameLine(frame) + "\n"
      }
    } else if let kstack = c.kernelStack, !kstack.isEmpty {
      out += indent + style(kernelLine(kstack, width: 98 - indent.count), .kernel) + "\n"
    }
    return out
  }

  /// Kernel frames every system call passes through (`do_syscall_64`,
  /// `entry_SYSCALL_64_after_hwframe`, `__x64_sys_read`): the text output
  /// leaves them out, JSON and the other formats keep them.
  static func isSyscallEntry(_ frame: StackFrame) -> Bool {
    guard frame.kind == .kernel, let name = frame.function else { return false }
    return name.hasPrefix("entry_SYSCALL") || name == "do_syscall_64"
      || name.hasPrefix("__x64_sys_") || name.hasPrefix("__do_sys_") || name == "x64_sys_call"
      || name.hasPrefix("__arm64_sys_") || name.hasPrefix("el0_svc") || name == "invoke_syscall"
  }

  /// `tids 1 2 3 … (+40)`, as many as fit in `width` (at most `maxTids`).
  private func tidList(_ tids: [Int32], width: Int) -> String {
    var text = "tids"
    var shown = 0
    for tid in tids.prefix(maxTids) {
      let more = " \(tid)"
      if text.count + more.count > width - 12 { break }
      text += more
      shown += 1
    }
    if shown < tids.count { text += " … (+\(tids.count - shown))" }
    return text
  }

  /// `kernel: a ← b ← c …`, cut to `width` columns.
  private func kernelLine(_ frames: [String], width: Int) -> String {
    var text = "kernel:"
    for (i, frame) in frames.enumerated() {
      let more = (i == 0 ? " " : " ← ") + frame
      if text.count + more.count > width - 2 { return text + " …" }
      text += more
    }
    return text
  }

  private func ageRange(_ c: Cluster) -> String {
    let young = Formatting.age(c.youngestSeconds)
    let old = Formatting.age(c.oldestSeconds)
    return young == old ? young : "\(young)–\(old)"
  }

  /// `function (module)  file:line`, kernel frames marked `[k]`.
  public func frameLine(_ f: StackFrame) -> String {
    switch f.kind {
    case .kernel:
      return style("[k] \(f.function ?? "?")", .kernel)
    case .signal:
      return "<signal handler called> (\(f.function ?? f.moduleName))"
    default:
      var line = f.inlined ? "(inline) " : ""
      line += "\(f.symbol) (\(f.moduleName))"
      if showLines, let file = f.file, let l = f.line {
        let short = file.split(separator: "/").suffix(2).joined(separator: "/")
        line += style("  \(short):\(l)", .dim)
      }
      return line
    }
  }

  private func footer(_ s: Snapshot) -> String {
    var notes: [String] = []
    if s.skipped.exited > 0 {
      notes.append("\(s.skipped.exited) thread(s) exited during the scan and were skipped")
    }
    if s.skipped.unreadable > 0 {
      notes.append("\(s.skipped.unreadable) thread(s) could not be read (permission)")
    }
    if s.skipped.unwindFailed > 0 {
      notes.append("\(s.skipped.unwindFailed) stack(s) could not be unwound")
    }
    notes += s.warnings
    guard !notes.isEmpty else { return "" }
    return "\n" + notes.map { style("note: " + $0, .warning) + "\n" }.joined()
  }
}
