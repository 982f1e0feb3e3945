import ArgumentParser
import Foundation
import TFSCore
import TFSStore

/// A command's failure: the message goes to stderr as one line, the case picks the exit code
/// (64 bad input, 1 failed, 69 no daemon, or a run's own code).
enum CLIError: Error {
  case usage(String)
  case failed(String)
  case noDaemon(String)
  case exit(Int32)

  init(_ error: any Error) {
    switch error {
    case let e as CLIError: self = e
    case let e as TFSCore.ValidationError: self = .usage(e.message)
    case let e as CronRuleError: self = .usage(e.description)
    case let e as StoreError: self = .failed(e.description)
    default: self = .failed("\(error)")
    }
  }
}

/// Runs a command body, printing a one-line message for failures and exiting with its code.
func runCLI(_ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch {
    switch CLIError(error) {
    case .usage(let message):
      Terminal.error(message)
      throw ExitCode(64)
    case .failed(let message):
      Terminal.error(message)
      throw ExitCode(1)
    case .noDaemon(let message):
      Terminal.error(message)
      throw ExitCode(69)
    case .exit(let code):
      throw ExitCode(code)
    }
  }
}
