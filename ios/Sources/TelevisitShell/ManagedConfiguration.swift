import Foundation
import TelevisitCore

/// MDM's managed app configuration, the AppConfig convention: the organisation's enrollment
/// code, signed policy, the MDM's ids, the fleet's bulletin and a wipe command arrive in
/// `UserDefaults` under `com.apple.configuration.managed` (the MDM's `InstallApplication` or
/// `Settings` command, and the declarative `AppManaged` with a `LegacyAppConfigAssetReference`),
/// or, from iOS 18.4, through the ManagedApp framework when the MDM sends a declarative
/// `AppConfig` (`DeclarativeConfiguration`, set by `followDeclarative`): that one wins while it
/// is there. The device report and the wipe receipt go back under
/// `com.apple.feedback.managed`, where the MDM reads it. The key names come from the core
/// (`managedConfigKeys()`), and the core decides what each value means
/// (`Televisit.applyManagedConfig`): this only reads, filters and writes.
///
/// Values are never shown, logged or echoed: an enrollment code or a wipe command is IT's
/// business, and a garbage value could be anything.
public final class ManagedConfiguration: @unchecked Sendable {
    public static let configurationKey = "com.apple.configuration.managed"
    public static let feedbackKey = "com.apple.feedback.managed"

    /// What the MDM sent, as the core takes it.
    public struct Reading: Equatable, Sendable {
        /// The string values, by key.
        public var values: [String: String]
        /// Plain sentences about what was skipped, naming only our own keys, never a value.
        public var problems: [String]

        public var isEmpty: Bool { values.isEmpty && problems.isEmpty }
    }

    private let defaults: UserDefaults
    private var observer: NSObjectProtocol?
    private var lastSeen: NSDictionary?

    public init(defaults: UserDefaults = .standard) {
        self.defaults = defaults
    }

    /// The keys the app reads, in the core's order.
    static var readKeys: [String] {
        managedReadKeys()
    }

    static func notText(_ key: String) -> String {
        "The managed setting \"\(key)\" is not text, so Televisit skipped it. Ask your IT team to send it as a string."
    }

    private let declarativeLock = NSLock()
    private var declarativeValue: DeclarativeConfiguration?

    /// The declarative configuration the ManagedApp framework delivered last (nil: none, or the
    /// MDM uses the legacy dictionary). Set from its sequence; read by `read()`.
    public var declarative: DeclarativeConfiguration? {
        get {
            declarativeLock.lock()
            defer { declarativeLock.unlock() }
            return declarativeValue
        }
        set {
            declarativeLock.lock()
            defer { declarativeLock.unlock() }
            declarativeValue = newValue
        }
    }

    deinit {
        if let observer {
            NotificationCenter.default.removeObserver(observer)
        }
    }

    public func read() -> Reading {
        if let declarative {
            return Reading(values: declarative.values, problems: declarative.problems)
        }
        guard let raw = defaults.object(forKey: ManagedConfiguration.configurationKey) else {
            return Reading(values: [:], problems: [])
        }
        guard let dictionary = raw as? [String: Any] else {
            return Reading(values: [:], problems: [
                "The managed configuration from your organisation is not a list of settings, so Televisit ignored it. Ask your IT team to check the app configuration in the MDM.",
            ])
        }
        let ours = Set(ManagedConfiguration.readKeys)
        var values: [String: String] = [:]
        var problems: [String] = []
        var otherSkipped = 0
        for key in dictionary.keys.sorted() {
            guard let value = dictionary[key] else {
                continue
            }
            if let text = value as? String {
                values[key] = text
            } else if ours.contains(key) {
                problems.append(ManagedConfiguration.notText(key))
            } else {
                otherSkipped += 1
            }
        }
        if otherSkipped > 0 {
            problems.append(
                "\(otherSkipped) other managed setting(s) were not text and were skipped; Televisit does not use them."
            )
        }
        return Reading(values: values, problems: problems)
    }

    /// Calls `changed` on the main actor whenever the managed configuration differs from the one
    /// last seen (iOS posts `UserDefaults.didChangeNotification` when the MDM pushes a new one).
    public func observe(_ changed: @escaping @MainActor () -> Void) {
        lastSeen = defaults.dictionary(forKey: ManagedConfiguration.configurationKey) as NSDictionary?
        observer = NotificationCenter.default.addObserver(
            forName: UserDefaults.didChangeNotification,
            object: nil,
            queue: .main
        ) { [weak self] _ in
            guard let self else {
                return
            }
            let now = self.defaults.dictionary(forKey: ManagedConfiguration.configurationKey) as NSDictionary?
            guard now != self.lastSeen else {
                return
            }
            self.lastSeen = now
            Task { @MainActor in
                changed()
            }
        }
    }

    /// Publishes the signed wipe receipt for the MDM, keeping whatever else is there.
    public func writeReceipt(_ receipt: String) {
        writeFeedback(managedConfigKeys().wipeReceipt, receipt)
    }

    /// The feedback holds the receipt the core holds (`heldWipeReceipt`), at every check-in: put
    /// back if something removed it, and removed once IT's bulletin confirmed it (nil). The MDM
    /// reading the feedback is no sign that IT received it, so nothing here forgets it sooner.
    public func syncReceipt(_ held: String?) {
        writeFeedback(managedConfigKeys().wipeReceipt, held)
    }

    /// Publishes the signed device report for the MDM (IT pins this iPhone's key from it).
    public func writeReport(_ report: String) {
        writeFeedback(managedConfigKeys().deviceReport, report)
    }

    /// The feedback is one dictionary, read, changed and written back: a background check-in's
    /// receipt and the app's report written at once would otherwise lose one of them. One lock
    /// for the whole process, since every instance writes the same `UserDefaults` key.
    private static let feedbackLock = NSLock()

    /// Writes one key (nil removes it); unchanged feedback is not written again.
    private func writeFeedback(_ key: String, _ value: String?) {
        ManagedConfiguration.feedbackLock.lock()
        defer { ManagedConfiguration.feedbackLock.unlock() }
        var feedback = defaults.dictionary(forKey: ManagedConfiguration.feedbackKey) ?? [:]
        guard (feedback[key] as? String) != value || (value == nil && feedback[key] != nil) else {
            return
        }
        feedback[key] = value
        defaults.set(feedback, forKey: ManagedConfiguration.feedbackKey)
    }

    /// What the MDM reads back, by key (the text values only).
    public func feedback() -> [String: String] {
        ManagedConfiguration.feedbackLock.lock()
        defer { ManagedConfiguration.feedbackLock.unlock() }
        return (defaults.dictionary(forKey: ManagedConfiguration.feedbackKey) ?? [:]).compactMapValues { $0 as? String }
    }

    /// One sentence per outcome worth telling the clinician; `notSet` and `unchanged` say nothing.
    public static func describe(_ report: ManagedReport) -> [String] {
        [
            describe("Enrollment", report.enrollment),
            describe("Policy", report.policy),
            describe("Device management ids", report.mdmIds),
            describe("Fleet relay", report.relay),
            describe("Bulletin", report.bulletin),
            describe("Remote wipe", report.wipe),
        ].compactMap { $0 }
    }

    private static func describe(_ what: String, _ outcome: ManagedOutcome) -> String? {
        switch outcome {
        case .notSet, .unchanged:
            return nil
        case let .applied(summary):
            return "\(what): \(summary)"
        case let .refused(_, message):
            return "\(what) from your organisation was refused: \(message)"
        }
    }
}
