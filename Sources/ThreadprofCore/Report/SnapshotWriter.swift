// Writes a Snapshot as JSON straight into a byte buffer, the same bytes the
// Codable encoding gives, without building a document tree first.

/// A hand-written JSON writer for `Snapshot`.
///
/// JSONEncoder builds every value of the document as a tree before writing
/// it; for a 1,000-thread `--stacks` snapshot that tree is most of the run
/// time and memory. This writer appends bytes as it walks the snapshot,
/// producing exactly what `SnapshotJSON.encode` produces (pretty printed,
/// keys sorted, slashes unescaped, nulls where the Codable conformance
/// writes them). Keys are written in sorted order by hand below; the tests
/// compare both encodings on real and hostile snapshots.
struct SnapshotWriter {
  private(set) var out: [UInt8] = []
  private var depth = 0
  /// Receives the bytes written so far once `out` passes `flushAt`;
  /// `nil` keeps the whole document in `out`.
  private let sink: (([UInt8]) -> Void)?
  private let flushAt: Int

  private init(capacity: Int, sink: (([UInt8]) -> Void)?) {
    self.sink = sink
    flushAt = sink == nil ? Int.max : capacity - 8192
    out.reserveCapacity(capacity)
  }

  /// The whole document, with the trailing newline `SnapshotJSON` adds.
  static func write(_ s: Snapshot) -> [UInt8] {
    var frames = 0
    for t in s.threads { frames += t.stack?.count ?? 0 }
    // About what the pretty layout takes per thread and per frame, so the
    // buffer is allocated once instead of doubled and copied.
    let estimate = 8192 + (s.threads.count + s.clusters.count) * 1000 + frames * 460
    var w = SnapshotWriter(capacity: estimate, sink: nil)
    w.snapshot(s)
    w.out.append(UInt8(ascii: "\n"))
    return w.out
  }

  /// The same document handed to `sink` in pieces of about `chunk` bytes,
  /// so the whole of it is never in memory at once.
  static func write(_ s: Snapshot, chunk: Int, sink: @escaping ([UInt8]) -> Void) {
    var w = SnapshotWriter(capacity: max(chunk, 1) + 8192, sink: sink)
    w.snapshot(s)
    w.out.append(UInt8(ascii: "\n"))
    sink(w.out)
  }

  /// Hands the buffer to the sink once it is nearly full (between values).
  private mutating func flushIfFull() {
    guard out.count >= flushAt, let sink else { return }
    sink(out)
    out.removeAll(keepingCapacity: true)
  }

  // MARK: documents

  private mutating func snapshot(_ s: Snapshot) {
    object { w in
      w.key("clusters", first: true)
      w.array(s.clusters) { w, c in w.cluster(c) }
      w.key("frozen")
      w.bool(s.frozen)
      w.key("group_by")
      w.string(s.groupBy.rawValue)
      w.key("host")
      w.string(s.host)
      w.key("kernel")
      w.string(s.kernel)
      if let pause = s.maxPauseMicros {
        w.key("max_pause_us")
        w.int(pause)
      }
      w.key("modules")
      w.array(s.modules) { w, m in w.module(m) }
      w.key("process")
      w.process(s.process)
      w.key("schema")
      w.string(s.schema)
      w.key("skipped")
      w.object { w in
        w.key("exited", first: true)
        w.int(s.skipped.exited)
        w.key("unreadable")
        w.int(s.skipped.unreadable)
        w.key("unwind_failed")
        w.int(s.skipped.unwindFailed)
      }
      w.key("stacks")
      w.bool(s.stacks)
      w.key("taken_at")
      w.string(s.takenAt)
      w.key("threads")
      w.array(s.threads) { w, t in w.thread(t) }
      w.key("tool")
      w.object { w in
        w.key("name", first: true)
        w.string(s.tool.name)
        w.key("version")
        w.string(s.tool.version)
      }
      w.key("warnings")
      w.array(s.warnings) { w, text in w.string(text) }
    }
  }

  private mutating func process(_ p: TargetProcess) {
    object { w in
      w.key("cmdline", first: true)
      w.array(p.cmdline) { w, arg in w.string(arg) }
      if let exe = p.exe {
        w.key("exe")
        w.string(exe)
      }
      w.key("name")
      w.string(p.name)
      w.key("nspid")
      w.array(p.nsPids) { w, n in w.int(Int(n)) }
      w.key("pid")
      w.int(Int(p.pid))
    }
  }

  private mutating func module(_ m: ModuleInfo) {
    object { w in
      var first = true
      if let id = m.buildID {
        w.key("build_id", first: true)
        w.string(id)
        first = false
      }
      if let bias = m.loadBias {
        w.key("load_bias", first: first)
        w.uint(bias)
        first = false
      }
      w.key("path", first: first)
      w.string(m.path)
      w.key("symbols")
      w.string(m.symbols)
    }
  }

  private mutating func cluster(_ c: Cluster) {
    object { w in
      w.key("count", first: true)
      w.int(c.count)
      w.key("cpu_seconds")
      w.double(JSONNumber.millis(c.cpuSeconds))
      w.key("id")
      w.string(c.id)
      w.key("kernel_stack")
      w.stringsOrNull(c.kernelStack)
      w.key("names")
      w.array(c.names) { w, n in
        w.object { w in
          w.key("count", first: true)
          w.int(n.count)
          w.key("pattern")
          w.string(n.pattern)
        }
      }
      w.key("oldest_seconds")
      w.double(JSONNumber.millis(c.oldestSeconds))
      if let stack = c.stack {
        w.key("stack")
        w.array(stack) { w, f in w.frame(f) }
      }
      w.key("state")
      w.stringOrNull(c.state)
      w.key("syscall")
      w.stringOrNull(c.syscall)
      w.key("tids")
      w.array(c.tids) { w, tid in w.int(Int(tid)) }
      w.key("wchan")
      w.stringOrNull(c.wchan)
      w.key("youngest_seconds")
      w.double(JSONNumber.millis(c.youngestSeconds))
    }
  }

  private mutating func thread(_ t: ThreadRecord) {
    object { w in
      w.key("age_seconds", first: true)
      w.double(JSONNumber.millis(t.ageSeconds))
      w.key("cpu_seconds")
      w.double(JSONNumber.millis(t.cpuSeconds))
      w.key("kernel_stack")
      w.stringsOrNull(t.kernelStack)
      w.key("last_cpu")
      w.int(Int(t.lastCPU))
      w.key("name")
      w.string(t.name)
      if t.nameIsLossy {
        w.key("name_bytes")
        w.string(Base64.encode(t.nameBytes))
      }
      w.key("nice")
      w.int(Int(t.nice))
      if let n = t.involuntarySwitches {
        w.key("nonvoluntary_ctxt_switches")
        w.uint(n)
      }
      w.key("nstid")
      w.array(t.nsTids) { w, n in w.int(Int(n)) }
      w.key("ppid")
      w.int(Int(t.ppid))
      w.key("priority")
      w.int(Int(t.priority))
      if let stack = t.stack {
        w.key("stack")
        w.array(stack) { w, f in w.frame(f) }
      }
      if let note = t.stackNote {
        w.key("stack_note")
        w.string(note)
      }
      w.key("start_ticks")
      w.uint(t.startTicks)
      w.key("state")
      w.string(String(t.state))
      w.key("stime_ticks")
      w.uint(t.stimeTicks)
      w.key("syscall")
      w.stringOrNull(t.syscall?.label)
      if case .inSyscall(let number, _)? = t.syscall {
        w.key("syscall_nr")
        w.int(number)
      }
      if let tgid = t.tgid {
        w.key("tgid")
        w.int(Int(tgid))
      }
      w.key("tid")
      w.int(Int(t.tid))
      if t.timedWait {
        w.key("timed_wait")
        w.bool(true)
      }
      w.key("utime_ticks")
      w.uint(t.utimeTicks)
      if let n = t.voluntarySwitches {
        w.key("voluntary_ctxt_switches")
        w.uint(n)
      }
      w.key("wchan")
      w.stringOrNull(t.wchan)
    }
  }

  private mutating func frame(_ f: StackFrame) {
    object { w in
      w.key("address", first: true)
      w.hexString(f.address)
      w.key("build_id")
      w.stringOrNull(f.buildID)
      w.key("file")
      w.stringOrNull(f.file)
      w.key("file_offset")
      if let v = f.fileOffset { w.uint(v) } else { w.null() }
      w.key("function")
      w.stringOrNull(f.function)
      w.key("inlined")
      w.bool(f.inlined)
      w.key("kernel")
      w.bool(f.kind == .kernel)
      w.key("kind")
      w.string(f.kind.rawValue)
      w.key("line")
      if let v = f.line { w.int(v) } else { w.null() }
      w.key("module")
      w.stringOrNull(f.module)
      w.key("offset")
      if let v = f.offset { w.uint(v) } else { w.null() }
    }
  }

  // MARK: structure

  /// A newline and 32 levels of two-space indentation, sliced per line.
  private static let indentation: [UInt8] = [0x0A] + Array(repeating: 0x20, count: 64)

  private mutating func newline() {
    let n = 1 + 2 * depth
    if n <= Self.indentation.count {
      out.append(contentsOf: Self.indentation[0..<n])
    } else {
      out.append(UInt8(ascii: "\n"))
      for _ in 0..<depth { raw("  ") }
    }
  }

  /// `{`, the members `body` writes (the first key with `first: true`),
  /// then `}` on its own line.
  private mutating func object(_ body: (inout SnapshotWriter) -> Void) {
    out.append(UInt8(ascii: "{"))
    depth += 1
    body(&self)
    depth -= 1
    newline()
    out.append(UInt8(ascii: "}"))
  }

  private mutating func key(_ name: StaticString, first: Bool = false) {
    if !first { out.append(UInt8(ascii: ",")) }
    newline()
    out.append(UInt8(ascii: "\""))
    raw(name)
    raw("\" : ")
  }

  private mutating func array<C: Collection>(
    _ items: C, _ element: (inout SnapshotWriter, C.Element) -> Void
  ) {
    out.append(UInt8(ascii: "["))
    if items.isEmpty {
      // JSONEncoder writes an empty array as `[`, a blank line, `]`.
      out.append(UInt8(ascii: "\n"))
      newline()
      out.append(UInt8(ascii: "]"))
      return
    }
    depth += 1
    var first = true
    for item in items {
      if !first { out.append(UInt8(ascii: ",")) }
      first = false
      newline()
      element(&self, item)
      flushIfFull()
    }
    depth -= 1
    newline()
    out.append(UInt8(ascii: "]"))
  }

  // MARK: scalars

  /// Appends literal text (keys, punctuation) without an array literal.
  @inline(__always)
  private mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { out.append(contentsOf: $0) }
  }

  private mutating func null() { raw("null") }

  private mutating func bool(_ v: Bool) {
    if v {
      raw("true")
    } else {
      raw("false")
    }
  }

  private mutating func int(_ v: Int) {
    if v < 0 {
      out.append(UInt8(ascii: "-"))
      uint(v.magnitude)
    } else {
      uint(UInt64(v))
    }
  }

  private mutating func uint<T: UnsignedInteger & FixedWidthInteger>(_ v: T) {
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes >= 20 digits
    var value = UInt64(v)
    var n = 0
    withUnsafeMutableBytes(of: &digits) { d in
      repeat {
        d[n] = UInt8(ascii: "0") &+ UInt8(value % 10)
        value /= 10
        n += 1
      } while value > 0
      while n > 0 {
        n -= 1
        out.append(d[n])
      }
    }
  }

  /// Doubles as JSONEncoder writes them: the shortest round-tripping text,
  /// without a trailing `.0`. Callers pass finite values (`JSONNumber.millis`).
  private mutating func double(_ v: Double) {
    var text = v.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    out.append(contentsOf: text.utf8)
  }

  private mutating func hexString(_ v: UInt64) {
    raw("\"0x")
    var shift = 60
    while shift > 0 && (v >> UInt64(shift)) & 15 == 0 { shift -= 4 }
    while shift >= 0 {
      let d = UInt8((v >> UInt64(shift)) & 15)
      out.append(d < 10 ? 0x30 &+ d : 0x57 &+ d)
      shift -= 4
    }
    out.append(UInt8(ascii: "\""))
  }

  private mutating func stringOrNull(_ s: String?) {
    if let s { string(s) } else { null() }
  }

  private mutating func stringsOrNull(_ list: [String]?) {
    guard let list else { return null() }
    array(list) { w, s in w.string(s) }
  }

  private static let hex = Array("0123456789abcdef".utf8)

  /// A JSON string: `"` and `\` escaped, control characters as `\n`-style
  /// or `\u00XX` escapes, everything else (slashes, non-ASCII) as is.
  private mutating func string(_ s: String) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { bytes in
      var start = 0
      for i in 0..<bytes.count {
        let b = bytes[i]
        guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
        if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
        start = i + 1
        out.append(UInt8(ascii: "\\"))
        switch b {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
          raw("u00")
          out.append(Self.hex[Int(b >> 4)])
          out.append(Self.hex[Int(b & 15)])
        }
      }
      if start < bytes.count {
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]))
      }
    }
    out.append(UInt8(ascii: "\""))
  }
}
