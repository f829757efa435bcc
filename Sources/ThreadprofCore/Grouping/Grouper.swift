// Threads into clusters: one cluster per distinct grouping key.

/// Groups thread records into clusters, biggest first.
///
/// A key holds only symbolic, stable facts (name pattern, state, wait
/// channel, system call, kernel stack, or the (module, function) sequence of
/// the stack), never tids, CPU time, ages or addresses, so the same
/// situation gives the same cluster `id` in every snapshot.
public struct Grouper: Sendable {
  public var groupBy: GroupBy
  /// Group `stack` clusters by exact addresses instead of (module, function).
  public var exact: Bool

  public init(groupBy: GroupBy, exact: Bool = false) {
    self.groupBy = groupBy
    self.exact = exact
  }

  /// The key parts of one thread under this grouping, in a fixed order.
  public func keyParts(of thread: ThreadRecord) -> [String] {
    let pattern = NamePattern.normalize(thread.nameBytes)
    let wait = Grouper.waitKey(of: thread)
    switch groupBy {
    case .name:
      return ["name=\(pattern)"]
    case .wait:
      return wait
    case .site:
      return ["name=\(pattern)"] + wait
    case .stack:
      guard let stack = thread.stack, !stack.isEmpty else {
        // No stack (unwind failed or skipped): fall back to the wait site,
        // marked so it never merges with a real stack.
        return ["nostack", "name=\(pattern)"] + wait
      }
      // Kernel frames are shown but not keyed: stopping a thread to unwind
      // it restarts an interrupted sleep through restart_syscall, which
      // changes its kernel frames (not its user frames) for good, and the
      // same code must stay one cluster across samples and runs.
      let user = stack.filter { $0.kind != .kernel }
      guard !user.isEmpty else { return ["kernel-only"] + wait }
      return user.map { frame in
        exact ? "0x" + String(frame.address, radix: 16) : frame.symbolicKey
      }
    }
  }

  /// The wait-site part of a key: state, wait channel, system call and
  /// kernel stack.
  ///
  /// A timed wait (`nanosleep`, `clock_nanosleep`, `poll`, a futex wait
  /// with a timeout: `ThreadRecord.timedWait`) that a ptrace stop
  /// interrupted is resumed through `restart_syscall`, and from then on
  /// /proc shows another system call, wait channel and kernel stack for the
  /// same thread at the same place. Such threads key as `sleep` without the
  /// changing parts, so unwinding a process once does not split them.
  /// Snapshots written before `timed_wait` existed key their sleeps by name.
  static func waitKey(of thread: ThreadRecord) -> [String] {
    let syscall = thread.syscall?.label ?? "?"
    if thread.timedWait
      || ["nanosleep", "clock_nanosleep", "restart_syscall"].contains(syscall)
    {
      return ["state=\(thread.state)", "sleep"]
    }
    return [
      "state=\(thread.state)",
      "wchan=\(thread.wchan ?? "?")",
      "syscall=\(syscall)",
      "kstack=\(thread.kernelStack?.joined(separator: ",") ?? "?")",
    ]
  }

  /// The stable id of a key: a digest of the grouping mode and its parts.
  public func id(of parts: [String]) -> String {
    var hash = StableHash()
    hash.combine(groupBy.rawValue + (exact ? "/exact" : ""))
    for part in parts { hash.combine(part) }
    return hash.hex
  }

  /// The id of one thread's key, `id(of: keyParts(of: thread))`; a stack
  /// key is hashed frame by frame without building its strings.
  func id(of thread: ThreadRecord) -> String {
    guard groupBy == .stack, !exact, let stack = thread.stack else {
      return id(of: keyParts(of: thread))
    }
    var hash = StableHash()
    hash.combine(groupBy.rawValue)
    var user = 0
    for frame in stack where frame.kind != .kernel {
      user += 1
      Self.hashKey(of: frame, into: &hash)
    }
    return user > 0 ? hash.hex : id(of: keyParts(of: thread))
  }

  /// Feeds `frame.symbolicKey` to `hash` as one part. The common case, a
  /// named user frame in an ASCII path, skips the string building.
  private static func hashKey(of frame: StackFrame, into hash: inout StableHash) {
    guard frame.kind == .user, let function = frame.function, let module = frame.module,
      module.utf8.allSatisfy({ $0 < 0x80 })
    else {
      hash.combine(frame.symbolicKey)
      return
    }
    // ASCII: the last "/" byte is the last "/" character, as in moduleName.
    let bytes = module.utf8
    if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) {
      hash.feed(bytes[bytes.index(after: slash)...])
    } else {
      hash.feed(bytes)
    }
    hash.feed(CollectionOfOne(UInt8(ascii: "!")))
    hash.feed(function.utf8)
    hash.endPart()
  }

  /// Groups `threads`; clusters are sorted by size, then by id so the order
  /// is the same for equal sizes in every run.
  public func group(_ threads: [ThreadRecord]) -> [Cluster] {
    var order: [String] = []
    var members: [String: [Int]] = [:]
    for (index, thread) in threads.enumerated() {
      let id = id(of: thread)
      if members[id] == nil { order.append(id) }
      members[id, default: []].append(index)
    }
    var clusters = order.map { id in
      makeCluster(id: id, members: members[id]!.map { threads[$0] })
    }
    clusters.sort { a, b in a.count != b.count ? a.count > b.count : a.id < b.id }
    return clusters
  }

  private func makeCluster(id: String, members: [ThreadRecord]) -> Cluster {
    var patterns: [String: Int] = [:]
    for thread in members { patterns[NamePattern.normalize(thread.nameBytes), default: 0] += 1 }
    let names = patterns.map { NameCount(pattern: $0.key, count: $0.value) }
      .sorted { a, b in a.count != b.count ? a.count > b.count : a.pattern < b.pattern }
    let first = members[0]
    return Cluster(
      id: id,
      count: members.count,
      tids: members.map(\.tid).sorted(),
      names: names,
      state: shared(members) { String($0.state) },
      wchan: shared(members) { $0.wchan ?? "?" },
      syscall: shared(members) { $0.syscall?.label ?? "?" },
      kernelStack: first.kernelStack,
      stack: first.stack,
      cpuSeconds: members.reduce(0) { $0 + $1.cpuSeconds },
      youngestSeconds: members.map(\.ageSeconds).min() ?? 0,
      oldestSeconds: members.map(\.ageSeconds).max() ?? 0)
  }

  /// The value all members share, or their distinct values joined by `|`
  /// (most common first) when the key does not pin it down.
  private func shared(_ members: [ThreadRecord], _ value: (ThreadRecord) -> String) -> String {
    var counts: [String: Int] = [:]
    for m in members { counts[value(m), default: 0] += 1 }
    if counts.count == 1 { return counts.keys.first! }
    return counts.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
      .map(\.key).joined(separator: "|")
  }
}
