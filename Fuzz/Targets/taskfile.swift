/// libFuzzer entry for `Fuzz/corpus/taskfile`: see `ParserProperties.taskFile` for what is checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  if let failure = ParserProperties.taskFile(Array(UnsafeBufferPointer(start: data, count: size))) {
    fatalError(failure)
  }
  return 0
}
