/// A min-heap of (due epoch second, task slot, generation): the daemon pops what is due
/// instead of scanning every task each tick, so 10,000 idle tasks cost nothing per wake-up.
struct OccurrenceHeap {
  struct Entry {
    var at: Int64
    var slot: Int
    var generation: Int
  }

  private(set) var items: [Entry] = []
  var isEmpty: Bool { items.isEmpty }
  var first: Entry? { items.first }

  mutating func push(_ e: Entry) {
    items.append(e)
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard items[i].at < items[parent].at else { break }
      items.swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() -> Entry? {
    guard !items.isEmpty else { return nil }
    let top = items[0]
    let last = items.removeLast()
    if !items.isEmpty {
      items[0] = last
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var m = i
        if l < items.count && items[l].at < items[m].at { m = l }
        if r < items.count && items[r].at < items[m].at { m = r }
        if m == i { break }
        items.swapAt(i, m)
        i = m
      }
    }
    return top
  }
}
