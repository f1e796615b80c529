// Stand-in for SwiftUI's views, as far as the app uses them (see Core.swift). Each
// initializer as Apple's documentation gives it, with its `where` clauses and availability.
// Linux does not enforce `@available(iOS …)`. Value-like types (Text, Image, Color…) conform to
// View in an extension, as in Apple's interface, so they are not main-actor isolated; container
// views declare it on the type.

// MARK: - Text and strings

/// Apple: `@frozen struct LocalizedStringKey : Equatable, ExpressibleByStringInterpolation, Sendable`.
public struct LocalizedStringKey: Equatable, ExpressibleByStringInterpolation, Sendable {
    public init(_ value: String) { fatalError("stand-in") }
    public init(stringLiteral value: String) { fatalError("stand-in") }
    public init(stringInterpolation: LocalizedStringKey.StringInterpolation) { fatalError("stand-in") }

    /// Apple: `struct LocalizedStringKey.StringInterpolation : StringInterpolationProtocol`:
    /// strings, numbers (`_FormatSpecifiable`), `Text`, and values with a format style. Other
    /// values (an enum, a custom type) do not interpolate, as on Apple platforms.
    public struct StringInterpolation: StringInterpolationProtocol {
        public init(literalCapacity: Int, interpolationCount: Int) { fatalError("stand-in") }
        public mutating func appendLiteral(_ literal: String) { fatalError("stand-in") }
        public mutating func appendInterpolation(_ string: String) { fatalError("stand-in") }
        public mutating func appendInterpolation<T: _FormatSpecifiable>(_ value: T) { fatalError("stand-in") }
        public mutating func appendInterpolation<T: _FormatSpecifiable>(_ value: T, specifier: String) { fatalError("stand-in") }
        public mutating func appendInterpolation(_ text: Text) { fatalError("stand-in") }
        @available(iOS 15.0, *)
        public mutating func appendInterpolation<F: FormatStyle>(_ input: F.FormatInput, format: F)
            where F.FormatInput: Equatable, F.FormatOutput == String { fatalError("stand-in") }
    }
}

/// Apple: `protocol _FormatSpecifiable : Equatable`, adopted by the integer and floating-point types.
public protocol _FormatSpecifiable: Equatable {}
extension Int: _FormatSpecifiable {}
extension Int8: _FormatSpecifiable {}
extension Int16: _FormatSpecifiable {}
extension Int32: _FormatSpecifiable {}
extension Int64: _FormatSpecifiable {}
extension UInt: _FormatSpecifiable {}
extension UInt8: _FormatSpecifiable {}
extension UInt16: _FormatSpecifiable {}
extension UInt32: _FormatSpecifiable {}
extension UInt64: _FormatSpecifiable {}
extension Float: _FormatSpecifiable {}
extension Double: _FormatSpecifiable {}
extension CGFloat: _FormatSpecifiable {}

/// Apple: `@frozen struct Text : Equatable, Sendable` (iOS 13.0).
public struct Text: Equatable, Sendable {
    /// Apple: `init(_ key: LocalizedStringKey, tableName: String? = nil, bundle: Bundle? = nil, comment: StaticString? = nil)`.
    public init(_ key: LocalizedStringKey, tableName: String? = nil, bundle: Bundle? = nil, comment: StaticString? = nil) {
        fatalError("stand-in")
    }
    /// Apple: `@_disfavoredOverload init<S>(_ content: S) where S : StringProtocol`.
    @_disfavoredOverload
    public init<S: StringProtocol>(_ content: S) { fatalError("stand-in") }
    /// Apple: `init(verbatim content: String)`.
    public init(verbatim content: String) { fatalError("stand-in") }

    /// Apple: `func font(_ font: Font?) -> Text`.
    public func font(_ font: Font?) -> Text { self }
}

extension Text: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct Image : Equatable, Sendable` (iOS 13.0).
public struct Image: Equatable, Sendable {
    /// Apple: `init(systemName: String)`.
    public init(systemName: String) { fatalError("stand-in") }
}

extension Image: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `struct Label<Title, Icon> : View where Title : View, Icon : View` (iOS 14.0).
public struct Label<Title: View, Icon: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension Label where Title == Text, Icon == Image {
    /// Apple: `init(_ titleKey: LocalizedStringKey, systemImage name: String)`.
    nonisolated public init(_ titleKey: LocalizedStringKey, systemImage name: String) { fatalError("stand-in") }
    /// Apple: `@_disfavoredOverload init<S>(_ title: S, systemImage name: String) where S : StringProtocol`.
    @_disfavoredOverload
    nonisolated public init<S: StringProtocol>(_ title: S, systemImage name: String) { fatalError("stand-in") }
}

// MARK: - Fonts, colours and styles

/// Apple: `@frozen struct Font : Hashable, Sendable` (iOS 13.0).
public struct Font: Hashable, Sendable {
    public static let largeTitle = Font()
    public static let title2 = Font()
    public static let headline = Font()
    public static let body = Font()
    public static let callout = Font()
    public static let footnote = Font()
    public static let caption = Font()
    public static let caption2 = Font()

    /// Apple: `static func system(size: CGFloat, weight: Font.Weight = .regular, design: Font.Design = .default) -> Font` (iOS 13.0).
    public static func system(size: CGFloat, weight: Font.Weight = .regular, design: Font.Design = .default) -> Font {
        fatalError("stand-in")
    }
    /// Apple: `func monospaced() -> Font` (iOS 15.0).
    @available(iOS 15.0, *)
    public func monospaced() -> Font { self }

    /// Apple: `@frozen struct Font.Weight : Hashable, Sendable`.
    public struct Weight: Hashable, Sendable {
        public static let regular = Weight()
    }
    /// Apple: `enum Font.Design : Hashable, Sendable`.
    public enum Design: Hashable, Sendable {
        case `default`
        case monospaced
    }
}

/// Apple: `protocol ShapeStyle : Sendable` (iOS 13.0; Sendable since the iOS 17 SDK).
public protocol ShapeStyle: Sendable {}

/// Apple: `@frozen struct Color : Hashable, CustomStringConvertible, Sendable` (iOS 13.0).
public struct Color: Hashable, CustomStringConvertible, Sendable {
    public static let white = Color()
    public static let black = Color()
    public static let primary = Color()
    public static let orange = Color()
    public static let red = Color()
    public var description: String { fatalError("stand-in") }
}

extension Color: ShapeStyle {}
extension Color: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct HierarchicalShapeStyle : ShapeStyle` (iOS 15.0).
@available(iOS 15.0, *)
public struct HierarchicalShapeStyle: ShapeStyle {}

@available(iOS 15.0, *)
extension ShapeStyle where Self == HierarchicalShapeStyle {
    /// Apple: `static var secondary: HierarchicalShapeStyle { get }`.
    public static var secondary: HierarchicalShapeStyle { fatalError("stand-in") }
}

/// Apple: `struct Material : Sendable` conforming to ShapeStyle (iOS 15.0).
@available(iOS 15.0, *)
public struct Material: ShapeStyle {}

@available(iOS 15.0, *)
extension ShapeStyle where Self == Material {
    /// Apple: `static var thinMaterial: Material { get }`.
    public static var thinMaterial: Material { fatalError("stand-in") }
}

/// Apple: `@frozen struct BackgroundStyle : ShapeStyle` (iOS 15.0).
@available(iOS 15.0, *)
public struct BackgroundStyle: ShapeStyle {}

@available(iOS 15.0, *)
extension ShapeStyle where Self == BackgroundStyle {
    /// Apple: `static var background: BackgroundStyle { get }`.
    public static var background: BackgroundStyle { fatalError("stand-in") }
}

// MARK: - Layout values

/// Apple: `@frozen struct HorizontalAlignment : Equatable, Sendable`.
public struct HorizontalAlignment: Equatable, Sendable {
    public static let leading = HorizontalAlignment()
    public static let center = HorizontalAlignment()
}

/// Apple: `@frozen struct Alignment : Equatable, Sendable`.
public struct Alignment: Equatable, Sendable {
    public static let leading = Alignment()
    public static let center = Alignment()
}

/// Apple: `@frozen enum Edge : Int8, CaseIterable, Sendable`, with `Edge.Set`.
public enum Edge: Int8, CaseIterable, Sendable {
    case top, leading, bottom, trailing
    public struct Set: OptionSet, Sendable {
        public var rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }
        public static let all = Set(rawValue: 15)
        public static let vertical = Set(rawValue: 5)
    }
}

/// Apple: `@frozen enum VerticalEdge : Int8, Hashable, CaseIterable, Sendable` (iOS 15.0).
public enum VerticalEdge: Int8, Hashable, CaseIterable, Sendable {
    case top, bottom
}

/// Apple: `@frozen enum Axis : Int8, CaseIterable, Sendable`, with `Axis.Set`.
public enum Axis: Int8, CaseIterable, Sendable {
    case horizontal, vertical
    public struct Set: OptionSet, Sendable {
        public var rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }
        public static let horizontal = Set(rawValue: 1)
        public static let vertical = Set(rawValue: 2)
    }
}

/// Apple: `enum ContentMode : Hashable, CaseIterable, Sendable`.
public enum ContentMode: Hashable, CaseIterable, Sendable {
    case fit, fill
}

/// Apple: `enum TextAlignment : Hashable, CaseIterable, Sendable`.
public enum TextAlignment: Hashable, CaseIterable, Sendable {
    case leading, center, trailing
}

/// Apple: `@frozen struct SafeAreaRegions : OptionSet, Sendable` (iOS 14.0).
public struct SafeAreaRegions: OptionSet, Sendable {
    public var rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let all = SafeAreaRegions(rawValue: 3)
}

/// Apple: `struct Visibility : Hashable, CaseIterable, Sendable` (iOS 15.0).
public enum Visibility: Hashable, CaseIterable, Sendable {
    case automatic, visible, hidden
}
