// Stand-in for SwiftUI's views, as far as the app uses them (see Core.swift). Each
// initializer as Apple's documentation gives it, with its `where` clauses and availability.
// Linux does not enforce `@available(iOS …)`. Value-like types (Text, Image, Color…) conform to
// View in an extension, as in Apple's interface, so they are not main-actor isolated; container
// views declare it on the type.

// MARK: - Controls

/// Apple: `struct ButtonRole : Equatable, Sendable` (iOS 15.0).
@available(iOS 15.0, *)
public struct ButtonRole: Equatable, Sendable {
    public static let destructive = ButtonRole()
    public static let cancel = ButtonRole()
}

/// Apple: `struct Button<Label> : View where Label : View` (iOS 13.0). Its actions are
/// `@MainActor` closures.
public struct Button<Label: View>: View {
    public typealias Body = Never
    /// Apple: `@preconcurrency init(action: @escaping @MainActor () -> Void, @ViewBuilder label: () -> Label)`.
    @preconcurrency
    nonisolated public init(action: @escaping @MainActor () -> Void, @ViewBuilder label: () -> Label) { fatalError("stand-in") }
    /// Apple: `@preconcurrency init(role: ButtonRole?, action: @escaping @MainActor () -> Void, @ViewBuilder label: () -> Label)` (iOS 15.0).
    @available(iOS 15.0, *)
    @preconcurrency
    nonisolated public init(role: ButtonRole?, action: @escaping @MainActor () -> Void, @ViewBuilder label: () -> Label) {
        fatalError("stand-in")
    }
    public var body: Never { fatalError("stand-in") }
}

extension Button where Label == Text {
    /// Apple: `@preconcurrency init(_ titleKey: LocalizedStringKey, action: @escaping @MainActor () -> Void)`.
    @preconcurrency
    nonisolated public init(_ titleKey: LocalizedStringKey, action: @escaping @MainActor () -> Void) { fatalError("stand-in") }
    /// Apple: `@_disfavoredOverload @preconcurrency init<S>(_ title: S, action: @escaping @MainActor () -> Void) where S : StringProtocol`.
    @_disfavoredOverload @preconcurrency
    nonisolated public init<S: StringProtocol>(_ title: S, action: @escaping @MainActor () -> Void) { fatalError("stand-in") }
    /// Apple: `@preconcurrency init(_ titleKey: LocalizedStringKey, role: ButtonRole?, action: @escaping @MainActor () -> Void)` (iOS 15.0).
    @available(iOS 15.0, *)
    @preconcurrency
    nonisolated public init(_ titleKey: LocalizedStringKey, role: ButtonRole?, action: @escaping @MainActor () -> Void) {
        fatalError("stand-in")
    }
}

/// Apple: `protocol PrimitiveButtonStyle` (iOS 13.0).
@MainActor @preconcurrency
public protocol PrimitiveButtonStyle {}

/// Apple: `struct BorderedProminentButtonStyle : PrimitiveButtonStyle` (iOS 15.0).
@available(iOS 15.0, *)
public struct BorderedProminentButtonStyle: PrimitiveButtonStyle {
    nonisolated public init() {}
}

@available(iOS 15.0, *)
extension PrimitiveButtonStyle where Self == BorderedProminentButtonStyle {
    /// Apple: `static var borderedProminent: BorderedProminentButtonStyle { get }`.
    nonisolated public static var borderedProminent: BorderedProminentButtonStyle { BorderedProminentButtonStyle() }
}

/// Apple: `struct Toggle<Label> : View where Label : View` (iOS 13.0).
public struct Toggle<Label: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension Toggle where Label == Text {
    /// Apple: `init(_ titleKey: LocalizedStringKey, isOn: Binding<Bool>)`.
    nonisolated public init(_ titleKey: LocalizedStringKey, isOn: Binding<Bool>) { fatalError("stand-in") }
    /// Apple: `@_disfavoredOverload init<S>(_ title: S, isOn: Binding<Bool>) where S : StringProtocol`.
    @_disfavoredOverload
    nonisolated public init<S: StringProtocol>(_ title: S, isOn: Binding<Bool>) { fatalError("stand-in") }
}

/// Apple: `struct TextField<Label> : View where Label : View` (iOS 13.0).
public struct TextField<Label: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension TextField where Label == Text {
    /// Apple: `init(_ titleKey: LocalizedStringKey, text: Binding<String>)`.
    nonisolated public init(_ titleKey: LocalizedStringKey, text: Binding<String>) { fatalError("stand-in") }
    /// Apple: `init(_ titleKey: LocalizedStringKey, text: Binding<String>, axis: Axis)` (iOS 16.0).
    @available(iOS 16.0, *)
    nonisolated public init(_ titleKey: LocalizedStringKey, text: Binding<String>, axis: Axis) { fatalError("stand-in") }
}

/// Apple: `struct DatePickerComponents : OptionSet, Sendable` (iOS 13.0).
public struct DatePickerComponents: OptionSet, Sendable {
    public var rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let hourAndMinute = DatePickerComponents(rawValue: 1)
    public static let date = DatePickerComponents(rawValue: 2)
}

/// Apple: `struct DatePicker<Label> : View where Label : View` (iOS 13.0).
public struct DatePicker<Label: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension DatePicker where Label == Text {
    /// Apple: `init(_ titleKey: LocalizedStringKey, selection: Binding<Date>,
    /// displayedComponents: DatePicker<Label>.Components = [.hourAndMinute, .date])`.
    nonisolated public init(
        _ titleKey: LocalizedStringKey,
        selection: Binding<Date>,
        displayedComponents: DatePickerComponents = [.hourAndMinute, .date]
    ) { fatalError("stand-in") }
}

/// Apple: `struct Picker<Label, SelectionValue, Content> : View where Label : View, SelectionValue : Hashable, Content : View` (iOS 13.0).
public struct Picker<Label: View, SelectionValue: Hashable, Content: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension Picker where Label == Text {
    /// Apple: `init(_ titleKey: LocalizedStringKey, selection: Binding<SelectionValue>, @ViewBuilder content: () -> Content)`.
    nonisolated public init(_ titleKey: LocalizedStringKey, selection: Binding<SelectionValue>, @ViewBuilder content: () -> Content) {
        fatalError("stand-in")
    }
}

/// Apple: `struct Menu<Label, Content> : View where Label : View, Content : View` (iOS 14.0).
public struct Menu<Label: View, Content: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension Menu where Label == Text {
    /// Apple: `init(_ titleKey: LocalizedStringKey, @ViewBuilder content: () -> Content)`.
    nonisolated public init(_ titleKey: LocalizedStringKey, @ViewBuilder content: () -> Content) { fatalError("stand-in") }
}

/// Apple: `struct LabeledContent<Label, Content>` (iOS 16.0), a View when both are.
@available(iOS 16.0, *)
public struct LabeledContent<Label, Content> {}

@available(iOS 16.0, *)
extension LabeledContent: View where Label: View, Content: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

@available(iOS 16.0, *)
extension LabeledContent where Label == Text, Content == Text {
    /// Apple: `init<S>(_ titleKey: LocalizedStringKey, value: S) where S : StringProtocol`.
    nonisolated public init<S: StringProtocol>(_ titleKey: LocalizedStringKey, value: S) { fatalError("stand-in") }
    /// Apple: `@_disfavoredOverload init<S1, S2>(_ title: S1, value: S2) where S1 : StringProtocol, S2 : StringProtocol`.
    @_disfavoredOverload
    nonisolated public init<S1: StringProtocol, S2: StringProtocol>(_ title: S1, value: S2) { fatalError("stand-in") }
}

/// Apple: `struct ProgressView<Label, CurrentValueLabel> : View where Label : View, CurrentValueLabel : View` (iOS 14.0).
public struct ProgressView<Label: View, CurrentValueLabel: View>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

extension ProgressView where Label == Text, CurrentValueLabel == EmptyView {
    /// Apple: `init(_ titleKey: LocalizedStringKey)`.
    nonisolated public init(_ titleKey: LocalizedStringKey) { fatalError("stand-in") }
}

/// Apple: `struct ShareLink<Data, PreviewImage, PreviewIcon, Label> : View where Data : RandomAccessCollection,
/// PreviewImage : Transferable, PreviewIcon : Transferable, Label : View, Data.Element : Transferable` (iOS 16.0).
@available(iOS 16.0, *)
public struct ShareLink<Data: RandomAccessCollection, PreviewImage: Transferable, PreviewIcon: Transferable, Label: View>: View
    where Data.Element: Transferable {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

@available(iOS 16.0, *)
extension ShareLink {
    /// Apple: `init<I>(item: I, subject: Text? = nil, message: Text? = nil, @ViewBuilder label: () -> Label)
    /// where Data == CollectionOfOne<I>, I : Transferable, PreviewImage == Never, PreviewIcon == Never`.
    nonisolated public init<I: Transferable>(item: I, subject: Text? = nil, message: Text? = nil, @ViewBuilder label: () -> Label)
        where Data == CollectionOfOne<I>, PreviewImage == Never, PreviewIcon == Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct Alert` (iOS 13.0; deprecated in favour of the `alert` modifiers with actions).
@available(iOS, introduced: 13.0, deprecated: 100000.0, message: "use `View.alert(title:isPresented:presenting::actions:) instead.")
public struct Alert {
    /// Apple: `init(title: Text, message: Text? = nil, dismissButton: Alert.Button? = nil)`.
    public init(title: Text, message: Text? = nil, dismissButton: Alert.Button? = nil) { fatalError("stand-in") }
    /// Apple: `struct Alert.Button`.
    public struct Button {}
}
