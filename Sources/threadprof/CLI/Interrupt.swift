// SIGINT and SIGTERM as a request to stop: a flag the watch loop checks
// between samples; a second signal ends the process at once.
#if canImport(Glibc)
  import Glibc
#endif
import Synchronization

/// The signal that asked us to stop, 0 while none did.
private let caught = Atomic<Int32>(0)

/// Graceful interrupt handling for long-running commands.
enum Interrupt {
  /// Installs the handlers (`sigaction` without `SA_RESTART`, so a
  /// `clock_nanosleep` between samples returns at once with `EINTR`).
  static func install() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { sig in
      if caught.exchange(sig, ordering: .relaxed) != 0 { _exit(128 + sig) }
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
    sigaction(SIGTERM, &action, nil)
    // A parent may have left them blocked (the mask is inherited).
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// True once SIGINT or SIGTERM arrived.
  static var requested: Bool { caught.load(ordering: .relaxed) != 0 }
}
