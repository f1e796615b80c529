import BackgroundTasks
import Foundation
import TelevisitCore

/// A wipe must not wait for anyone to open the app. iOS hands the managed configuration to the
/// app only while it runs, so Televisit also checks in from a `BGAppRefreshTask`: it reads the
/// managed configuration, applies the fleet's bulletin with no store open (contact with IT; a
/// wipe when it names this iPhone), takes a single wipe command the same way, and finishes a
/// pending wipe, publishing its receipt in `com.apple.feedback.managed`.
///
/// iOS decides when background refresh runs (it learns from how the app is used, and runs
/// nothing while Background App Refresh is off or Low Power Mode is on): the earliest date asked
/// for is a hint, not a schedule. The app also checks in at every activation.
public enum BackgroundCheckIn {
    /// Listed under `BGTaskSchedulerPermittedIdentifiers` in Info.plist.
    public static let identifier = "org.televisit.checkin"
    /// The earliest next run asked for.
    public static let interval: TimeInterval = 15 * 60

    /// Registers the handler; call once, before the app finishes launching.
    ///
    /// `whileOpen` is asked first: when this process still holds the store open (the app was
    /// suspended, not ended), the check-in goes through the app's own model, so that a wipe
    /// closes that store before its files go (the core's contract) and the screen shows the wipe
    /// when the app comes back; it returns nil when no store is open, and the check-in then
    /// works from the secret store alone.
    public static func register(
        databasePath: @escaping @Sendable () -> String?,
        secrets: KeychainSecretStore,
        book: ContactStoreBook,
        managed: ManagedConfiguration,
        whileOpen: @escaping @Sendable () async -> Bool?
    ) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule()
            let completion = Completion(task)
            task.expirationHandler = {
                completion.finish(success: false)
            }
            Task {
                if let done = await whileOpen() {
                    completion.finish(success: done)
                    return
                }
                DispatchQueue.global(qos: .utility).async {
                    let done = checkIn(databasePath: databasePath(), secrets: secrets, book: book, managed: managed)
                    completion.finish(success: done)
                }
            }
        }
    }

    /// Asks iOS for the next run (again at every run and whenever the app goes to the background).
    public static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: interval)
        try? BGTaskScheduler.shared.submit(request)
    }

    /// One check-in with no store open. Returns false when something failed (iOS is told, and
    /// the next run or start tries again); never shows anything.
    public static func checkIn(
        databasePath: String?,
        secrets: KeychainSecretStore,
        book: ContactStoreBook,
        managed: ManagedConfiguration
    ) -> Bool {
        let reading = managed.read()
        let keys = managedConfigKeys()
        var succeeded = true
        if let bulletin = reading.values[keys.bulletin], !bulletin.isEmpty {
            do {
                _ = try receiveBulletin(secrets: secrets, bulletin: bulletin)
            } catch {
                succeeded = false
            }
        }
        if let command = reading.values[keys.wipeCommand], !command.isEmpty {
            // Refused (already carried out, for another phone, damaged): the app shows why when
            // it next starts; here nothing is shown.
            _ = try? receiveWipeWithoutStore(secrets: secrets, command: command)
        }
        guard let pending = try? wipePending(secrets: secrets), pending else {
            return succeeded
        }
        guard let databasePath else {
            return false
        }
        do {
            if let receipt = try resumePendingWipe(path: databasePath, secrets: secrets, book: book) {
                managed.writeReceipt(receipt)
            }
            return succeeded
        } catch {
            return false
        }
    }
}

/// Tells iOS once that the task is done: when the check-in ends, or when iOS runs out of time
/// for it (whichever comes first).
private final class Completion: @unchecked Sendable {
    private let task: BGTask
    private let lock = NSLock()
    private var finished = false

    init(_ task: BGTask) {
        self.task = task
    }

    func finish(success: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else {
            return
        }
        finished = true
        task.setTaskCompleted(success: success)
    }
}
