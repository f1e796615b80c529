// Stand-in for SwiftUI (iOS 18.2 SDK, Xcode 16.2): the protocols, result builders, property
// wrappers and environment the app's views rely on. Declarations follow Apple's documentation:
// `View`, `App` and `Scene` are `@MainActor @preconcurrency`; modifiers are `nonisolated`;
// closures are `@Sendable`, `@MainActor` or plain exactly where Apple's are. Compiled, never run.
//
// Linux does not enforce `@available(iOS …)`: the annotations say what an iOS 16 deployment
// target may use without `#available`, and the app's uses are checked by reading
// (ios/README.md lists the ones newer than iOS 16). Since Xcode 16 Apple declares `View` in
// SwiftUICore, re-exported by SwiftUI; the split is private to Apple and not modelled here.
//
// As Apple's SwiftUI does on iOS, this module re-exports UIKit (and so Foundation), Combine and
// CoreTransferable.
@_exported import Combine
@_exported import CoreTransferable
@_exported import UIKit

// MARK: - View

/// Apple: `@MainActor @preconcurrency protocol View` (iOS 13.0).
@MainActor @preconcurrency
public protocol View {
    associatedtype Body: View
    @ViewBuilder @MainActor @preconcurrency var body: Self.Body { get }
}

/// Apple: `extension Never : View`.
extension Never: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct EmptyView : View`.
public struct EmptyView: View {
    public typealias Body = Never
    nonisolated public init() {}
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct TupleView<T> : View`.
public struct TupleView<T>: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct _ConditionalContent<TrueContent, FalseContent>` (a View when both are).
public struct _ConditionalContent<TrueContent, FalseContent> {}
extension _ConditionalContent: View where TrueContent: View, FalseContent: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@frozen struct AnyView : View`.
public struct AnyView: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `extension Optional : View where Wrapped : View`.
extension Optional: View where Wrapped: View {
    public typealias Body = Never
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `@resultBuilder struct ViewBuilder` (iOS 13.0). Declared: the fixed-arity `buildBlock`s
/// (none to ten views, iOS 13.0), which are what the app's iOS 16.0 deployment target can use.
/// Left out on purpose: Apple's parameter-pack form,
/// `static func buildBlock<each Content>(_ content: repeat each Content) -> TupleView<(repeat each Content)>
/// where repeat each Content : View`, which is `@available(iOS 17.0, …)`. Linux cannot enforce
/// that availability, so declaring it would let a block of more than ten views pass here that
/// Xcode rejects for iOS 16; without it, such a block fails here as it does there.
@resultBuilder
public struct ViewBuilder {
    public static func buildExpression<Content: View>(_ content: Content) -> Content { content }
    public static func buildBlock() -> EmptyView { EmptyView() }
    public static func buildBlock<Content: View>(_ content: Content) -> Content { content }
    public static func buildBlock<C0: View, C1: View>(_ c0: C0, _ c1: C1) -> TupleView<(C0, C1)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View>(_ c0: C0, _ c1: C1, _ c2: C2) -> TupleView<(C0, C1, C2)> {
        fatalError("stand-in")
    }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3
    ) -> TupleView<(C0, C1, C2, C3)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View, C4: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3, _ c4: C4
    ) -> TupleView<(C0, C1, C2, C3, C4)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View, C4: View, C5: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3, _ c4: C4, _ c5: C5
    ) -> TupleView<(C0, C1, C2, C3, C4, C5)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View, C4: View, C5: View, C6: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3, _ c4: C4, _ c5: C5, _ c6: C6
    ) -> TupleView<(C0, C1, C2, C3, C4, C5, C6)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View, C4: View, C5: View, C6: View, C7: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3, _ c4: C4, _ c5: C5, _ c6: C6, _ c7: C7
    ) -> TupleView<(C0, C1, C2, C3, C4, C5, C6, C7)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View, C4: View, C5: View, C6: View, C7: View, C8: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3, _ c4: C4, _ c5: C5, _ c6: C6, _ c7: C7, _ c8: C8
    ) -> TupleView<(C0, C1, C2, C3, C4, C5, C6, C7, C8)> { fatalError("stand-in") }
    public static func buildBlock<C0: View, C1: View, C2: View, C3: View, C4: View, C5: View, C6: View, C7: View, C8: View, C9: View>(
        _ c0: C0, _ c1: C1, _ c2: C2, _ c3: C3, _ c4: C4, _ c5: C5, _ c6: C6, _ c7: C7, _ c8: C8, _ c9: C9
    ) -> TupleView<(C0, C1, C2, C3, C4, C5, C6, C7, C8, C9)> { fatalError("stand-in") }
    public static func buildIf<Content: View>(_ content: Content?) -> Content? { content }
    public static func buildEither<TrueContent: View, FalseContent: View>(
        first: TrueContent
    ) -> _ConditionalContent<TrueContent, FalseContent> { fatalError("stand-in") }
    public static func buildEither<TrueContent: View, FalseContent: View>(
        second: FalseContent
    ) -> _ConditionalContent<TrueContent, FalseContent> { fatalError("stand-in") }
    public static func buildLimitedAvailability<Content: View>(_ content: Content) -> AnyView { fatalError("stand-in") }
}

// MARK: - App and scenes

/// Apple: `@MainActor @preconcurrency protocol App` (iOS 14.0).
@MainActor @preconcurrency
public protocol App {
    associatedtype Body: Scene
    @SceneBuilder @MainActor @preconcurrency var body: Self.Body { get }
    @MainActor @preconcurrency init()
}

extension App {
    /// Apple: `@MainActor @preconcurrency static func main()`: what `@main` calls.
    @MainActor @preconcurrency
    public static func main() { fatalError("stand-in") }
}

/// Apple: `@MainActor @preconcurrency protocol Scene` (iOS 14.0).
@MainActor @preconcurrency
public protocol Scene {
    associatedtype Body: Scene
    @SceneBuilder @MainActor @preconcurrency var body: Self.Body { get }
}

extension Never: Scene {}

/// Apple: `@resultBuilder struct SceneBuilder` (iOS 14.0).
@resultBuilder
public struct SceneBuilder {
    public static func buildBlock<Content: Scene>(_ content: Content) -> Content { content }
}

/// Apple: `struct WindowGroup<Content> : Scene where Content : View` (iOS 14.0).
public struct WindowGroup<Content: View>: Scene {
    public typealias Body = Never
    /// Apple: `init(@ViewBuilder content: () -> Content)`.
    nonisolated public init(@ViewBuilder content: () -> Content) { fatalError("stand-in") }
    public var body: Never { fatalError("stand-in") }
}

/// Apple: `enum ScenePhase : Comparable, Hashable, Sendable` (iOS 14.0).
public enum ScenePhase: Comparable, Hashable, Sendable {
    case background
    case inactive
    case active
}

// MARK: - State and data flow

/// Apple: `protocol DynamicProperty` (iOS 13.0).
public protocol DynamicProperty {}

/// Apple: `@frozen @propertyWrapper struct State<Value> : DynamicProperty` (iOS 13.0).
@propertyWrapper
public struct State<Value>: DynamicProperty {
    public init(wrappedValue value: Value) { fatalError("stand-in") }
    public init(initialValue value: Value) { fatalError("stand-in") }
    public var wrappedValue: Value {
        get { fatalError("stand-in") }
        nonmutating set { fatalError("stand-in") }
    }
    public var projectedValue: Binding<Value> { fatalError("stand-in") }
}

extension State where Value: ExpressibleByNilLiteral {
    /// Apple: `init()` for optional values.
    public init() { fatalError("stand-in") }
}

/// Apple: `@frozen @propertyWrapper @dynamicMemberLookup struct Binding<Value>` (iOS 13.0);
/// Sendable when its value is.
@propertyWrapper @dynamicMemberLookup
public struct Binding<Value> {
    /// Apple: `@preconcurrency init(get: @escaping @isolated(any) @Sendable () -> Value,
    /// set: @escaping @isolated(any) @Sendable (Value) -> Void)`.
    @preconcurrency
    public init(
        get: @escaping @isolated(any) @Sendable () -> Value,
        set: @escaping @isolated(any) @Sendable (Value) -> Void
    ) { fatalError("stand-in") }

    public init(projectedValue: Binding<Value>) { fatalError("stand-in") }

    public var wrappedValue: Value {
        get { fatalError("stand-in") }
        nonmutating set { fatalError("stand-in") }
    }
    public var projectedValue: Binding<Value> { self }

    public subscript<Subject>(dynamicMember keyPath: WritableKeyPath<Value, Subject>) -> Binding<Subject> {
        fatalError("stand-in")
    }
}

extension Binding: @unchecked Sendable where Value: Sendable {}

/// Apple: `@MainActor @preconcurrency @frozen @propertyWrapper
/// struct StateObject<ObjectType> : DynamicProperty where ObjectType : ObservableObject` (iOS 14.0).
@MainActor @preconcurrency @propertyWrapper
public struct StateObject<ObjectType: ObservableObject>: DynamicProperty {
    /// Apple: `@inlinable init(wrappedValue thunk: @autoclosure @escaping () -> ObjectType)`.
    public init(wrappedValue thunk: @autoclosure @escaping () -> ObjectType) { fatalError("stand-in") }
    public var wrappedValue: ObjectType { fatalError("stand-in") }
    public var projectedValue: ObservedObject<ObjectType>.Wrapper { fatalError("stand-in") }
}

/// Apple: `@MainActor @preconcurrency @propertyWrapper @frozen
/// struct ObservedObject<ObjectType> : DynamicProperty where ObjectType : ObservableObject` (iOS 13.0).
@MainActor @preconcurrency @propertyWrapper
public struct ObservedObject<ObjectType: ObservableObject>: DynamicProperty {
    public init(wrappedValue: ObjectType) { fatalError("stand-in") }
    public var wrappedValue: ObjectType { fatalError("stand-in") }
    public var projectedValue: ObservedObject<ObjectType>.Wrapper { fatalError("stand-in") }

    /// Apple: `@dynamicMemberLookup @frozen struct ObservedObject.Wrapper`.
    @dynamicMemberLookup
    public struct Wrapper {
        public subscript<Subject>(dynamicMember keyPath: ReferenceWritableKeyPath<ObjectType, Subject>) -> Binding<Subject> {
            fatalError("stand-in")
        }
    }
}

/// Apple: `@MainActor @preconcurrency @frozen @propertyWrapper
/// struct EnvironmentObject<ObjectType> : DynamicProperty where ObjectType : ObservableObject` (iOS 13.0).
@MainActor @preconcurrency @propertyWrapper
public struct EnvironmentObject<ObjectType: ObservableObject>: DynamicProperty {
    public init() {}
    public var wrappedValue: ObjectType { fatalError("stand-in") }
    public var projectedValue: EnvironmentObject<ObjectType>.Wrapper { fatalError("stand-in") }

    /// Apple: `@dynamicMemberLookup @frozen struct EnvironmentObject.Wrapper`.
    @dynamicMemberLookup
    public struct Wrapper {
        public subscript<Subject>(dynamicMember keyPath: ReferenceWritableKeyPath<ObjectType, Subject>) -> Binding<Subject> {
            fatalError("stand-in")
        }
    }
}

/// Apple: `@frozen @propertyWrapper struct Environment<Value> : DynamicProperty` (iOS 13.0).
@propertyWrapper
public struct Environment<Value>: DynamicProperty {
    /// Apple: `init(_ keyPath: KeyPath<EnvironmentValues, Value>)`.
    public init(_ keyPath: KeyPath<EnvironmentValues, Value>) { fatalError("stand-in") }
    public var wrappedValue: Value { fatalError("stand-in") }
}

/// Apple: `struct EnvironmentValues` (iOS 13.0); the values the app reads.
public struct EnvironmentValues {
    /// Apple: `var scenePhase: ScenePhase { get set }` (iOS 14.0).
    public var scenePhase: ScenePhase {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }
    /// Apple: `var dismiss: DismissAction { get }` (iOS 15.0).
    public var dismiss: DismissAction { fatalError("stand-in") }
}

/// Apple: `@MainActor @preconcurrency struct DismissAction` (iOS 15.0).
@MainActor @preconcurrency
public struct DismissAction {
    /// Apple: `func callAsFunction()`.
    public func callAsFunction() { fatalError("stand-in") }
}
