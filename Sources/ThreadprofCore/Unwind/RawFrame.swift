// The seam between unwinding (which finds addresses) and symbolizing
// (which names them).

/// One frame as the unwinder found it, before any name is attached.
public struct RawFrame: Sendable, Hashable {
  /// The instruction pointer: for the innermost frame and for a frame
  /// interrupted by a signal, the exact PC; otherwise a return address.
  public var ip: UInt64
  /// True for the kernel's signal-return trampoline frame.
  public var isSignalFrame: Bool
  /// True when `ip` must be looked up as is (innermost frame, or the frame
  /// a signal interrupted); false for return addresses, which are looked
  /// up at `ip - 1` so a call at a function's end names the caller.
  public var exactPC: Bool

  public init(ip: UInt64, isSignalFrame: Bool = false, exactPC: Bool = false) {
    self.ip = ip
    self.isSignalFrame = isSignalFrame
    self.exactPC = exactPC
  }
}

/// Names raw frames. One symbolizer serves every thread of a process (and
/// every sample of a `watch`), so it caches per module and per address.
public protocol FrameSymbolizing: AnyObject {
  /// Symbolizes one thread's frames, innermost first. Inlined functions
  /// expand one raw frame into several `StackFrame`s (innermost first,
  /// `inlined == true` on all but the last of each group).
  func symbolize(_ frames: [RawFrame]) -> [StackFrame]
}
