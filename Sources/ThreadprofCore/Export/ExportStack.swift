// The stack each export shows for a cluster: its unwound frames, or for a
// wait-site snapshot (no stacks) the place the threads wait.

/// Builds the frames that pprof and folded output show for a cluster.
public enum ExportStack {
  /// Module name of frames made up from a wait site rather than unwound.
  public static let syscallModule = "[syscall]"
  public static let stateModule = "[state]"

  /// The cluster's frames, innermost first:
  /// - its unwound stack, with the kernel stack on top when the unwound
  ///   stack carries no kernel frames of its own;
  /// - else its kernel stack (`/proc/<tid>/stack`) above a `syscall:<name>`
  ///   frame;
  /// - else a `[kernel]` frame named by the wait channel above the
  ///   `syscall:<name>` frame (`running` for a thread on a CPU);
  /// - else one `state:<letter>` frame, so every cluster has a stack.
  public static func frames(for cluster: Cluster) -> [StackFrame] {
    let kernel = (cluster.kernelStack ?? []).map {
      StackFrame(address: 0, module: "[kernel]", function: $0, kind: .kernel)
    }
    if let stack = cluster.stack, !stack.isEmpty {
      return stack.contains(where: \.isKernel) ? stack : kernel + stack
    }
    var out = kernel
    if out.isEmpty, let wchan = cluster.wchan, !wchan.isEmpty, wchan != "0" {
      out.append(StackFrame(address: 0, module: "[kernel]", function: wchan, kind: .kernel))
    }
    if let syscall = cluster.syscall, syscall != "-", !syscall.isEmpty {
      if syscall == "running" {
        out.append(StackFrame(address: 0, module: stateModule, function: "running"))
      } else {
        out.append(
          StackFrame(
            address: 0, module: syscallModule, function: "syscall:\(syscall)", kind: .kernel))
      }
    }
    if out.isEmpty {
      let name = "state:\(cluster.state ?? "?")"
      out.append(StackFrame(address: 0, module: stateModule, function: name, kind: .user))
    }
    return out
  }

  /// Where the cluster's threads are: the innermost user function of an
  /// unwound stack that was not inlined (`read` rather than the libc
  /// internal inlined into it), else the wait channel, else the system
  /// call, else `state:<letter>`.
  public static func site(of cluster: Cluster) -> String {
    if let stack = cluster.stack,
      let top = stack.first(where: { $0.kind != .kernel && $0.kind != .signal && !$0.inlined })
    {
      return top.symbol
    }
    if let wchan = cluster.wchan, !wchan.isEmpty, wchan != "0" { return wchan }
    if let syscall = cluster.syscall, syscall != "-", !syscall.isEmpty { return syscall }
    return "state:\(cluster.state ?? "?")"
  }

  /// The pattern most of the cluster's threads share (ties by pattern
  /// text): one unambiguous label value, where a join could not be split.
  public static func biggestNamePattern(of cluster: Cluster) -> String {
    cluster.names.min { ($0.count, $1.pattern) > ($1.count, $0.pattern) }?.pattern ?? ""
  }

  /// The cluster's name patterns joined with `,`, most common first.
  public static func namePattern(of cluster: Cluster) -> String {
    cluster.names.sorted { ($0.count, $1.pattern) > ($1.count, $0.pattern) }
      .map(\.pattern).joined(separator: ",")
  }
}
