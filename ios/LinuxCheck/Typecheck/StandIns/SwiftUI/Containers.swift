// Stand-in for SwiftUI's views, as far as the app uses them (see Core.swift). Each
// initializer as Apple's documentation gives it, with its `where` clauses and availability.
// Linux does not enforce `@available(iOS …)`. Value-like types (Text, Image, Color…) conform to
// View in an extension, as in Apple's interface, so they are not main-actor isolated; container
// views declare it on the type.

// MARK: - Stacks and containers

/// Apple: `@frozen struct VStack<Content> : View where Content : View` (iOS 13.0).
public struct VStack<Content: View>: View {
    public typealias Body = Never
    /// Apple: `init(alignment: HorizontalAlignment = .center, spacing: CGFloat? = nil, @ViewBuilder content: () -> Content)`.
    nonisolated public init(alignment: HorizontalAlignment = .center, spacing: CGFloat? = nil, @ViewBuilder content: () -> Content) {
        fatalError("stand-in")
    }
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct ZStack<Content> : View where Content : View` (iOS 13.0).
public struct ZStack<Content: View>: View {
    public typealias Body = Never
    /// Apple: `init(alignment: Alignment = .center, @ViewBuilder content: () -> Content)`.
    nonisolated public init(alignment: Alignment = .center, @ViewBuilder content: () -> Content) { fatalError("stand-in") }
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `struct ScrollView<Content> : View where Content : View` (iOS 13.0).
public struct ScrollView<Content: View>: View {
    public typealias Body = Never
    /// Apple: `init(_ axes: Axis.Set = .vertical, showsIndicators: Bool = true, @ViewBuilder content: () -> Content)`.
    nonisolated public init(_ axes: Axis.Set = .vertical, showsIndicators: Bool = true, @ViewBuilder content: () -> Content) {
        fatalError("stand-in")
    }
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `struct List<SelectionValue, Content> : View where SelectionValue : Hashable, Content : View` (iOS 13.0).
public struct List<SelectionValue: Hashable, Content: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension List where SelectionValue == Never {
    /// Apple: `init(@ViewBuilder content: () -> Content)`.
    nonisolated public init(@ViewBuilder content: () -> Content) { fatalError("stand-in") }
}

/// Apple: `struct Form<Content> : View where Content : View` (iOS 13.0).
public struct Form<Content: View>: View {
    public typealias Body = Never
    /// Apple: `init(@ViewBuilder content: () -> Content)`.
    nonisolated public init(@ViewBuilder content: () -> Content) { fatalError("stand-in") }
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `struct Section<Parent, Content, Footer>` (iOS 13.0), a View when all three are.
public struct Section<Parent, Content, Footer> {}

extension Section: View where Parent: View, Content: View, Footer: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension Section where Parent: View, Content: View, Footer: View {
    /// Apple: `init(@ViewBuilder content: () -> Content, @ViewBuilder header: () -> Parent, @ViewBuilder footer: () -> Footer)`.
    nonisolated public init(
        @ViewBuilder content: () -> Content,
        @ViewBuilder header: () -> Parent,
        @ViewBuilder footer: () -> Footer
    ) { fatalError("stand-in") }
}

extension Section where Parent == EmptyView, Content: View, Footer: View {
    /// Apple: `init(@ViewBuilder content: () -> Content, @ViewBuilder footer: () -> Footer)`.
    nonisolated public init(@ViewBuilder content: () -> Content, @ViewBuilder footer: () -> Footer) { fatalError("stand-in") }
}

extension Section where Parent == EmptyView, Content: View, Footer == EmptyView {
    /// Apple: `init(@ViewBuilder content: () -> Content)`.
    nonisolated public init(@ViewBuilder content: () -> Content) { fatalError("stand-in") }
}

extension Section where Parent == Text, Content: View, Footer == EmptyView {
    /// Apple: `init(_ titleKey: LocalizedStringKey, @ViewBuilder content: () -> Content)` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public init(_ titleKey: LocalizedStringKey, @ViewBuilder content: () -> Content) { fatalError("stand-in") }
    /// Apple: `@_disfavoredOverload init<S>(_ title: S, @ViewBuilder content: () -> Content) where S : StringProtocol` (iOS 15.0).
    @available(iOS 15.0, *)
    @_disfavoredOverload
    nonisolated public init<S: StringProtocol>(_ title: S, @ViewBuilder content: () -> Content) { fatalError("stand-in") }
}

/// Apple: `struct ForEach<Data, ID, Content> where Data : RandomAccessCollection, ID : Hashable` (iOS 13.0).
public struct ForEach<Data: RandomAccessCollection, ID: Hashable, Content> {}

extension ForEach: View where Content: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension ForEach where Content: View {
    /// Apple: `init(_ data: Data, id: KeyPath<Data.Element, ID>, @ViewBuilder content: @escaping (Data.Element) -> Content)`.
    nonisolated public init(_ data: Data, id: KeyPath<Data.Element, ID>, @ViewBuilder content: @escaping (Data.Element) -> Content) {
        fatalError("stand-in")
    }
}

/// Apple: `struct TabView<SelectionValue, Content> : View where SelectionValue : Hashable, Content : View` (iOS 13.0).
public struct TabView<SelectionValue: Hashable, Content: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension TabView where SelectionValue == Int {
    /// Apple: `init(@ViewBuilder content: () -> Content)`.
    nonisolated public init(@ViewBuilder content: () -> Content) { fatalError("stand-in") }
}

// MARK: - Navigation

/// Apple: `struct NavigationPath` (iOS 16.0).
@available(iOS 16.0, *)
public struct NavigationPath {}

/// Apple: `@MainActor @preconcurrency struct NavigationStack<Data, Root> : View where Root : View` (iOS 16.0).
@available(iOS 16.0, *)
public struct NavigationStack<Data, Root: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

@available(iOS 16.0, *)
extension NavigationStack where Data == NavigationPath {
    /// Apple: `init(@ViewBuilder root: () -> Root)`.
    public init(@ViewBuilder root: () -> Root) { fatalError("stand-in") }
}

/// Apple: `struct NavigationLink<Label, Destination> : View where Label : View, Destination : View` (iOS 13.0).
public struct NavigationLink<Label: View, Destination: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension NavigationLink where Destination == Never {
    /// Apple: `init<P>(value: P?, @ViewBuilder label: () -> Label) where P : Hashable` (iOS 16.0).
    @available(iOS 16.0, *)
    nonisolated public init<P: Hashable>(value: P?, @ViewBuilder label: () -> Label) { fatalError("stand-in") }
}

/// Apple: `enum NavigationBarItem.TitleDisplayMode` (iOS 14.0).
public struct NavigationBarItem {
    public enum TitleDisplayMode: Sendable {
        case automatic, inline, large
    }
}
