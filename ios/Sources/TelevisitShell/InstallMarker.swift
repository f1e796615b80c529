import Foundation

/// Whether this is the first start of this installation of the app, kept as a file beside the
/// database: in the same folder, excluded from backups with it, and deleted with the app.
///
/// iOS keeps Keychain items when the app is deleted, and a restore to the same iPhone brings
/// back `ThisDeviceOnly` items and `UserDefaults`, but not the database (it is excluded from
/// backups). A flag in `UserDefaults` would then say "installed" beside a missing database and
/// the app would show "database missing" forever; a marker beside the database goes and comes
/// with it, so the core is told a fresh install exactly when the database cannot be there.
public struct InstallMarker: Sendable {
    public static let fileName = "televisit.installed"

    public let url: URL

    /// The marker in the database's own folder.
    public init(databasePath: String) {
        url = URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent(InstallMarker.fileName)
    }

    /// True until `markInstalled` succeeded once in this installation.
    public var isFreshInstall: Bool {
        !FileManager.default.fileExists(atPath: url.path)
    }

    /// Called after the store opened. A failure only means the next start passes
    /// `freshInstall` again, which the core answers by opening the existing store as it is.
    public func markInstalled() throws {
        try Data().write(to: url, options: .atomic)
    }
}
