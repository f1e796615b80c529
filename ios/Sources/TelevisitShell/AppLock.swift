import Foundation
import LocalAuthentication

/// The app lock's authentication: device-owner authentication (Face ID or Touch ID, falling
/// back to the passcode). The lock state and the inactivity timeout live in the core
/// (`unlockSucceeded`, `unlockFailed`, `touch`, `lock`); this only asks iOS who is holding the
/// phone and says what happened in words the clinician can act on.
public enum AppLock {
    public enum Outcome: Equatable, Sendable {
        case unlocked
        /// The person failed to authenticate (`LAError.authenticationFailed` only): the core
        /// counts it (`unlockFailed`). With `.deviceOwnerAuthentication` iOS falls back to its
        /// own passcode sheet, retries wrong passcodes itself and counts them toward the
        /// iPhone's own limits without telling the app, so this may never arrive: the policy's
        /// failed-unlock wipe cannot be relied on here, and the README says so for IT.
        case failed(message: String)
        /// Cancelled by the person or by iOS: not counted.
        case cancelled
        /// This iPhone cannot authenticate its owner (no passcode set): the app stays locked.
        case unavailable(message: String)
    }

    public static let noPasscodeMessage =
        "This iPhone has no passcode, so Televisit cannot confirm it is you. Set one in Settings > Face ID & Passcode, then come back."

    public static func authenticate(reason: String = "Unlock Televisit") async -> Outcome {
        let context = LAContext()
        var error: NSError?
        guard context.canEvaluatePolicy(.deviceOwnerAuthentication, error: &error) else {
            return .unavailable(message: noPasscodeMessage)
        }
        do {
            let ok = try await context.evaluatePolicy(.deviceOwnerAuthentication, localizedReason: reason)
            return ok ? .unlocked : .failed(message: "That did not unlock Televisit. Try again.")
        } catch let error as LAError {
            switch error.code {
            case .userCancel, .appCancel, .systemCancel, .userFallback:
                return .cancelled
            case .passcodeNotSet:
                return .unavailable(message: noPasscodeMessage)
            case .authenticationFailed:
                return .failed(message: "Televisit could not confirm it is you. Try again.")
            default:
                // Not a failed attempt (`notInteractive`, `invalidContext`, a biometry that is
                // unavailable...): it must never count toward the policy's wipe.
                return .unavailable(message: "Unlocking is not possible right now (LocalAuthentication error \(error.code.rawValue)). Try again.")
            }
        } catch {
            return .unavailable(message: "Unlocking is not possible right now. Try again.")
        }
    }
}
