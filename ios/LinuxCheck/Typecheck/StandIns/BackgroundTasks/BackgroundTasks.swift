// Stand-in for BackgroundTasks (iOS 13.0+; iOS 18.2 SDK): only what the shell uses, each
// declaration as Apple's documentation gives it. Compiled, never run. Linux does not enforce
// `@available(iOS …)`.
import Foundation

/// Apple: `class BGTaskScheduler : NSObject` (iOS 13.0).
open class BGTaskScheduler: NSObject {
    /// Apple: `class var shared: BGTaskScheduler { get }`.
    open class var shared: BGTaskScheduler { fatalError("stand-in") }

    /// Apple: `func register(forTaskWithIdentifier identifier: String, using queue: dispatch_queue_t?,
    /// launchHandler: @escaping (BGTask) -> Void) -> Bool`. The launch handler is neither
    /// `@Sendable` nor isolated. Methods imported from Objective-C never warn about an unused
    /// result, hence `@discardableResult`.
    @discardableResult
    open func register(
        forTaskWithIdentifier identifier: String,
        using queue: DispatchQueue?,
        launchHandler: @escaping (BGTask) -> Void
    ) -> Bool { fatalError("stand-in") }

    /// Apple: `func submit(_ taskRequest: BGTaskRequest) throws`.
    open func submit(_ taskRequest: BGTaskRequest) throws { fatalError("stand-in") }
}

/// Apple: `class BGTask : NSObject` (iOS 13.0); not Sendable.
open class BGTask: NSObject {
    /// Apple: `var identifier: String { get }`.
    open var identifier: String { fatalError("stand-in") }
    /// Apple: `var expirationHandler: (() -> Void)? { get set }`.
    open var expirationHandler: (() -> Void)? {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }
    /// Apple: `func setTaskCompleted(success: Bool)`.
    open func setTaskCompleted(success: Bool) { fatalError("stand-in") }
}

/// Apple: `class BGAppRefreshTask : BGTask` (iOS 13.0).
open class BGAppRefreshTask: BGTask {}

/// Apple: `class BGTaskRequest : NSObject` (iOS 13.0).
open class BGTaskRequest: NSObject {
    /// Apple: `var identifier: String { get }`.
    open var identifier: String { fatalError("stand-in") }
    /// Apple: `var earliestBeginDate: Date? { get set }`.
    open var earliestBeginDate: Date? {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }
}

/// Apple: `class BGAppRefreshTaskRequest : BGTaskRequest` (iOS 13.0).
open class BGAppRefreshTaskRequest: BGTaskRequest {
    /// Apple: `init(identifier: String)`.
    public init(identifier: String) { fatalError("stand-in") }
}
