import Foundation
import TelevisitCore

/// The cleanup step of a background check-in: the counts IT's fleet view reads (kept for the
/// device report, which goes to the managed feedback again), and, when IT's policy makes cleanup
/// automatic, this iPhone's own due contacts removed as the Cleanup screen's delete would
/// (never a contact Televisit did not make: those wait for a person). The rule is the core's;
/// this file only opens the store for it and passes the address book.
public enum CleanupCheckIn {
    public enum Outcome: Equatable, Sendable {
        /// The step ran: `removed` contacts went, `failed` stay for a later check-in.
        case ran(removed: UInt32, failed: UInt32)
        /// Counted only: automatic cleanup is off, nothing was due, or it ran within the hour.
        case counted
        /// First run after an install: nothing enrolled, nothing to count.
        case notSetUp
        /// This process holds the store open: the step is the open store's owner's.
        case storeOpen
        /// The store would not open, or the core failed: the next check-in tries again.
        case failed
    }

    /// Through a store this process holds open (the app's model). Nil when the core failed.
    public static func run(televisit: Televisit, book: ContactBook) -> BackgroundCleanup? {
        try? televisit.backgroundCleanup(book: book)
    }

    /// From a background task with no store open: the store is opened for this step only, in
    /// the process's store turn, and the report with the new counts is written to the managed
    /// feedback before the turn ends. Runs on the calling thread (never the main one: it walks
    /// the address book).
    public static func runWithoutOpenStore(
        databasePath: String,
        secrets: SecretStore,
        book: ContactBook,
        managed: ManagedConfiguration,
        osVersion: String,
        appVersion: String,
        gate: StoreGate = .shared
    ) -> Outcome {
        gate.exclusive { storeOpen in
            if storeOpen {
                return .storeOpen
            }
            guard !InstallMarker(databasePath: databasePath).isFreshInstall else {
                return .notSetUp
            }
            do {
                let store = try Televisit.openForApplePlatforms(path: databasePath, secrets: secrets, freshInstall: false)
                let done = try store.backgroundCleanup(book: book)
                // Not enrolled: no one to report to.
                if let report = try? store.deviceReport(platform: .ios, osVersion: osVersion, appVersion: appVersion) {
                    managed.writeReport(report)
                }
                return done.skipped == nil ? .ran(removed: done.removed, failed: done.failed) : .counted
            } catch {
                return .failed
            }
        }
    }

    /// What automatic cleanup did while the app was closed, for the alert on the next open:
    /// counts only, never a name.
    public static func describe(_ summary: AutomaticCleanupSummary) -> String {
        let removed = summary.removed == 1 ? "1 patient contact that was due" : "\(summary.removed) patient contacts that were due"
        var text = "As IT's policy asks, Televisit removed \(removed) (past \(summary.ageDays) days, or a visit done or consent withdrawn)."
        if summary.failed > 0 {
            text += summary.failed == 1
                ? " 1 could not be removed; it is tried again at a later check-in."
                : " \(summary.failed) could not be removed; they are tried again at a later check-in."
        }
        if summary.lookalikesWaiting > 0 {
            text += summary.lookalikesWaiting == 1
                ? " 1 contact named like a patient that Televisit did not make waits for you in Cleanup."
                : " \(summary.lookalikesWaiting) contacts named like patients that Televisit did not make wait for you in Cleanup."
        }
        return text
    }

    /// How the last run ended, in words.
    public static func describe(_ end: CleanupEnd) -> String {
        switch end {
        case .done:
            return "everything due was removed"
        case .someFailed:
            return "some removals failed; the next run tries again"
        case .lookalikesWaiting:
            return "contacts named like patients that Televisit did not make wait for you"
        }
    }
}
