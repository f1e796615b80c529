import Foundation
import SwiftUI
import TelevisitCore
import TelevisitShell
import UIKit

/// The app's one session: opens the core, runs what must run at every start (a pending wipe,
/// the local triggers, the managed configuration), keeps the lock screen in step with the
/// core's lock, and hands the screens the core and the adapters. Every rule is the core's; this
/// only sequences calls and turns failures into sentences.
@MainActor
final class AppModel: ObservableObject {
    enum Phase: Equatable {
        case starting
        /// The store could not be opened, or a start step failed; `retry` says whether trying
        /// again can help.
        case problem(message: String, retry: Bool)
        /// The store is open; the clinician must authenticate.
        case locked(message: String?)
        case ready
        /// A wipe ran: nothing is left to show but this, and the receipt for IT.
        case wiped(message: String, receipt: String?)
    }

    @Published private(set) var phase: Phase = .starting
    @Published private(set) var televisit: Televisit?
    /// The local triggers' blocking reasons (offline too long, a jailbroken phone): clinical
    /// actions are blocked by the core; the banner says why.
    @Published private(set) var blockedReasons: [String] = []
    /// What the managed configuration did, or why parts of it were skipped.
    @Published private(set) var managedNotices: [String] = []
    /// What the last check-in through IT's relay said, for the Settings screen.
    @Published private(set) var relayNotice: String?
    /// The relay's HTTPS: `URLSession`, with IT's CA pin checked by `RelayPinning`.
    nonisolated let relay: RelayTransport = URLSessionRelayTransport(pinning: { RelayPinning(pin: $0) })
    @Published private(set) var contactsAccess: ContactStoreBook.Access = ContactStoreBook.access()
    /// The signed device report last handed to the MDM, for the Settings screen (text and QR
    /// code); nil before enrollment.
    @Published private(set) var deviceReport: String?
    /// A wipe receipt IT has not yet confirmed holding, for the Settings screen (IT can scan it).
    @Published private(set) var heldReceipt: String?
    /// Follows the declarative app configuration for the app's lifetime (iOS 18.4+).
    private var declarativeConfiguration: Task<Void, Never>?
    /// What automatic cleanup did while the app was closed, shown once after unlock.
    @Published var cleanupSummary: AutomaticCleanupSummary?
    /// Whether the privacy cover hides the screen (app switcher snapshots).
    @Published private(set) var covered = false

    let secrets = KeychainSecretStore()
    let book = ContactStoreBook()
    let managed = ManagedConfiguration()
    private var observingManaged = false
    /// The start running now (`start`): a second start meanwhile waits for it.
    private var startTask: Task<Void, Never>?
    /// The wipe running now (`finishPendingWipe`): a background check-in awaits it before it
    /// tells iOS it is done, and a second wipe is never started beside it.
    private var wipeTask: Task<Void, Never>?
    /// Core calls still running on the store off the main actor (`performInBackground`,
    /// `launch`, in AppModel+Screens.swift): a wipe waits for them, since nothing may hold the
    /// store while its files go.
    var inFlight = 0
    /// The process's one turn at the store, shared with the background check-in.
    private let gate = StoreGate.shared

    // MARK: - Start

    /// At every start, in this order: finish a pending wipe; open the store; the local
    /// triggers; the managed configuration. Safe to call again (after a problem); a call while a
    /// start runs does nothing.
    func start() {
        guard startTask == nil else {
            return
        }
        startTask = Task {
            await runStart()
            startTask = nil
        }
    }

    private enum Opening: Sendable {
        case opened(Televisit)
        /// A wipe was pending: it ran instead (its receipt, if it finished).
        case wiped(receipt: String?)
        /// A wipe was pending and did not finish: said, and tried again at the next start.
        case wipeUnfinished(message: String)
    }

    private func runStart() async {
        phase = .starting
        // A sealed export left for the share sheet by a run that was ended before Settings went
        // away: sealed to IT, but nothing to leave lying around.
        try? FileManager.default.removeItem(at: SettingsView.exportURL)
        let path: String
        do {
            path = try AppModel.databasePath()
        } catch {
            phase = .problem(message: "Televisit could not prepare its storage folder on this iPhone.", retry: true)
            return
        }
        if let wipeTask {
            await wipeTask.value
            return
        }
        // One turn: a wipe pending (received in the background meanwhile, or interrupted) is
        // finished before anything opens the store, and the background check-in cannot start
        // one while the store opens.
        let (secrets, book, managed) = (self.secrets, self.book, self.managed)
        let opening: Result<Opening, Error>
        do {
            opening = .success(try await gate.turn { storeOpen in
                if try wipePending(secrets: secrets) {
                    do {
                        return .wiped(receipt: try AppModel.resumeWipe(path: path, secrets: secrets, book: book, managed: managed))
                    } catch {
                        return .wipeUnfinished(message: AppModel.wipeUnfinished(error))
                    }
                }
                // iOS keeps Keychain items when the app is deleted, and a restore brings them
                // back without the database: the marker beside the database says when that is
                // so, and the core then makes a new store (and logs it) instead of reporting
                // the old key's database missing forever.
                let marker = InstallMarker(databasePath: path)
                let store = try Televisit.openForApplePlatforms(path: path, secrets: secrets, freshInstall: marker.isFreshInstall)
                try? marker.markInstalled()
                storeOpen = true
                return .opened(store)
            })
        } catch {
            opening = .failure(error)
        }
        switch opening {
        case let .success(.wiped(receipt)):
            televisit = nil
            phase = .wiped(message: AppModel.wipedMessage, receipt: receipt)
            return
        case let .success(.wipeUnfinished(message)):
            televisit = nil
            phase = .problem(message: message, retry: true)
            return
        case let .success(.opened(store)):
            televisit = store
        case let .failure(error):
            televisit = nil
            phase = .problem(message: AppModel.startProblem(error), retry: UserMessage.isTransient(error))
            return
        }
        guard evaluateTriggers() else {
            return
        }
        applyManagedConfiguration()
        if televisit == nil {
            // The configuration held a wipe: it runs (or waits for its retry) and its screen is
            // up. Nothing else may run on a store that is gone.
            return
        }
        if !observingManaged {
            observingManaged = true
            managed.observe { [weak self] in
                self?.applyManagedConfiguration()
            }
            // An MDM sending the declarative app configuration (iOS 18.4+) reaches the app
            // through the ManagedApp framework instead: followed the same way.
            if #available(iOS 18.4, *) {
                declarativeConfiguration = managed.followDeclarative { [weak self] in
                    self?.applyManagedConfiguration()
                }
            }
        }
        contactsAccess = ContactStoreBook.access()
        sweepOrphanedContacts()
        phase = .locked(message: nil)
    }

    /// The Keychain item holding the key is readable only after the first unlock since the
    /// iPhone restarted (`AfterFirstUnlockThisDeviceOnly`); iOS may start the app before that
    /// (to deliver managed configuration). Said plainly, and the start is tried again when
    /// protected data arrives.
    private static func startProblem(_ error: Error) -> String {
        if case .SecretStore = error as? TelevisitError, !UIApplication.shared.isProtectedDataAvailable {
            return "Unlock your iPhone: Televisit can read its key only after the iPhone has been unlocked once since it restarted. Televisit continues by itself once you unlock."
        }
        return UserMessage.text(for: error)
    }

    func protectedDataBecameAvailable() {
        if case .problem = phase {
            start()
        }
    }

    /// `Application Support/Televisit/televisit.db`, readable after the first unlock (so the
    /// suspended app keeps its open database), never in backups.
    nonisolated static func databasePath() throws -> String {
        let fm = FileManager.default
        var folder = try fm.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("Televisit", isDirectory: true)
        try fm.createDirectory(
            at: folder,
            withIntermediateDirectories: true,
            attributes: [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication]
        )
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try folder.setResourceValues(values)
        return folder.appendingPathComponent("televisit.db").path
    }

    // MARK: - Wipe

    private static let wipedMessage =
        "Televisit was wiped on your organisation's instruction: its patient contacts, its records and its key are gone from this iPhone. The signed receipt was handed to your organisation's device management; you can also share it below."

    nonisolated private static func wipeUnfinished(_ error: Error) -> String {
        "The wipe your organisation asked for has not finished: \(UserMessage.text(for: error)) Televisit finishes it at the next start."
    }

    /// The wipe's steps, in the store's turn: its receipt is published for the MDM.
    nonisolated private static func resumeWipe(
        path: String, secrets: KeychainSecretStore, book: ContactStoreBook, managed: ManagedConfiguration
    ) throws -> String? {
        let receipt = try resumePendingWipe(path: path, secrets: secrets, book: book)
        // Published, and held by the core until IT's bulletin confirms it (`publishReport`
        // keeps the feedback in step at every check-in).
        managed.syncReceipt(receipt)
        return receipt
    }

    /// Finishes the pending wipe with the store closed: after the core accepted a wipe (managed
    /// configuration, a pasted command, a local trigger). It waits for core calls still running
    /// on the store, then runs in the store's turn off the main thread (its contacts step walks
    /// the whole address book); the screen shows "starting" until it is done.
    private func finishPendingWipe(path: String) {
        televisit = nil
        phase = .starting
        guard wipeTask == nil else {
            return
        }
        let (secrets, book, managed, gate) = (self.secrets, self.book, self.managed, self.gate)
        wipeTask = Task {
            while inFlight > 0 {
                try? await Task.sleep(nanoseconds: 50_000_000)
            }
            let outcome: Result<String?, Error>
            do {
                outcome = .success(try await gate.turn { storeOpen in
                    // Nothing holds the store now: the background check-in may work alone.
                    storeOpen = false
                    return try AppModel.resumeWipe(path: path, secrets: secrets, book: book, managed: managed)
                })
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case let .success(receipt):
                phase = .wiped(message: AppModel.wipedMessage, receipt: receipt)
            case let .failure(error):
                phase = .problem(message: AppModel.wipeUnfinished(error), retry: true)
            }
            wipeTask = nil
        }
    }

    /// After the core accepted a wipe (managed configuration, a pasted command, a local trigger):
    /// close the store, then finish the wipe.
    func wipeAccepted() {
        televisit = nil
        guard let path = try? AppModel.databasePath() else {
            phase = .problem(message: "The wipe could not find Televisit's storage folder; it finishes at the next start.", retry: true)
            return
        }
        finishPendingWipe(path: path)
    }

    // MARK: - Triggers and managed configuration

    /// Runs one core call on the open store. The store is reached only inside `work`, never
    /// through a local kept past it: a wipe that follows closes the store (`televisit = nil`)
    /// and deletes its files, and the core's contract is that nothing holds it open then (a
    /// `guard let` would, to the end of its scope, in Debug builds).
    @discardableResult
    private func onStore<T>(_ work: (Televisit) throws -> T) rethrows -> T? {
        guard let store = televisit else {
            return nil
        }
        return try work(store)
    }

    /// iOS keeps contacts when an app is deleted: a reinstall's new store sweeps Televisit's
    /// marked contacts the old one left, once, before its first patient (the core decides when;
    /// without contacts access it waits for a later start).
    private func sweepOrphanedContacts() {
        let book = self.book
        _ = try? onStore { try $0.sweepOrphanedContacts(book: book) }
    }

    /// Returns false when a trigger started a wipe.
    @discardableResult
    func evaluateTriggers() -> Bool {
        let triggers: Triggers?
        do {
            triggers = try onStore { try $0.evaluateTriggers(device: IOSDeviceFacts.current()) }
        } catch {
            blockedReasons = [UserMessage.text(for: error)]
            return true
        }
        switch triggers {
        case nil:
            return false
        case .clear?:
            blockedReasons = []
        case let .blocked(reasons)?:
            blockedReasons = reasons
        case .wipe?:
            wipeAccepted()
            return false
        }
        return true
    }

    func applyManagedConfiguration() {
        let reading = managed.read()
        var notices = reading.problems
        guard televisit != nil, !reading.values.isEmpty else {
            managedNotices = notices
            return
        }
        let report: ManagedReport?
        do {
            report = try onStore { try $0.applyManagedConfig(values: reading.values) }
        } catch {
            notices.append("The managed configuration could not be applied: \(UserMessage.text(for: error))")
            managedNotices = notices
            return
        }
        guard let report else {
            return
        }
        notices += ManagedConfiguration.describe(report)
        managedNotices = notices
        if report.wipeStarted {
            wipeAccepted()
            return
        }
        publishReport()
    }

    /// A background check-in while this process holds the store open (the app suspended, not
    /// ended), or while its own wipe runs: applied through the open store, so that a wipe closes
    /// it first and the wipe screen is there when the app comes back. Nil when no store is open:
    /// `BackgroundCheckIn` then works from the secret store alone.
    func checkInIfOpen() async -> Bool? {
        if let wipeTask {
            await wipeTask.value
            return true
        }
        guard televisit != nil else {
            return nil
        }
        applyManagedConfiguration()
        if wipeTask == nil {
            cleanupCheckIn()
            await checkInThroughRelay()
        }
        // A wipe it started must end before iOS is told the task is done, or iOS suspends the
        // app half-way through it.
        if let wipeTask {
            await wipeTask.value
        }
        return true
    }

    /// The check-in through IT's relay, when IT named one, through the open store; a wipe its
    /// answer starts is carried out as one from the MDM is.
    func checkInThroughRelay() async {
        guard let televisit else {
            return
        }
        guard let outcome = await RelayCheckIn.run(
            televisit: televisit, secrets: secrets, osVersion: IOSDeviceFacts.systemVersion(),
            appVersion: IOSDeviceFacts.appVersion(), transport: relay
        ) else {
            return
        }
        relayNotice = RelayCheckIn.describe(outcome)
        if outcome.wipeStarted {
            wipeAccepted()
            return
        }
        publishReport()
    }

    /// The signed device report, handed to the MDM at every check-in (nothing before enrollment).
    func publishReport() {
        guard let televisit else {
            return
        }
        // Not enrolled: no one to report to, and nothing to show.
        deviceReport = try? televisit.deviceReport(
            platform: .ios, osVersion: IOSDeviceFacts.systemVersion(), appVersion: IOSDeviceFacts.appVersion()
        )
        if let deviceReport {
            managed.writeReport(deviceReport)
        }
        // A wipe receipt IT has not confirmed goes with the report; gone once a bulletin
        // confirmed it. A Keychain that cannot be read changes nothing.
        do {
            let held = try heldWipeReceipt(secrets: secrets)
            heldReceipt = held
            managed.syncReceipt(held)
        } catch {}
    }

    // MARK: - Lock

    func unlock() async {
        guard televisit != nil else {
            return
        }
        switch await AppLock.authenticate() {
        case .unlocked:
            onStore { $0.unlockSucceeded() }
            contactsAccess = ContactStoreBook.access()
            phase = .ready
            cleanupSummary = try? televisit?.automaticCleanupSummary()
        case let .failed(message):
            let failed: FailedUnlock?
            do {
                failed = try onStore { try $0.unlockFailed() }
            } catch {
                phase = .locked(message: UserMessage.text(for: error))
                return
            }
            guard let failed else {
                return
            }
            if failed.wipeStarted {
                // The policy's limit: the core started the wipe; carry it out now.
                wipeAccepted()
            } else {
                phase = .locked(message: "\(message) \(failed.attemptsLeft) more failed attempts wipe Televisit's data.")
            }
        case .cancelled:
            phase = .locked(message: nil)
        case let .unavailable(message):
            phase = .locked(message: message)
        }
    }

    /// Every interaction asks the core whether the app is still unlocked (which also counts as
    /// activity); the inactivity timeout is the policy's, kept by the core.
    @discardableResult
    func touch() -> Bool {
        guard phase == .ready, let televisit else {
            return false
        }
        let unlocked = (try? televisit.touch()) ?? false
        if !unlocked {
            phase = .locked(message: "Televisit locked itself after a while without use.")
        }
        return unlocked
    }

    func lockNow() {
        televisit?.lock()
        if televisit != nil {
            phase = .locked(message: nil)
        }
    }

    func scenePhaseChanged(to scenePhase: ScenePhase) {
        covered = scenePhase != .active
        if scenePhase == .background {
            BackgroundCheckIn.schedule()
        }
        guard scenePhase == .active else {
            return
        }
        // Every activation checks in: the configuration may hold a new bulletin or a wipe.
        if televisit != nil {
            applyManagedConfiguration()
        }
        contactsAccess = ContactStoreBook.access()
        switch phase {
        case .ready:
            if evaluateTriggers() {
                touch()
            }
        case .locked:
            evaluateTriggers()
        default:
            break
        }
    }

    func requestContactsAccess() async {
        contactsAccess = await book.requestAccess()
    }
}
