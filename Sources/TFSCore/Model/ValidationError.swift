/// Invalid user input (exit code 64). The message names the value and, after `; `, what to do.
public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension CronRuleError {
  public var validation: ValidationError { ValidationError(description) }
}
