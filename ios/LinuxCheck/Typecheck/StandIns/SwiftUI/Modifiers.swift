// Stand-in for the View modifiers the app uses (see Core.swift). As in Apple's interface for
// the iOS 18 SDK, modifiers are `nonisolated` and return `some View`; their closures are
// `@Sendable` (`task`, `refreshable`), or plain (`onAppear`, `sheet`, `onChange`…), which a
// main-actor view's closures then inherit. The bodies return `self` only to give the opaque
// type something; they never run. Linux does not enforce `@available(iOS …)`.

extension View {
    // MARK: Layout and appearance

    /// Apple: `func padding(_ edges: Edge.Set = .all, _ length: CGFloat? = nil) -> some View`.
    nonisolated public func padding(_ edges: Edge.Set = .all, _ length: CGFloat? = nil) -> some View { self }
    /// Apple: `func padding(_ length: CGFloat) -> some View`.
    nonisolated public func padding(_ length: CGFloat) -> some View { self }

    /// Apple: `func frame(minWidth: CGFloat? = nil, idealWidth: CGFloat? = nil, maxWidth: CGFloat? = nil,
    /// minHeight: CGFloat? = nil, idealHeight: CGFloat? = nil, maxHeight: CGFloat? = nil, alignment: Alignment = .center) -> some View`.
    nonisolated public func frame(
        minWidth: CGFloat? = nil, idealWidth: CGFloat? = nil, maxWidth: CGFloat? = nil,
        minHeight: CGFloat? = nil, idealHeight: CGFloat? = nil, maxHeight: CGFloat? = nil,
        alignment: Alignment = .center
    ) -> some View { self }

    /// Apple: `func aspectRatio(_ aspectRatio: CGFloat? = nil, contentMode: ContentMode) -> some View`.
    nonisolated public func aspectRatio(_ aspectRatio: CGFloat? = nil, contentMode: ContentMode) -> some View { self }

    /// Apple: `func font(_ font: Font?) -> some View`.
    nonisolated public func font(_ font: Font?) -> some View { self }

    /// Apple: `func foregroundStyle<S>(_ style: S) -> some View where S : ShapeStyle` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func foregroundStyle<S: ShapeStyle>(_ style: S) -> some View { self }

    /// Apple: `func background<S>(_ style: S, ignoresSafeAreaEdges edges: Edge.Set = .all) -> some View where S : ShapeStyle` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func background<S: ShapeStyle>(_ style: S, ignoresSafeAreaEdges edges: Edge.Set = .all) -> some View { self }

    /// Apple: `func ignoresSafeArea(_ regions: SafeAreaRegions = .all, edges: Edge.Set = .all) -> some View` (iOS 14.0).
    nonisolated public func ignoresSafeArea(_ regions: SafeAreaRegions = .all, edges: Edge.Set = .all) -> some View { self }

    /// Apple: `func safeAreaInset<V>(edge: VerticalEdge, alignment: HorizontalAlignment = .center, spacing: CGFloat? = nil,
    /// @ViewBuilder content: () -> V) -> some View where V : View` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func safeAreaInset<V: View>(
        edge: VerticalEdge,
        alignment: HorizontalAlignment = .center,
        spacing: CGFloat? = nil,
        @ViewBuilder content: () -> V
    ) -> some View { self }

    /// Apple: `func multilineTextAlignment(_ alignment: TextAlignment) -> some View`.
    nonisolated public func multilineTextAlignment(_ alignment: TextAlignment) -> some View { self }

    /// Apple: `func lineLimit(_ limit: ClosedRange<Int>) -> some View` (iOS 16.0).
    @available(iOS 16.0, *)
    nonisolated public func lineLimit(_ limit: ClosedRange<Int>) -> some View { self }

    /// Apple: `func disabled(_ disabled: Bool) -> some View`.
    nonisolated public func disabled(_ disabled: Bool) -> some View { self }

    /// Apple: `func buttonStyle<S>(_ style: S) -> some View where S : PrimitiveButtonStyle`.
    nonisolated public func buttonStyle<S: PrimitiveButtonStyle>(_ style: S) -> some View { self }

    /// Apple: `func tag<V>(_ tag: V) -> some View where V : Hashable`.
    nonisolated public func tag<V: Hashable>(_ tag: V) -> some View { self }

    /// Apple: `func accessibilityLabel<S>(_ label: S) -> ModifiedContent<Self, AccessibilityAttachmentModifier>
    /// where S : StringProtocol` (iOS 14.0).
    nonisolated public func accessibilityLabel<S: StringProtocol>(_ label: S) -> some View { self }

    // MARK: Text input

    /// Apple: `func textInputAutocapitalization(_ autocapitalization: TextInputAutocapitalization?) -> some View` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func textInputAutocapitalization(_ autocapitalization: TextInputAutocapitalization?) -> some View { self }

    /// Apple: `func autocorrectionDisabled(_ disable: Bool = true) -> some View` (iOS 13.0).
    nonisolated public func autocorrectionDisabled(_ disable: Bool = true) -> some View { self }

    /// Apple: `func keyboardType(_ type: UIKeyboardType) -> some View` (iOS 13.0).
    nonisolated public func keyboardType(_ type: UIKeyboardType) -> some View { self }

    /// Apple: `func textSelection<S>(_ selectability: S) -> some View where S : TextSelectability` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func textSelection<S: TextSelectability>(_ selectability: S) -> some View { self }

    // MARK: Navigation and containers

    /// Apple: `func navigationTitle(_ titleKey: LocalizedStringKey) -> some View` (iOS 14.0).
    nonisolated public func navigationTitle(_ titleKey: LocalizedStringKey) -> some View { self }
    /// Apple: `@_disfavoredOverload func navigationTitle<S>(_ title: S) -> some View where S : StringProtocol` (iOS 14.0).
    @_disfavoredOverload
    nonisolated public func navigationTitle<S: StringProtocol>(_ title: S) -> some View { self }

    /// Apple: `func navigationBarTitleDisplayMode(_ displayMode: NavigationBarItem.TitleDisplayMode) -> some View` (iOS 14.0).
    nonisolated public func navigationBarTitleDisplayMode(_ displayMode: NavigationBarItem.TitleDisplayMode) -> some View { self }

    /// Apple: `func navigationDestination<D, C>(for data: D.Type, @ViewBuilder destination: @escaping (D) -> C) -> some View
    /// where D : Hashable, C : View` (iOS 16.0).
    @available(iOS 16.0, *)
    nonisolated public func navigationDestination<D: Hashable, C: View>(
        for data: D.Type,
        @ViewBuilder destination: @escaping (D) -> C
    ) -> some View { self }

    /// Apple: `func toolbar<Content>(@ViewBuilder content: () -> Content) -> some View where Content : View` (iOS 14.0).
    nonisolated public func toolbar<Content: View>(@ViewBuilder content: () -> Content) -> some View { self }
    /// Apple: `func toolbar<Content>(@ToolbarContentBuilder content: () -> Content) -> some View where Content : ToolbarContent` (iOS 14.0).
    nonisolated public func toolbar<Content: ToolbarContent>(@ToolbarContentBuilder content: () -> Content) -> some View { self }

    /// Apple: `func tabItem<V>(@ViewBuilder _ label: () -> V) -> some View where V : View`
    /// (iOS 13.0; deprecated in a future version in favour of `Tab`).
    @available(iOS, introduced: 13.0, deprecated: 100000.0, message: "Use Tab(title:image:value:content:) and related initializers instead")
    nonisolated public func tabItem<V: View>(@ViewBuilder _ label: () -> V) -> some View { self }

    // MARK: Presentations

    /// Apple: `func sheet<Content>(isPresented: Binding<Bool>, onDismiss: (() -> Void)? = nil,
    /// @ViewBuilder content: @escaping () -> Content) -> some View where Content : View`.
    nonisolated public func sheet<Content: View>(
        isPresented: Binding<Bool>,
        onDismiss: (() -> Void)? = nil,
        @ViewBuilder content: @escaping () -> Content
    ) -> some View { self }

    /// Apple: `func alert<Item>(item: Binding<Item?>, content: (Item) -> Alert) -> some View where Item : Identifiable`
    /// (iOS 13.0; deprecated in a future version).
    @available(iOS, introduced: 13.0, deprecated: 100000.0, message: "use `alert(title:isPresented:presenting::actions:) instead.")
    nonisolated public func alert<Item: Identifiable>(item: Binding<Item?>, content: (Item) -> Alert) -> some View { self }

    /// Apple: `func alert<A, M>(_ titleKey: LocalizedStringKey, isPresented: Binding<Bool>, @ViewBuilder actions: () -> A,
    /// @ViewBuilder message: () -> M) -> some View where A : View, M : View` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func alert<A: View, M: View>(
        _ titleKey: LocalizedStringKey,
        isPresented: Binding<Bool>,
        @ViewBuilder actions: () -> A,
        @ViewBuilder message: () -> M
    ) -> some View { self }

    /// Apple: `func confirmationDialog<A>(_ titleKey: LocalizedStringKey, isPresented: Binding<Bool>,
    /// titleVisibility: Visibility = .automatic, @ViewBuilder actions: () -> A) -> some View where A : View` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func confirmationDialog<A: View>(
        _ titleKey: LocalizedStringKey,
        isPresented: Binding<Bool>,
        titleVisibility: Visibility = .automatic,
        @ViewBuilder actions: () -> A
    ) -> some View { self }

    // MARK: Events and data

    /// Apple: `func onAppear(perform action: (() -> Void)? = nil) -> some View`.
    nonisolated public func onAppear(perform action: (() -> Void)? = nil) -> some View { self }

    /// Apple: `func onDisappear(perform action: (() -> Void)? = nil) -> some View`.
    nonisolated public func onDisappear(perform action: (() -> Void)? = nil) -> some View { self }

    /// Apple (iOS 18 SDK): `func task(priority: TaskPriority = .userInitiated,
    /// @_inheritActorContext _ action: @escaping @Sendable () async -> Void) -> some View` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func task(
        priority: TaskPriority = .userInitiated,
        @_inheritActorContext _ action: @escaping @Sendable () async -> Void
    ) -> some View { self }

    /// Apple: `func refreshable(action: @escaping @Sendable () async -> Void) -> some View` (iOS 15.0).
    @available(iOS 15.0, *)
    nonisolated public func refreshable(action: @escaping @Sendable () async -> Void) -> some View { self }

    /// Apple: `func onChange<V>(of value: V, perform action: @escaping (_ newValue: V) -> Void) -> some View
    /// where V : Equatable` (iOS 14.0, deprecated in iOS 17.0).
    @available(iOS, introduced: 14.0, deprecated: 17.0, message: "Use `onChange` with a two or zero parameter action closure instead.")
    nonisolated public func onChange<V: Equatable>(of value: V, perform action: @escaping (_ newValue: V) -> Void) -> some View { self }

    /// Apple: `func onChange<V>(of value: V, initial: Bool = false, _ action: @escaping (_ oldValue: V, _ newValue: V) -> Void)
    /// -> some View where V : Equatable` (iOS 17.0).
    @available(iOS 17.0, *)
    nonisolated public func onChange<V: Equatable>(
        of value: V,
        initial: Bool = false,
        _ action: @escaping (_ oldValue: V, _ newValue: V) -> Void
    ) -> some View { self }

    /// Apple: `func onChange<V>(of value: V, initial: Bool = false, _ action: @escaping () -> Void) -> some View
    /// where V : Equatable` (iOS 17.0).
    @available(iOS 17.0, *)
    nonisolated public func onChange<V: Equatable>(of value: V, initial: Bool = false, _ action: @escaping () -> Void) -> some View {
        self
    }

    /// Apple: `func onReceive<P>(_ publisher: P, perform action: @escaping (P.Output) -> Void) -> some View
    /// where P : Publisher, P.Failure == Never`.
    nonisolated public func onReceive<P: Publisher>(_ publisher: P, perform action: @escaping (P.Output) -> Void) -> some View
        where P.Failure == Never { self }

    /// Apple: `func environmentObject<T>(_ object: T) -> some View where T : ObservableObject`.
    nonisolated public func environmentObject<T: ObservableObject>(_ object: T) -> some View { self }

    /// Apple: `func simultaneousGesture<T>(_ gesture: T, including mask: GestureMask = .all) -> some View where T : Gesture`.
    nonisolated public func simultaneousGesture<T: Gesture>(_ gesture: T, including mask: GestureMask = .all) -> some View { self }
}

extension Shape {
    /// Apple: `func fill<S>(_ content: S, style: FillStyle = FillStyle()) -> some View where S : ShapeStyle`.
    nonisolated public func fill<S: ShapeStyle>(_ content: S, style: FillStyle = FillStyle()) -> some View { self }
}
