// A real pthread pool for leak-check tests: named threads parked in read()
// on a pipe until the pool is closed, then joined.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `count` threads named `<prefix>-<i>`, each blocked in `read(2)` on one
/// pipe. `release()` closes the pipe's write end so they return; `join()`
/// waits for them. Threads are started with `pthread_create` directly, as
/// a native library would.
final class ParkedPool: @unchecked Sendable {
  private var threads: [pthread_t] = []
  private let readFD: Int32
  private var writeFD: Int32
  private var joined = false

  private final class Context {
    let name: String
    let fd: Int32
    init(name: String, fd: Int32) {
      self.name = name
      self.fd = fd
    }
  }

  init(prefix: String, count: Int) throws {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
    readFD = fds[0]
    writeFD = fds[1]
    for i in 0..<count {
      let ctx = Unmanaged.passRetained(Context(name: "\(prefix)-\(i)", fd: readFD)).toOpaque()
      var t = pthread_t()
      let rc = pthread_create(&t, nil, { raw in
        let ctx = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
        // What pthread_setname_np does (Swift's Glibc module hides it).
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        if fd >= 0 {
          _ = ctx.name.withCString { write(fd, $0, strlen($0)) }
          close(fd)
        }
        var byte: UInt8 = 0
        while read(ctx.fd, &byte, 1) > 0 {}
        return nil
      }, ctx)
      guard rc == 0 else { throw POSIXError(.EAGAIN) }
      threads.append(t)
    }
    // Wait until every thread has its name and sleeps in read().
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline && parkedCount(prefix) < count { usleep(1000) }
  }

  /// Threads of this process named `<prefix>-*` and sleeping (state S).
  private func parkedCount(_ prefix: String) -> Int {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.filter { tid in
      let comm = (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8))
      let stat = (try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8))
      guard let comm, comm.hasPrefix(prefix + "-"), let stat,
        let close = stat.lastIndex(of: ")")
      else { return false }
      return stat[stat.index(close, offsetBy: 2)] == "S"
    }.count
  }

  /// Lets every thread return from its read.
  func release() {
    if writeFD >= 0 {
      close(writeFD)
      writeFD = -1
    }
  }

  /// Releases and joins every thread.
  func join() {
    release()
    guard !joined else { return }
    joined = true
    for t in threads { pthread_join(t, nil) }
    close(readFD)
  }

  deinit { join() }
}
