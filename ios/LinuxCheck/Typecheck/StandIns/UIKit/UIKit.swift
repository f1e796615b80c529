// Stand-in for UIKit (iOS 18.2 SDK, Xcode 16.2): only what the app and the shell use, each
// declaration as Apple's documentation gives it. Compiled, never run. Linux does not enforce
// `@available(iOS …)`: availability here is documentation for the reader, and the app's own
// `#available` guards are reviewed by hand (see ios/README.md).
//
// As Apple's UIKit does, this module re-exports Foundation.
@_exported import Foundation

// MARK: - UIApplication

/// Apple: `@MainActor class UIResponder : NSObject` (iOS 2.0).
@MainActor @preconcurrency
open class UIResponder: NSObject {}

/// Apple: `@MainActor class UIApplication : UIResponder` (iOS 2.0).
@MainActor @preconcurrency
open class UIApplication: UIResponder {
    /// Apple: `class var shared: UIApplication { get }`.
    open class var shared: UIApplication { fatalError("stand-in") }

    /// Apple: `var isProtectedDataAvailable: Bool { get }` (iOS 4.0).
    open var isProtectedDataAvailable: Bool { fatalError("stand-in") }

    /// Apple: `func canOpenURL(_ url: URL) -> Bool` (iOS 3.0).
    open func canOpenURL(_ url: URL) -> Bool { fatalError("stand-in") }

    /// Apple: `func open(_ url: URL, options: [UIApplication.OpenExternalURLOptionsKey : Any] = [:],
    /// completionHandler completion: (@MainActor @Sendable (Bool) -> Void)? = nil)` (iOS 10.0).
    open func open(
        _ url: URL,
        options: [UIApplication.OpenExternalURLOptionsKey: Any] = [:],
        completionHandler completion: (@MainActor @Sendable (Bool) -> Void)? = nil
    ) { fatalError("stand-in") }

    /// The async form Swift imports from the completion handler above:
    /// `func open(_ url: URL, options: [UIApplication.OpenExternalURLOptionsKey : Any] = [:]) async -> Bool`.
    open func open(_ url: URL, options: [UIApplication.OpenExternalURLOptionsKey: Any] = [:]) async -> Bool {
        fatalError("stand-in")
    }

    /// Apple: `nonisolated class let protectedDataDidBecomeAvailableNotification: NSNotification.Name` (iOS 4.0).
    /// (A `static let` here: Swift has no stored `class let`; Objective-C's class properties import as one.)
    nonisolated public static let protectedDataDidBecomeAvailableNotification = NSNotification.Name("UIApplicationProtectedDataDidBecomeAvailable")

    /// Apple: `class let openSettingsURLString: String` (iOS 8.0). Declared nonisolated like the
    /// notification names; not confirmed against the docs (the app reads it on the main actor).
    nonisolated public static let openSettingsURLString: String = "app-settings:"

    /// Apple: `struct UIApplication.OpenExternalURLOptionsKey` (iOS 10.0), a string-backed key.
    public struct OpenExternalURLOptionsKey: Hashable, RawRepresentable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }
}

// MARK: - UIPasteboard

/// Apple: `class UIPasteboard : NSObject` (iOS 3.0). Its isolation is not confirmed against the
/// docs; declared without one, which is the weaker claim: the app only uses it on the main actor.
open class UIPasteboard: NSObject {
    /// Apple: `class var general: UIPasteboard { get }`.
    open class var general: UIPasteboard { fatalError("stand-in") }
    /// Apple: `var string: String? { get set }`.
    open var string: String? {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }
}

// MARK: - Text input

/// Apple: `enum UIKeyboardType : Int, @unchecked Sendable` (iOS 2.0); the cases the app uses.
public enum UIKeyboardType: Int, Sendable {
    case `default` = 0
    case phonePad = 5
}

// MARK: - CoreGraphics gap

/// Apple: CoreGraphics' `struct CGAffineTransform` (UIKit and SwiftUI re-export CoreGraphics).
/// Linux's Foundation has `CGFloat`, `CGPoint`, `CGSize` and `CGRect` but not this one, which
/// SwiftUI's `Path.addRect(_:transform:)` takes (defaulted to `.identity`).
public struct CGAffineTransform: Equatable, Sendable {
    public var a: CGFloat, b: CGFloat, c: CGFloat, d: CGFloat, tx: CGFloat, ty: CGFloat
    public init(a: CGFloat, b: CGFloat, c: CGFloat, d: CGFloat, tx: CGFloat, ty: CGFloat) {
        (self.a, self.b, self.c, self.d, self.tx, self.ty) = (a, b, c, d, tx, ty)
    }
    /// Apple: `static var identity: CGAffineTransform { get }`.
    public static var identity: CGAffineTransform { CGAffineTransform(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0) }
}
