import Foundation

/// Raw writes that finish or fail (short writes and EINTR handled).
enum Terminal {
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return }
      offset += n
    }
  }
}

extension Supervisor {
  /// `items.map(body)`, spread over `threadsPerCore` threads per core (at most 8) when there are
  /// many items; the calling thread is one of them. Plain threads, not `concurrentPerform`,
  /// which never runs more at once than there are cores.
  static func inParallel<T, R>(_ items: [T], threadsPerCore: Int = 1, _ body: @escaping (T) -> R) -> [R] {
    if items.count < 8 { return items.map(body) }
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount * threadsPerCore, 8))
    let slots = Slots<R>(count: items.count)
    let shared = UncheckedBox((items, body))
    let work: @Sendable (Int) -> Void = { worker in
      let (items, body) = shared.value
      for i in stride(from: worker, to: items.count, by: workers) { slots.set(i, body(items[i])) }
    }
    let done = DispatchSemaphore(value: 0)
    for worker in 1..<workers {
      Thread {
        work(worker)
        done.signal()
      }.start()
    }
    work(0)
    for _ in 1..<workers { done.wait() }
    return slots.results
  }
}

/// Results written by parallel worker threads, each to its own index.
private final class Slots<R>: @unchecked Sendable {
  private var storage: [R?]
  private let lock = NSLock()

  init(count: Int) { storage = Array(repeating: nil, count: count) }

  func set(_ i: Int, _ value: R) {
    lock.lock()
    storage[i] = value
    lock.unlock()
  }

  /// Every slot, once all were set.
  var results: [R] {
    lock.lock()
    defer { lock.unlock() }
    return storage.map { $0! }
  }
}

/// Hands values that are only read to `concurrentPerform`'s workers.
private struct UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
