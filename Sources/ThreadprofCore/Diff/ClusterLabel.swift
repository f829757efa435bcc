// A short human name for a cluster, for one-line watch and diff output.

/// Names a cluster in a few words: the top function of its stack that is
/// not in the C library or the loader, else its wait site, plus its
/// thread-name pattern.
public enum ClusterLabel {
  /// Modules whose frames say little about who is waiting: the C library,
  /// the dynamic loader and the vdso.
  static let plumbing = ["libc.so", "libc-", "libpthread", "ld-linux", "ld-musl", "[vdso]"]

  /// E.g. `pool_worker_wait`, `janitor-* nanosleep (hrtimer_nanosleep)`.
  public static func of(_ cluster: Cluster) -> String {
    if let top = topFunction(cluster.stack) { return top }
    var parts: [String] = []
    if let name = cluster.names.first?.pattern, !name.isEmpty {
      parts.append(cluster.names.count > 1 ? name + " +\(cluster.names.count - 1)" : name)
    }
    parts.append(waitSite(cluster))
    return parts.joined(separator: " ")
  }

  /// The wait site: system call and kernel wait channel, or the state.
  public static func waitSite(_ cluster: Cluster) -> String {
    var site = ""
    if let syscall = cluster.syscall, syscall != "-" { site = syscall }
    if let wchan = cluster.wchan, !wchan.isEmpty, wchan != "0" {
      site += site.isEmpty ? wchan : " (\(wchan))"
    }
    if site.isEmpty, let state = cluster.state { site = "state \(state)" }
    return site.isEmpty ? "?" : site
  }

  /// The innermost user frame outside the plumbing modules, or the
  /// innermost user frame when every one is plumbing.
  static func topFunction(_ stack: [StackFrame]?) -> String? {
    guard let stack else { return nil }
    let user = stack.filter { $0.kind == .user || $0.kind == .jit }
    guard let first = user.first else { return nil }
    let own = user.first { frame in
      let module = frame.moduleName
      return !plumbing.contains { module.hasPrefix($0) }
    }
    return (own ?? first).symbol
  }
}
