// Stand-in for SwiftUI's views, as far as the app uses them (see Core.swift). Each
// initializer as Apple's documentation gives it, with its `where` clauses and availability.
// Linux does not enforce `@available(iOS …)`. Value-like types (Text, Image, Color…) conform to
// View in an extension, as in Apple's interface, so they are not main-actor isolated; container
// views declare it on the type.

// MARK: - Shapes and drawing

/// Apple: `protocol Shape : Sendable, Animatable, View` (iOS 13.0); `path(in:)` is what a shape is.
public protocol Shape: Sendable, View {
    func path(in rect: CGRect) -> Path
}

/// Apple: `@frozen struct Rectangle : Shape` (iOS 13.0).
public struct Rectangle: Shape {
    public typealias Body = Never
    nonisolated public init() {}
    nonisolated public func path(in rect: CGRect) -> Path { fatalError("stand-in") }
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct FillStyle : Equatable, Sendable`.
public struct FillStyle: Equatable, Sendable {
    public init(eoFill: Bool = false, antialiased: Bool = true) {}
}

/// Apple: `@frozen struct Path : Equatable, LosslessStringConvertible, @unchecked Sendable` (iOS 13.0).
public struct Path: Equatable, Sendable {
    public init() {}
    /// Apple: `init(_ rect: CGRect)`.
    public init(_ rect: CGRect) { fatalError("stand-in") }
    /// Apple: `mutating func addRect(_ rect: CGRect, transform: CGAffineTransform = .identity)`.
    public mutating func addRect(_ rect: CGRect, transform: CGAffineTransform = .identity) { fatalError("stand-in") }
}

/// Apple: `enum ColorRenderingMode : Equatable, Hashable, Sendable` (iOS 15.0).
public enum ColorRenderingMode: Equatable, Hashable, Sendable {
    case nonLinear, linear, extendedLinear
}

/// Apple: `@frozen struct GraphicsContext` (iOS 15.0).
@available(iOS 15.0, *)
public struct GraphicsContext {
    /// Apple: `func fill(_ path: Path, with shading: GraphicsContext.Shading, style: FillStyle = FillStyle())`.
    public func fill(_ path: Path, with shading: GraphicsContext.Shading, style: FillStyle = FillStyle()) { fatalError("stand-in") }

    /// Apple: `struct GraphicsContext.Shading : Sendable`.
    public struct Shading: Sendable {
        /// Apple: `static func color(_ color: Color) -> GraphicsContext.Shading`.
        public static func color(_ color: Color) -> GraphicsContext.Shading { fatalError("stand-in") }
    }
}

/// Apple: `struct Canvas<Symbols> where Symbols : View` (iOS 15.0), a View.
@available(iOS 15.0, *)
public struct Canvas<Symbols: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

@available(iOS 15.0, *)
extension Canvas where Symbols == EmptyView {
    /// Apple: `init(opaque: Bool = false, colorMode: ColorRenderingMode = .nonLinear, rendersAsynchronously: Bool = false,
    /// renderer: @escaping (inout GraphicsContext, CGSize) -> Void)`.
    nonisolated public init(
        opaque: Bool = false,
        colorMode: ColorRenderingMode = .nonLinear,
        rendersAsynchronously: Bool = false,
        renderer: @escaping (inout GraphicsContext, CGSize) -> Void
    ) { fatalError("stand-in") }
}

// MARK: - Gestures

/// Apple: `@MainActor @preconcurrency protocol Gesture` (iOS 13.0).
@MainActor @preconcurrency
public protocol Gesture {
    associatedtype Value
}

/// Apple: `struct TapGesture : Gesture`, `Value == Void` (iOS 13.0).
public struct TapGesture: Gesture {
    public typealias Value = Void
    /// Apple: `init(count: Int = 1)`.
    nonisolated public init(count: Int = 1) {}
}

/// Apple: `@frozen struct _EndedGesture<Content> : Gesture where Content : Gesture`.
public struct _EndedGesture<Content: Gesture>: Gesture {
    public typealias Value = Content.Value
}

extension Gesture {
    /// Apple: `func onEnded(_ action: @escaping (Self.Value) -> Void) -> _EndedGesture<Self>`.
    public func onEnded(_ action: @escaping (Self.Value) -> Void) -> _EndedGesture<Self> { fatalError("stand-in") }
}

/// Apple: `@frozen struct GestureMask : OptionSet, Sendable`.
public struct GestureMask: OptionSet, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let all = GestureMask(rawValue: 3)
}

// MARK: - Toolbars

/// Apple: `@MainActor @preconcurrency protocol ToolbarContent` (iOS 14.0).
@MainActor @preconcurrency
public protocol ToolbarContent {}

/// Apple: `struct ToolbarItemPlacement` (iOS 14.0).
public struct ToolbarItemPlacement: Sendable {
    public static let automatic = ToolbarItemPlacement()
    public static let cancellationAction = ToolbarItemPlacement()
    public static let confirmationAction = ToolbarItemPlacement()
}

/// Apple: `struct ToolbarItem<ID, Content> : ToolbarContent where Content : View` (iOS 14.0).
public struct ToolbarItem<ID, Content: View>: ToolbarContent {}

extension ToolbarItem where ID == () {
    /// Apple: `init(placement: ToolbarItemPlacement = .automatic, @ViewBuilder content: () -> Content)`.
    nonisolated public init(placement: ToolbarItemPlacement = .automatic, @ViewBuilder content: () -> Content) {
        fatalError("stand-in")
    }
}

/// Apple: `struct TupleToolbarContent<T> : ToolbarContent`.
public struct TupleToolbarContent<T>: ToolbarContent {}

/// Apple: `@resultBuilder struct ToolbarContentBuilder` (iOS 14.0); the arities the app uses.
@resultBuilder
public struct ToolbarContentBuilder {
    public static func buildBlock<Content: ToolbarContent>(_ content: Content) -> Content { content }
    public static func buildBlock<C0: ToolbarContent, C1: ToolbarContent>(_ c0: C0, _ c1: C1) -> TupleToolbarContent<(C0, C1)> {
        fatalError("stand-in")
    }
}

// MARK: - Text input

/// Apple: `struct TextInputAutocapitalization : Sendable` (iOS 15.0).
@available(iOS 15.0, *)
public struct TextInputAutocapitalization: Sendable {
    public static let never = TextInputAutocapitalization()
    public static let words = TextInputAutocapitalization()
    public static let sentences = TextInputAutocapitalization()
    public static let characters = TextInputAutocapitalization()
}

/// Apple: `protocol TextSelectability` (iOS 15.0).
@available(iOS 15.0, *)
public protocol TextSelectability {}

/// Apple: `struct EnabledTextSelectability : TextSelectability` (iOS 15.0).
@available(iOS 15.0, *)
public struct EnabledTextSelectability: TextSelectability {}

@available(iOS 15.0, *)
extension TextSelectability where Self == EnabledTextSelectability {
    /// Apple: `static var enabled: EnabledTextSelectability { get }`.
    public static var enabled: EnabledTextSelectability { EnabledTextSelectability() }
}
