// Which threads a leak check leaves out (or looks at): by name or by the
// place the thread waits.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Selects threads by name or by wait site, for `ThreadLeakCheck`.
public struct ThreadFilter: Sendable, Hashable, CustomStringConvertible {
  enum Kind: Sendable, Hashable {
    case name(String)
    case site(String)
  }

  let kind: Kind

  /// Threads whose name matches `pattern`: a glob (`*`, `?`, `[...]`, as
  /// `fnmatch(3)`) tried on the raw name (`comm`) and on its normalized
  /// form, so `pool-*` and `pool-N-thread-N` both match `pool-3-thread-17`.
  public static func name(_ pattern: String) -> ThreadFilter { ThreadFilter(kind: .name(pattern)) }

  /// Threads waiting at `pattern` (a glob): their wait channel
  /// (`/proc/<tid>/wchan`), system call, innermost kernel frame
  /// (`/proc/<tid>/stack`), or innermost user function when a stack was
  /// unwound.
  public static func site(_ pattern: String) -> ThreadFilter { ThreadFilter(kind: .site(pattern)) }

  /// Threads of the Swift and Dispatch runtimes, which every leak check
  /// leaves out: libdispatch's worker pool (which also runs Swift
  /// concurrency's tasks on Linux) names its threads after the queue, cut
  /// by the kernel to the last 15 bytes (`oot.default-qos`,
  /// `-qos.overcommit`). The pool grows and shrinks on its own; its
  /// threads are not the checked code's.
  public static let runtimeDefaults: [ThreadFilter] = [.name("*qos*"), .name("*overcommit*")]

  public var description: String {
    switch kind {
    case .name(let p): return "name \(p)"
    case .site(let p): return "site \(p)"
    }
  }

  /// True when `thread` is selected by this filter.
  public func matches(_ thread: ThreadRecord) -> Bool {
    switch kind {
    case .name(let pattern):
      return [thread.name, NamePattern.normalize(thread.nameBytes)].contains {
        Self.glob(pattern, $0)
      }
    case .site(let pattern):
      var sites: [String] = []
      if let wchan = thread.wchan, !wchan.isEmpty { sites.append(wchan) }
      if let syscall = thread.syscall { sites.append(syscall.label) }
      if let top = thread.kernelStack?.first { sites.append(top) }
      if let frame = thread.stack?.first(where: { $0.kind == .user }) { sites.append(frame.symbol) }
      return sites.contains { Self.glob(pattern, $0) }
    }
  }

  /// `fnmatch(3)` without flags: `*` and `?` match any character.
  static func glob(_ pattern: String, _ text: String) -> Bool {
    fnmatch(pattern, text, 0) == 0
  }
}
