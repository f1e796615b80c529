import Foundation
import LocalAuthentication
import TelevisitCore
import UIKit

/// The core's `DeviceFacts` on iOS. The facts are read on the main actor (`canOpenURL` needs
/// it) into a snapshot, which the core may then read from any thread.
///
/// - passcode set: LocalAuthentication's device-owner authentication is available (a passcode,
///   with or without Face ID / Touch ID);
/// - WhatsApp: `canOpenURL("whatsapp://")`, which iOS answers only for schemes listed in
///   `LSApplicationQueriesSchemes` (Info.plist). iOS tells no app another app's version, so the
///   version is `unknown`; WhatsApp Business answers to the same scheme and is not told apart;
/// - jailbreak: files and a sandbox escape that a stock iPhone never shows (a signal, not proof).
public final class IOSDeviceFacts: DeviceFacts, @unchecked Sendable {
    public static let whatsAppScheme = "whatsapp://"
    public static let unknownVersion = "unknown"

    private let captured: DeviceSnapshot

    public init(snapshot: DeviceSnapshot) {
        captured = snapshot
    }

    /// Reads the phone now.
    @MainActor
    public static func current() -> IOSDeviceFacts {
        IOSDeviceFacts(snapshot: DeviceSnapshot(
            passcodeSet: passcodeSet(),
            compromised: looksJailbroken(),
            osVersion: osVersion(),
            whatsapp: whatsAppInstalled() ? [InstalledWhatsApp(app: .consumer, version: unknownVersion)] : [],
            utcOffsetMinutes: Int32(TimeZone.current.secondsFromGMT() / 60)
        ))
    }

    public func snapshot() -> DeviceSnapshot {
        captured
    }

    /// A passcode is set when device-owner authentication can be evaluated at all.
    public static func passcodeSet() -> Bool {
        var error: NSError?
        return LAContext().canEvaluatePolicy(.deviceOwnerAuthentication, error: &error)
    }

    @MainActor
    public static func whatsAppInstalled() -> Bool {
        guard let url = URL(string: whatsAppScheme) else {
            return false
        }
        return UIApplication.shared.canOpenURL(url)
    }

    public static func osVersion() -> String {
        let v = ProcessInfo.processInfo.operatingSystemVersion
        return "iOS \(v.majorVersion).\(v.minorVersion).\(v.patchVersion)"
    }

    /// The system's version as the device report names it, written as `UIDevice`'s
    /// `systemVersion` writes it ("18.2", "17.5.1"), but readable off the main actor (a
    /// background task makes the report too).
    public static func systemVersion() -> String {
        let v = ProcessInfo.processInfo.operatingSystemVersion
        let base = "\(v.majorVersion).\(v.minorVersion)"
        return v.patchVersion == 0 ? base : "\(base).\(v.patchVersion)"
    }

    /// The app's version (`CFBundleShortVersionString`), for the device report.
    public static func appVersion() -> String {
        Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String ?? "unknown"
    }

    /// Never on the simulator. On a device: the usual traces of a jailbreak, or a write outside
    /// the sandbox succeeding.
    public static func looksJailbroken() -> Bool {
        #if targetEnvironment(simulator)
            return false
        #else
            let traces = [
                "/Applications/Cydia.app",
                "/Applications/Sileo.app",
                "/Library/MobileSubstrate/MobileSubstrate.dylib",
                "/usr/sbin/sshd",
                "/etc/apt",
                "/private/var/lib/apt/",
                "/var/jb",
            ]
            if traces.contains(where: { FileManager.default.fileExists(atPath: $0) }) {
                return true
            }
            let probe = "/private/televisit-jailbreak-probe"
            do {
                try "x".write(toFile: probe, atomically: false, encoding: .utf8)
                try? FileManager.default.removeItem(atPath: probe)
                return true
            } catch {
                return false
            }
        #endif
    }
}
