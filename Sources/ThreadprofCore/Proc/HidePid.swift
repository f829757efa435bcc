// Whether a proc root hides other users' processes (the hidepid option).
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Detects procfs mounted with `hidepid=1|2|invisible|noaccess`.
enum HidePid {
  /// The hint for a missing pid, `nil` when `root` does not hide processes.
  static func hint(root: String) -> String? {
    guard isActive(root: root) else { return nil }
    return "it may be hidden by the hidepid option of \(root); "
      + "run as root or as the target's user"
  }

  /// True when `/proc/self/mountinfo` shows `root` mounted with a hidepid
  /// other than 0/off, or when, not being root, we cannot see pid 1.
  static func isActive(root: String) -> Bool {
    if hides(mountOptions(of: root)) { return true }
    return geteuid() != 0 && access(root + "/self", F_OK) == 0 && access(root + "/1", F_OK) != 0
  }

  /// True when the options include a hidepid that hides anything.
  static func hides(_ options: [Substring]) -> Bool {
    options.contains { opt in
      opt.hasPrefix("hidepid=") && opt != "hidepid=0" && opt != "hidepid=off"
    }
  }

  /// The super-block options of the mount at `path` (mountinfo's last field).
  static func mountOptions(of path: String) -> [Substring] {
    let buf = FileBuffer(capacity: 16384)
    guard buf.load(path: "/proc/self/mountinfo") == 0 else { return [] }
    return mountOptions(of: path, in: String(decoding: buf.bytes, as: UTF8.self))
  }

  /// The options of the last mount at `path` in mountinfo text (proc(5):
  /// field 5 is the mount point; after the `-` come type, source, options).
  static func mountOptions(of path: String, in text: String) -> [Substring] {
    var found: [Substring] = []
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count > 4, fields[4] == path,
        let dash = fields.firstIndex(of: "-"), dash + 3 < fields.count
      else { continue }
      found = fields[dash + 3].split(separator: ",")
    }
    return found
  }
}
