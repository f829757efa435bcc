// SIGINT and SIGTERM as a request to stop: a flag the watch loop checks
// between samples; a second signal ends the process at once.
#if canImport(Glibc)
  import Glibc
#endif
import ThreadprofCore

/// Graceful interrupt handling for long-running commands, shared with the
/// unwinder: a signal mid-scan detaches every traced thread first.
enum Interrupt {
  /// Installs the unwinder's graceful handlers for SIGINT, SIGTERM and
  /// SIGHUP. A `clock_nanosleep` between samples returns at once with
  /// `EINTR` (the kernel never restarts it), and a stack collection stops
  /// early. A second signal exits with 128 + signal.
  static func install() {
    StackCollector.installSignalHandlers(graceful: true)
    // A parent may have left them blocked (the mask is inherited).
    var set = sigset_t()
    sigemptyset(&set)
    for sig in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, sig) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// True once SIGINT, SIGTERM or SIGHUP arrived.
  static var requested: Bool { StackCollector.interruptSignal != nil }
}
