// A spinner on stderr while a slow sample runs, only on a terminal.
#if canImport(Glibc)
  import Glibc
#endif
import Dispatch

/// Shows `| / - \` with a message on stderr after `delay`, until `stop()`;
/// then erases its line. Does nothing unless stderr is a terminal.
final class Spinner: @unchecked Sendable {
  private let timer: DispatchSourceTimer?
  private let lock = DispatchQueue(label: "threadprof.spinner")
  private var frame = 0
  private var shown = false

  init(_ message: String, enabled: Bool, delay: Double = 0.3) {
    guard enabled, isatty(STDERR_FILENO) == 1 else {
      timer = nil
      return
    }
    let timer = DispatchSource.makeTimerSource(queue: lock)
    self.timer = timer
    let marks = ["|", "/", "-", "\\"]
    timer.schedule(deadline: .now() + delay, repeating: 0.1)
    timer.setEventHandler { [unowned self] in
      shown = true
      Console.writeAll(STDERR_FILENO, Array("\r\(marks[frame % 4]) \(message)".utf8))
      frame += 1
    }
    timer.resume()
  }

  /// Stops the spinner and clears its line if it was drawn.
  func stop() {
    guard let timer else { return }
    lock.sync {
      timer.cancel()
      if shown { Console.writeAll(STDERR_FILENO, Array("\r\u{1b}[K".utf8)) }
      shown = false
    }
  }

  deinit { stop() }
}
