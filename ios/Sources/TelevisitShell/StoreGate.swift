import Foundation

/// One process-wide turn at Televisit's store, for everything that opens it, closes it or deletes
/// its files: the app's start (which may finish a wipe, then opens the store), a wipe the app
/// carries out, and a background check-in that works from the secret store alone. Without it a
/// background wipe could delete the files while a foreground start opens them, or resume the
/// same wipe twice.
///
/// A serial queue is the turn: work runs on it one piece at a time, and whether this process
/// holds the store open is kept there too, so a check-in that finds the store open leaves the
/// wipe to the open store's owner (which closes it first, as the core asks).
public final class StoreGate: @unchecked Sendable {
    /// The one gate of the app's process.
    public static let shared = StoreGate()

    private let queue = DispatchQueue(label: "org.televisit.store-gate")
    /// Whether this process holds the store open; read and written on `queue` only.
    private var open = false

    public init() {}

    /// Runs `body` now, on the calling thread, when no other turn is running (it waits for the
    /// one that is). For a background check-in, already off the main thread. `storeOpen` is
    /// whether this process holds the store open; `body` sets it when it opens or closes it.
    public func exclusive<T>(_ body: (_ storeOpen: inout Bool) throws -> T) rethrows -> T {
        try queue.sync {
            try body(&open)
        }
    }

    /// As `exclusive`, but off the caller's thread: the main actor never waits on a wipe.
    public func turn<T: Sendable>(_ body: @escaping @Sendable (_ storeOpen: inout Bool) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(&self.open) })
            }
        }
    }

    /// Records that the store was closed (the app dropped it before a wipe). Queued behind any
    /// running turn.
    public func storeClosed() {
        queue.async {
            self.open = false
        }
    }
}
