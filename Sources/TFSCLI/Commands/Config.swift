import ArgumentParser
import Foundation
import TFSCore
import TFSEngine
import TFSStore

struct Config: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config",
    abstract: "Show or change the settings stored in the database (default: list).",
    discussion: """
      Settings: \(Setting.allCases.map(\.rawValue).joined(separator: ", ")). \
      A running daemon picks up changes without a restart.
      """,
    subcommands: [ConfigList.self, ConfigGet.self, ConfigSet.self, ConfigUnset.self],
    defaultSubcommand: ConfigList.self)
}

struct ConfigList: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "Every setting: its value (or default) and whether it is set.")

  @OptionGroup var global: GlobalOptions
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let context = try Context(global, create: false)
      let stored = try context.store.settings()
      let views = Setting.allCases.map { SettingView($0, stored: stored, home: context.home) }
      if output.json {
        Terminal.out(JSONValue.array(views.map(\.json)).render())
        return
      }
      var table = Table(["KEY", "VALUE", "SOURCE"])
      for v in views {
        table.add([v.setting.rawValue, v.value.isEmpty ? "-" : v.value, v.isSet ? "set" : "default"])
      }
      Terminal.out(table.render())
    }
  }
}

struct ConfigGet: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "get", abstract: "Print a setting's value (its default when unset).")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Setting name.", completion: Completions.settings) var key: String
  @OptionGroup var output: JSONOption

  func run() async throws {
    try await runCLI {
      let setting = try Setting.parse(key)
      let context = try Context(global, create: false)
      let view = SettingView(setting, stored: try context.store.settings(), home: context.home)
      Terminal.out(output.json ? view.json.render() : view.value)
    }
  }
}

struct ConfigSet: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "set", abstract: "Set a setting; prints old → new.",
    usage: "tfs config set [--home <dir>] <key> <value>")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Setting name.", completion: Completions.settings) var key: String
  /// Everything the parser does not recognise, so that a value such as `-1` reaches validation
  /// (and is named in the error) instead of being taken for an option.
  @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Its new value.", valueName: "value"))
  var values: [String] = []

  func run() async throws {
    try await runCLI {
      let setting = try Setting.parse(key)
      guard let value = values.first else {
        throw ValidationError(
          "missing value for \(setting.rawValue); use 'tfs config set \(setting.rawValue) VALUE'")
      }
      if let extra = values.dropFirst().first {
        throw ValidationError("unexpected argument '\(extra)'; quote a value with spaces")
      }
      let stored = try setting.validate(value)
      let context = try Context(global, create: false)
      let old = SettingView(setting, stored: try context.store.settings(), home: context.home)
      guard !old.isSet || old.value != stored else {
        Terminal.out("\(setting.rawValue) unchanged: \(stored)")
        return
      }
      try context.store.setSetting(setting, to: stored, actor: Actor.current(), now: context.now)
      Nudge.daemon(context.home)
      Terminal.out("\(setting.rawValue): \(old.shown) → \(stored)")
    }
  }
}

struct ConfigUnset: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "unset", abstract: "Remove a setting, so its default applies again.")

  @OptionGroup var global: GlobalOptions
  @Argument(help: "Setting name.", completion: Completions.settings) var key: String

  func run() async throws {
    try await runCLI {
      let setting = try Setting.parse(key)
      let context = try Context(global, create: false)
      let old = SettingView(setting, stored: try context.store.settings(), home: context.home)
      guard old.isSet else {
        Terminal.out("\(setting.rawValue) is not set (default: \(old.shownDefault))")
        return
      }
      try context.store.setSetting(setting, to: nil, actor: Actor.current(), now: context.now)
      Nudge.daemon(context.home)
      Terminal.out("\(setting.rawValue): \(old.shown) → \(old.shownDefault) (default)")
    }
  }
}

/// A setting as `config` shows it: the stored value or else the default in force.
struct SettingView {
  let setting: Setting
  let value: String
  let defaultValue: String
  let isSet: Bool

  init(_ setting: Setting, stored: [String: String], home: Home) {
    self.setting = setting
    switch setting {
    case .taskRoot: defaultValue = home.defaultTaskRoot
    case .timezone: defaultValue = TimeZone.current.identifier
    default: defaultValue = setting.defaultValue
    }
    let own = stored[setting.rawValue]
    isSet = own != nil
    value = own ?? defaultValue
  }

  var shown: String { value.isEmpty ? "(none)" : value }
  var shownDefault: String { defaultValue.isEmpty ? "(none)" : defaultValue }

  var json: JSONValue {
    .object([
      ("key", .string(setting.rawValue)), ("value", .string(value)), ("default", .string(defaultValue)),
      ("set", .bool(isSet)),
    ])
  }
}
