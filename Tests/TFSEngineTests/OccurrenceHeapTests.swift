import TFSTestSupport
import Testing

@testable import TFSEngine

/// `OccurrenceHeap` against a sorted array, with random input from fixed seeds.
struct OccurrenceHeapTests {
  @Test func emptyHeapHasNothing() {
    var heap = OccurrenceHeap()
    #expect(heap.isEmpty)
    #expect(heap.first == nil)
    #expect(heap.pop() == nil)
  }

  @Test(arguments: [UInt64(1), 2, 3, 42, 2024])
  func popsInTimeOrderLikeASortedArray(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    var heap = OccurrenceHeap()
    var model: [Int64] = []
    let count = Int.random(in: 1...2_000, using: &random)
    for slot in 0..<count {
      // Few distinct times, so equal keys are common.
      let at = Int64.random(in: 1_700_000_000...1_700_000_300, using: &random)
      heap.push(.init(at: at, slot: slot, generation: 0))
      model.append(at)
    }
    model.sort()
    var popped: [Int64] = []
    var slots = Set<Int>()
    while let e = heap.pop() {
      popped.append(e.at)
      slots.insert(e.slot)
    }
    #expect(popped == model)
    #expect(slots.count == count, "every pushed entry comes out exactly once")
    #expect(heap.isEmpty)
  }

  @Test(arguments: [UInt64(7), 99, 31_337])
  func interleavedPushesAndPopsKeepTheMinimumOnTop(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    var heap = OccurrenceHeap()
    var model: [Int64] = []
    for step in 0..<5_000 {
      if model.isEmpty || Bool.random(using: &random) || step % 7 == 0 {
        let at = Int64.random(in: 0...1_000, using: &random)
        heap.push(.init(at: at, slot: step, generation: 0))
        model.append(at)
      } else {
        model.sort()
        let expected = model.removeFirst()
        #expect(heap.pop()?.at == expected, "step \(step)")
      }
      model.sort()
      #expect(heap.first?.at == model.first, "step \(step)")
      #expect(heap.items.count == model.count)
    }
  }

  @Test func keepsSlotAndGenerationWithTheirTime() {
    var heap = OccurrenceHeap()
    heap.push(.init(at: 30, slot: 3, generation: 9))
    heap.push(.init(at: 10, slot: 1, generation: 7))
    heap.push(.init(at: 20, slot: 2, generation: 8))
    let order = [heap.pop(), heap.pop(), heap.pop()].compactMap { $0 }
    #expect(order.map(\.at) == [10, 20, 30])
    #expect(order.map(\.slot) == [1, 2, 3])
    #expect(order.map(\.generation) == [7, 8, 9])
  }
}
