/// libFuzzer entry for `Fuzz/corpus/cron`: see `ParserProperties.cron` for what is checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  if let failure = ParserProperties.cron(Array(UnsafeBufferPointer(start: data, count: size))) {
    fatalError(failure)
  }
  return 0
}
