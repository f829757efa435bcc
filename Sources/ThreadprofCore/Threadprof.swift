// Facts about this build of threadprof.

/// The tool's identity, shared by every command and document.
public enum Threadprof {
  public static let version = "0.1.0"
}
