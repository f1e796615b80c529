import Foundation
import TelevisitCore
import TelevisitShell

/// What the screens call the core through: the store while it is open and unlocked, each call's
/// failure as a sentence, and work on the store counted (`inFlight`) so that a lock or a wipe
/// waits for it.
extension AppModel {
    /// The policy's call rules (the consent wording among them), read when a screen needs them.
    var calls: CallPolicy? {
        try? televisit?.policy().calls
    }

    /// Runs a core call for a screen: a sentence when it fails, and nothing at all when the app
    /// has locked itself meanwhile.
    func perform<T>(_ work: (Televisit) throws -> T) -> Result<T, ScreenError> {
        guard touch(), let televisit else {
            return .failure(ScreenError(message: "Televisit is locked."))
        }
        do {
            return .success(try work(televisit))
        } catch {
            return .failure(ScreenError(message: UserMessage.text(for: error)))
        }
    }

    /// As `perform`, with the core call on a background thread: for calls that walk the whole
    /// address book (the cleanup plan and its deletions, the pre-flight), which would freeze the
    /// screen on a large one. The result comes back on the main actor.
    func performInBackground<T: Sendable>(_ work: @escaping @Sendable (Televisit) throws -> T) async -> Result<T, ScreenError> {
        guard touch(), let store = televisit else {
            return .failure(ScreenError(message: "Televisit is locked."))
        }
        inFlight += 1
        defer { inFlight -= 1 }
        let task = Task.detached(priority: .userInitiated) { () -> Result<T, ScreenError> in
            do {
                return .success(try work(store))
            } catch {
                return .failure(ScreenError(message: UserMessage.text(for: error)))
            }
        }
        return await task.value
    }

    /// Carries a launch plan out (each attempt recorded on the store), counted as work on the
    /// store like `performInBackground`. Nil when the store closed meanwhile.
    func launch(_ plan: LaunchPlan) async -> LaunchPlanExecutor.Outcome? {
        guard let store = televisit else {
            return nil
        }
        inFlight += 1
        defer { inFlight -= 1 }
        return await LaunchPlanExecutor(televisit: store).run(plan)
    }

    func device() -> IOSDeviceFacts {
        IOSDeviceFacts.current()
    }
}

struct ScreenError: Error, Identifiable, Equatable {
    let id = UUID()
    let message: String
}
