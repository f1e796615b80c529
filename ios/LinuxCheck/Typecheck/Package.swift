// swift-tools-version:6.0
// Type-checks the iOS app's Swift on Linux (Debian trixie chroot, Swift 6.0.3 — the compiler of
// Xcode 16.2). Apple's frameworks do not exist on Linux, so `StandIns/` declares, module by
// module and under Apple's module names, exactly the Apple API the app uses, each declaration
// copied from Apple's documentation (signature, generic constraints, actor isolation,
// Sendable, availability) with a body that never runs (`fatalError("stand-in")`). The app's
// files are then compiled unchanged against them and against the generated bindings. Nothing is
// linked or run: `swift build` of library targets only.
//
// `cargo xtask` stages this folder with the parts it does not keep: Sources/TelevisitFFI (the
// generated C header beside a module map), Sources/TelevisitCore (the generated Swift bindings),
// Sources/TelevisitShell (ios/Sources/TelevisitShell, every file) and Sources/TelevisitApp
// (ios/App/TelevisitApp/*.swift).
//
// TELEVISIT_SWIFT_MODE picks the language mode (5 or 6; 6, with complete concurrency checking,
// when unset) of the bindings, the shell and the app: the same sources are built in both. The
// stand-ins are always Swift 6: they model the iOS 18.2 SDK's interfaces, which were built that
// way, whatever the mode of the code that imports them.
import Foundation
import PackageDescription

let mode: SwiftLanguageMode = ProcessInfo.processInfo.environment["TELEVISIT_SWIFT_MODE"] == "5" ? .v5 : .v6
let settings: [SwiftSetting] = [.swiftLanguageMode(mode)]
let standInSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

func standIn(_ name: String, _ dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, path: "StandIns/\(name)", swiftSettings: standInSettings)
}

let package = Package(
    name: "TelevisitTypecheck",
    targets: [
        // Apple's frameworks, as far as the app uses them. SwiftUI re-exports Combine,
        // CoreTransferable and UIKit as Apple's does on iOS (`import SwiftUI` alone sees
        // ObservableObject, Transferable, UIKeyboardType); UIKit re-exports Foundation.
        standIn("UIKit"),
        standIn("Combine"),
        standIn("CoreTransferable"),
        standIn("SwiftUI", ["UIKit", "Combine", "CoreTransferable"]),
        standIn("Contacts"),
        standIn("LocalAuthentication"),
        standIn("Security"),
        standIn("BackgroundTasks"),
        standIn("ManagedApp"),

        .systemLibrary(name: "TelevisitFFI", path: "Sources/TelevisitFFI"),
        .target(name: "TelevisitCore", dependencies: ["TelevisitFFI"], path: "Sources/TelevisitCore", swiftSettings: settings),
        .target(
            name: "TelevisitShell",
            dependencies: ["TelevisitCore", "UIKit", "Contacts", "LocalAuthentication", "Security", "BackgroundTasks", "ManagedApp"],
            path: "Sources/TelevisitShell",
            swiftSettings: settings
        ),
        .target(
            name: "TelevisitApp",
            dependencies: ["TelevisitShell", "TelevisitCore", "SwiftUI", "UIKit"],
            path: "Sources/TelevisitApp",
            swiftSettings: settings
        ),
    ]
)
