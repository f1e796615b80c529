import Foundation
import TelevisitCore
import TelevisitShell

/// The periodic cleanup as the app model runs it: the policy's cleanup at a background
/// check-in through the open store, and the summary of what it did, seen once.
extension AppModel {
    /// The cleanup step of a check-in through the open store, before the relay's: counts for
    /// IT, this iPhone's own due contacts removed when IT's policy says so; the report again.
    func cleanupCheckIn() {
        guard let televisit else {
            return
        }
        if CleanupCheckIn.run(televisit: televisit, book: book) != nil {
            publishReport()
        }
    }

    /// The alert was closed: the next summary counts from here.
    func cleanupSummarySeen() {
        try? televisit?.automaticCleanupSeen()
        cleanupSummary = nil
    }
}
