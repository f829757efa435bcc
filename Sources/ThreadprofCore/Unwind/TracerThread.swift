// The one thread of threadprof that makes ptrace requests.
#if canImport(Glibc)
  import Glibc
#endif

/// Runs every stack collection of the process on one long-lived thread.
///
/// ptrace ties a traced thread to the thread that attached it: only that
/// thread may wait for it, read it or detach it. Collections called from
/// different threads (a test runner's workers, an app's queues) would
/// otherwise strand a thread that stopped late with a tracer that is
/// never asked again. On this thread all signals are unblocked, so the
/// interrupt handlers and the per-thread wait timer always reach it.
final class TracerThread: @unchecked Sendable {
  static let shared = TracerThread()

  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var job: (() -> Void)?
  private var finished = false

  private init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(cond, nil)
    var thread = pthread_t()
    let box = Unmanaged.passRetained(self).toOpaque()
    let rc = pthread_create(&thread, nil, { raw in
      let tracer = Unmanaged<TracerThread>.fromOpaque(raw!).takeRetainedValue()
      tracer.loop()
      return nil
    }, box)
    precondition(rc == 0, "cannot start the tracer thread: error \(rc)")
    pthread_detach(thread)
  }

  /// Runs `body` on the tracer thread and returns its result; callers wait.
  func run<T>(_ body: () -> T) -> T {
    withoutActuallyEscaping(body) { body in
      var result: T?
      pthread_mutex_lock(mutex)
      while job != nil { pthread_cond_wait(cond, mutex) }
      job = { result = body() }
      finished = false
      pthread_cond_broadcast(cond)
      while !finished { pthread_cond_wait(cond, mutex) }
      job = nil
      pthread_cond_broadcast(cond)
      pthread_mutex_unlock(mutex)
      return result!
    }
  }

  private func loop() {
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
    pthread_mutex_lock(mutex)
    while true {
      while job == nil || finished { pthread_cond_wait(cond, mutex) }
      let work = job!
      pthread_mutex_unlock(mutex)
      work()
      pthread_mutex_lock(mutex)
      finished = true
      pthread_cond_broadcast(cond)
    }
  }
}
