// Stand-in for LocalAuthentication (iOS 18.2 SDK): only what the shell uses, each declaration
// as Apple's documentation gives it. Compiled, never run. Linux does not enforce
// `@available(iOS …)`.
import Foundation

/// Apple: `enum LAPolicy : Int, @unchecked Sendable` (iOS 8.0).
public enum LAPolicy: Int, Sendable {
    case deviceOwnerAuthenticationWithBiometrics = 1
    case deviceOwnerAuthentication = 2
}

/// Apple: `class LAContext : NSObject` (iOS 8.0); not Sendable.
open class LAContext: NSObject {
    public override init() {}

    /// Apple: `func canEvaluatePolicy(_ policy: LAPolicy, error: NSErrorPointer) -> Bool`.
    /// Linux gap: Foundation on Linux has no `NSErrorPointer`
    /// (`AutoreleasingUnsafeMutablePointer<NSError?>?`); a `&error` argument of type `NSError?`
    /// converts to this pointer the same way.
    open func canEvaluatePolicy(_ policy: LAPolicy, error: UnsafeMutablePointer<NSError?>?) -> Bool {
        fatalError("stand-in")
    }

    /// Apple: `func evaluatePolicy(_ policy: LAPolicy, localizedReason: String,
    /// reply: @escaping @Sendable (Bool, (any Error)?) -> Void)`.
    open func evaluatePolicy(
        _ policy: LAPolicy,
        localizedReason: String,
        reply: @escaping @Sendable (Bool, (any Error)?) -> Void
    ) { fatalError("stand-in") }

    /// The async form Swift imports from the reply above:
    /// `func evaluatePolicy(_ policy: LAPolicy, localizedReason: String) async throws -> Bool`.
    open func evaluatePolicy(_ policy: LAPolicy, localizedReason: String) async throws -> Bool {
        fatalError("stand-in")
    }
}

/// Apple: `struct LAError` (an error bridged from `LAErrorDomain`, iOS 8.0), with its `code`.
public struct LAError: Error, Hashable {
    /// Apple: `enum LAError.Code : Int, @unchecked Sendable`; the cases of iOS 18.
    public enum Code: Int, Sendable {
        case authenticationFailed = -1
        case userCancel = -2
        case userFallback = -3
        case systemCancel = -4
        case passcodeNotSet = -5
        case biometryNotAvailable = -6
        case biometryNotEnrolled = -7
        case biometryLockout = -8
        case appCancel = -9
        case invalidContext = -10
        case notInteractive = -1004
        case biometryNotPaired = -11
        case biometryDisconnected = -12
        case invalidDimensions = -14
        @available(iOS 18.0, *)
        case companionNotAvailable = -1000
    }

    /// Apple: `var code: LAError.Code { get }` (from `_BridgedStoredNSError`).
    public var code: Code { fatalError("stand-in") }
}
