// mangled: Swift code with generics, methods, closures and protocols,
// compiled by the demangler tests only to read its symbol names.
public protocol Job { func run() -> Int }

public struct Pool<Element: Hashable>: Job {
  var items: [Element]
  @inline(never) public func run() -> Int { items.count }
  @inline(never) public mutating func take(at index: Int) -> Element? {
    index < items.count ? items.remove(at: index) : nil
  }
}

public final class Worker {
  let name: String
  init(name: String) { self.name = name }
  @inline(never) public func wait(_ body: (Int) -> Int) -> Int { body(name.count) }
}

var pool = Pool(items: ["a", "b"])
let worker = Worker(name: "w")
print(pool.run(), pool.take(at: 0) ?? "", worker.wait { $0 + 1 })
