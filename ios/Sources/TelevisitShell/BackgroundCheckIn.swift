import BackgroundTasks
import Foundation
import TelevisitCore

/// A wipe must not wait for anyone to open the app. iOS hands the managed configuration to the
/// app only while it runs, so Televisit also checks in from a `BGAppRefreshTask`: through the
/// app's open store when this process holds one (the app was suspended, not ended), else from
/// the secret store alone (`SecretStoreCheckIn`). The task is marked complete only when the
/// check-in, a wipe it started included, has ended; when iOS takes the time back first, the
/// work is cancelled between steps and the wipe finishes at the next check-in or start.
///
/// With no store open, the check-in through IT's relay (when IT named one) follows the MDM's:
/// the store is opened for the request only (`RelayCheckIn.runWithoutOpenStore`), so a lost
/// iPhone with a data connection takes its wipe without the MDM's cycle; through the open
/// store, `whileOpen` does it.
///
/// With no store open, the policy's cleanup (`CleanupCheckIn`) runs between the two: the counts
/// IT's fleet view reads, and this iPhone's own due contacts removed when IT's policy makes
/// cleanup automatic; the relay's report then carries the counts after it.
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
    /// `whileOpen` is asked first, and again when the store turns out to be open: it checks in
    /// through the app's own model, so that a wipe closes that store before its files go (the
    /// core's contract) and the screen shows the wipe when the app comes back. It returns only
    /// when that check-in, and a wipe it started, have ended; nil when no store is open.
    public static func register(
        databasePath: @escaping @Sendable () -> String?,
        secrets: KeychainSecretStore,
        book: ContactStoreBook,
        managed: ManagedConfiguration,
        relay: RelayTransport,
        whileOpen: @escaping @Sendable () async -> Bool?
    ) {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            schedule()
            let completion = Completion(task)
            let work = Task {
                let path = databasePath()
                var done = await checkIn(
                    databasePath: path, secrets: secrets, book: book, managed: managed, whileOpen: whileOpen
                )
                if let path, !Task.isCancelled {
                    let cleanup = await onUtilityQueue {
                        CleanupCheckIn.runWithoutOpenStore(
                            databasePath: path, secrets: secrets, book: book, managed: managed,
                            osVersion: IOSDeviceFacts.systemVersion(), appVersion: IOSDeviceFacts.appVersion()
                        )
                    }
                    if cleanup == .failed {
                        done = false
                    }
                }
                if let path, !Task.isCancelled {
                    let relayed = await RelayCheckIn.runWithoutOpenStore(
                        databasePath: path, secrets: secrets, book: book,
                        osVersion: IOSDeviceFacts.systemVersion(), appVersion: IOSDeviceFacts.appVersion(), transport: relay
                    )
                    if case let .answered(outcome) = relayed, outcome.retry || outcome.refused != nil {
                        done = false
                    } else if relayed == .failed {
                        done = false
                    }
                }
                completion.finish(success: done)
            }
            task.expirationHandler = {
                work.cancel()
                completion.finish(success: false)
            }
        }
    }

    /// Asks iOS for the next run (again at every run and whenever the app goes to the background).
    public static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: identifier)
        request.earliestBeginDate = Date(timeIntervalSinceNow: interval)
        try? BGTaskScheduler.shared.submit(request)
    }

    private static func checkIn(
        databasePath: String?,
        secrets: KeychainSecretStore,
        book: ContactStoreBook,
        managed: ManagedConfiguration,
        whileOpen: @Sendable () async -> Bool?
    ) async -> Bool {
        if let done = await whileOpen() {
            return done
        }
        // The declarative configuration (iOS 18.4+) is read before anything is applied: a wipe
        // in this run's bulletin must not wait for the app to open.
        if #available(iOS 18.4, *) {
            await managed.loadDeclarative()
        }
        // The work runs on a queue of its own (a wipe walks the address book), outside the task:
        // the task's cancellation reaches it through a flag.
        let cancelled = Flag()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SecretStoreCheckIn.Outcome, Never>) in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(returning: SecretStoreCheckIn.run(
                        databasePath: databasePath, secrets: secrets, book: book, managed: managed,
                        isCancelled: { cancelled.isSet }
                    ))
                }
            }
        } onCancel: {
            cancelled.set()
        }
        switch outcome {
        case .done:
            return true
        case .failed, .cancelled:
            return false
        case .storeOpen:
            // The app opened its store meanwhile: the check-in is the open store's.
            return await whileOpen() ?? false
        }
    }
}

/// Work that walks the address book, off the task's thread.
private func onUtilityQueue<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        DispatchQueue.global(qos: .utility).async {
            continuation.resume(returning: work())
        }
    }
}

private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set() {
        lock.lock()
        value = true
        lock.unlock()
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
