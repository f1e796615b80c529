// swift-tools-version:5.9
// The iOS shell's Swift package. `Generated/` is made by `cargo xtask ios` (gitignored): the
// UniFFI Swift bindings (module TelevisitCore) everywhere, and on macOS the core as
// `TelevisitFFI.xcframework` (static libraries for devices and the simulator).
import PackageDescription

let package = Package(
    name: "Televisit",
    platforms: [.iOS(.v16)],
    products: [
        // The app target (App/TelevisitApp.xcodeproj) links this one product.
        .library(name: "TelevisitShell", targets: ["TelevisitShell", "TelevisitCore"]),
    ],
    targets: [
        .binaryTarget(name: "TelevisitFFI", path: "Generated/TelevisitFFI.xcframework"),
        .target(
            name: "TelevisitCore",
            dependencies: ["TelevisitFFI"],
            path: "Generated/TelevisitCore",
            // ring draws random bytes with SecRandomCopyBytes; chrono reads the time zone
            // through CoreFoundation (iana-time-zone). Declared, not left to chance.
            linkerSettings: [.linkedFramework("Security"), .linkedFramework("CoreFoundation")]
        ),
        .target(
            name: "TelevisitShell",
            dependencies: ["TelevisitCore"],
            path: "Sources/TelevisitShell",
            linkerSettings: [
                .linkedFramework("Contacts"),
                .linkedFramework("LocalAuthentication"),
                .linkedFramework("UIKit"),
            ]
        ),
    ]
)
