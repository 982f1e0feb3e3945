import ArgumentParser

public struct TFSCommand: AsyncParsableCommand { public init() {} }
