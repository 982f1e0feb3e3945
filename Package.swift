// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "tfs",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "tfs", targets: ["tfs"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
  ],
  targets: [
    .target(name: "TFSCore"),
    .target(
      name: "TFSStore",
      dependencies: [
        "TFSCore", "CTFSPostgres", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
      ]
    ),
    // libpq for the cluster store (PostgreSQL): loaded on first use, like libcurl below.
    .target(name: "CTFSPostgres", linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "CTFSSupport"),
    // libcurl for webhooks and SMTP: a C wrapper, since Swift cannot call `curl_easy_setopt`.
    // It loads libcurl on first use (see ctfscurl.c), so only its header is needed to build.
    .target(name: "CTFSCurl", linkerSettings: [.linkedLibrary("dl")]),
    .target(
      name: "TFSEngine",
      dependencies: [
        "TFSCore", "TFSStore", "CTFSSupport", "CTFSCurl", .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "TFSCLI",
      dependencies: [
        "TFSCore", "TFSStore", "TFSEngine",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "tfs", dependencies: ["TFSCLI"]),
    .executableTarget(
      name: "tfs-bench", dependencies: ["TFSCore", "TFSStore", "TFSEngine"], path: "Sources/TFSBench"),
    .target(name: "TFSTestSupport", dependencies: ["TFSCore"]),
    .testTarget(
      name: "TFSCoreTests", dependencies: ["TFSCore", "TFSTestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "TFSStoreTests", dependencies: ["TFSStore", "TFSTestSupport"], exclude: ["Fixtures"]),
    .testTarget(
      name: "TFSEngineTests",
      dependencies: [
        "TFSEngine", "TFSTestSupport", .product(name: "Logging", package: "swift-log"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .testTarget(name: "TFSCLITests", dependencies: ["TFSCLI", "TFSTestSupport"]),
    .testTarget(
      name: "TFSEndToEndTests",
      dependencies: [
        "TFSTestSupport", "TFSCore", "TFSStore", .target(name: "tfs"), .target(name: "tfs-bench"),
      ]
    ),
  ]
)
