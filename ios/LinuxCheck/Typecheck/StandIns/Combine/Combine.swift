// Stand-in for Combine (iOS 18.2 SDK): only what the app uses, through SwiftUI's re-export:
// `ObservableObject`, `@Published`, and `NotificationCenter.publisher(for:object:)` (which Apple
// declares in Foundation's Combine overlay; on Linux it lives here). Compiled, never run.
// Linux does not enforce `@available(iOS …)`.
import Foundation

/// Apple: `protocol Publisher<Output, Failure>` (iOS 13.0). The requirement
/// `receive(subscriber:)` is left out: the app never subscribes by hand (SwiftUI's
/// `onReceive` does), and leaving it out needs no `Subscriber` stand-in.
public protocol Publisher<Output, Failure> {
    associatedtype Output
    associatedtype Failure: Error
}

/// Apple: `final class ObservableObjectPublisher : Publisher` with `Output == Void`,
/// `Failure == Never` (iOS 13.0).
final public class ObservableObjectPublisher: Publisher {
    public typealias Output = Void
    public typealias Failure = Never
    public init() {}
    final public func send() { fatalError("stand-in") }
}

/// Apple: `protocol ObservableObject : AnyObject` (iOS 13.0).
public protocol ObservableObject: AnyObject {
    associatedtype ObjectWillChangePublisher: Publisher = ObservableObjectPublisher
        where ObjectWillChangePublisher.Failure == Never
    var objectWillChange: ObjectWillChangePublisher { get }
}

extension ObservableObject where ObjectWillChangePublisher == ObservableObjectPublisher {
    /// Apple: the synthesized publisher of classes with `@Published` properties.
    public var objectWillChange: ObservableObjectPublisher { fatalError("stand-in") }
}

/// Apple: `@propertyWrapper struct Published<Value>` (iOS 13.0). Usable only on properties of
/// classes: the plain `wrappedValue` is unavailable, as Apple's is, and classes go through the
/// `_enclosingInstance` subscript.
@propertyWrapper
public struct Published<Value> {
    public init(wrappedValue: Value) { fatalError("stand-in") }
    public init(initialValue: Value) { fatalError("stand-in") }

    @available(*, unavailable, message: "@Published is only available on properties of classes")
    public var wrappedValue: Value {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }

    public var projectedValue: Published<Value>.Publisher {
        mutating get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }

    public static subscript<EnclosingSelf: AnyObject>(
        _enclosingInstance object: EnclosingSelf,
        wrapped wrappedKeyPath: ReferenceWritableKeyPath<EnclosingSelf, Value>,
        storage storageKeyPath: ReferenceWritableKeyPath<EnclosingSelf, Published<Value>>
    ) -> Value {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }

    /// Apple: `struct Published.Publisher : Publisher` with `Failure == Never`.
    public struct Publisher: Combine.Publisher {
        public typealias Output = Value
        public typealias Failure = Never
    }
}

extension NotificationCenter {
    /// Apple (Foundation's Combine overlay): `struct NotificationCenter.Publisher : Publisher`,
    /// `Output == Notification`, `Failure == Never` (iOS 13.0).
    public struct Publisher: Combine.Publisher {
        public typealias Output = Notification
        public typealias Failure = Never
    }

    /// Apple: `func publisher(for name: Notification.Name, object: AnyObject? = nil) -> NotificationCenter.Publisher`.
    public func publisher(for name: Notification.Name, object: AnyObject? = nil) -> NotificationCenter.Publisher {
        fatalError("stand-in")
    }
}
