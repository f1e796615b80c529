// swift-tools-version:6.0
// The iOS shell's Swift on Linux, compiled and run against the real core (`cargo xtask test
// swift`, in a Debian trixie chroot with Swift 6.0.3; ADR 18). Not opened in Xcode: the app's
// package is ios/Package.swift. `cargo xtask` stages this folder with the parts it does not
// keep: Sources/TelevisitFFI (the generated C header beside a module map that links the core's
// shared library), Sources/TelevisitCore (the generated Swift bindings) and
// Sources/TelevisitShell (the shell's files that import no Apple-only framework).
//
// TELEVISIT_SWIFT_MODE picks the language mode (5 or 6; 6, with complete concurrency checking,
// when unset): the same sources are built in both.
import Foundation
import PackageDescription

let mode: SwiftLanguageMode = ProcessInfo.processInfo.environment["TELEVISIT_SWIFT_MODE"] == "5" ? .v5 : .v6
let settings: [SwiftSetting] = [.swiftLanguageMode(mode)]

let package = Package(
    name: "TelevisitLinuxCheck",
    targets: [
        .systemLibrary(name: "TelevisitFFI", path: "Sources/TelevisitFFI"),
        .target(name: "TelevisitCore", dependencies: ["TelevisitFFI"], path: "Sources/TelevisitCore", swiftSettings: settings),
        .target(name: "TelevisitShell", dependencies: ["TelevisitCore"], path: "Sources/TelevisitShell", swiftSettings: settings),
        .testTarget(
            name: "TelevisitShellTests",
            dependencies: ["TelevisitShell", "TelevisitCore"],
            path: "Tests/TelevisitShellTests",
            swiftSettings: settings
        ),
    ]
)
