import Foundation
import TelevisitCore

/// A check-in with no store open, from the secret store alone: what a background task does when
/// nobody opened the app. It applies the fleet's bulletin (contact with IT; a wipe when it names
/// this iPhone), takes a single wipe command the same way, finishes a pending wipe, and keeps
/// the receipt the core holds in the managed feedback until IT's bulletin confirms it. It never
/// shows anything.
///
/// It runs in the process's store turn (`StoreGate`): when this process holds the store open,
/// it does nothing and says so, and the check-in belongs to the open store's owner, which closes
/// the store before a wipe deletes its files.
public enum SecretStoreCheckIn {
    public enum Outcome: Equatable, Sendable {
        /// Everything it had to do went through (a wipe included, to its receipt).
        case done
        /// Something failed; the next run or start tries again.
        case failed
        /// This process holds the store open: nothing was done here.
        case storeOpen
        /// iOS took the time back before the check-in ended; a wipe half-done is finished by
        /// the next check-in or start (each of its steps can run again).
        case cancelled
    }

    /// Runs on the calling thread (never the main one: a wipe walks the address book).
    /// `isCancelled` is asked between steps.
    public static func run(
        databasePath: String?,
        secrets: SecretStore,
        book: ContactBook,
        managed: ManagedConfiguration,
        gate: StoreGate = .shared,
        isCancelled: () -> Bool = { false }
    ) -> Outcome {
        gate.exclusive { storeOpen in
            if storeOpen {
                return .storeOpen
            }
            return steps(databasePath: databasePath, secrets: secrets, book: book, managed: managed, isCancelled: isCancelled)
        }
    }

    private static func steps(
        databasePath: String?,
        secrets: SecretStore,
        book: ContactBook,
        managed: ManagedConfiguration,
        isCancelled: () -> Bool
    ) -> Outcome {
        // Which keys, in which order, and whether a wipe started: the core's one rule, the same
        // Android's check-in calls. A refused bulletin or a locked Keychain is a failed run.
        let checkIn = checkInWithoutStore(secrets: secrets, values: managed.read().values)
        let succeeded = !checkIn.bulletinRefused && !checkIn.secretStoreFailed
        if isCancelled() {
            return .cancelled
        }
        // An unreadable secret store is not "no wipe pending": iOS is told the check-in failed.
        let pending: Bool
        do {
            pending = try wipePending(secrets: secrets)
        } catch {
            return .failed
        }
        if pending {
            if isCancelled() {
                return .cancelled
            }
            guard let databasePath else {
                return .failed
            }
            do {
                _ = try resumePendingWipe(path: databasePath, secrets: secrets, book: book)
            } catch {
                return .failed
            }
        }
        // The receipt the core holds goes in the feedback at every check-in, and leaves it only
        // when the bulletin above confirmed IT holds it (the core then forgot it).
        do {
            managed.syncReceipt(try heldWipeReceipt(secrets: secrets))
        } catch {
            return .failed
        }
        return succeeded ? .done : .failed
    }
}
