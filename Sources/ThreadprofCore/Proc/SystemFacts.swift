// Host name and kernel release, read under a proc root so that captured
// trees carry the machine they came from.

/// Facts about the machine a proc root belongs to.
public enum SystemFacts {
  /// `<root>/sys/kernel/hostname`, or `""` when missing.
  public static func host(root: String = "/proc") -> String {
    line(root + "/sys/kernel/hostname")
  }

  /// `<root>/sys/kernel/osrelease` (the `uname -r` text), or `""`.
  public static func kernel(root: String = "/proc") -> String {
    line(root + "/sys/kernel/osrelease")
  }

  private static func line(_ path: String) -> String {
    let buf = FileBuffer(capacity: 256)
    guard buf.load(path: path) == 0 else { return "" }
    return String(decoding: ProcBytes.trimNewline(buf.bytes), as: UTF8.self)
  }
}
