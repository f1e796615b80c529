// Stand-in for CoreTransferable (iOS 16.0+; iOS 18.2 SDK), which SwiftUI re-exports: the
// protocol, and the conformances of the types the app shares (`ShareLink(item:)` with a String
// and a URL). Compiled, never run. Linux does not enforce `@available(iOS …)`.
import Foundation

/// Apple: `@available(iOS 16.0, *) protocol Transferable`. Its requirement
/// (`static var transferRepresentation: Self.Representation`) is left out: the app makes no type
/// of its own Transferable.
@available(iOS 16.0, *)
public protocol Transferable {}

@available(iOS 16.0, *)
extension String: Transferable {}

@available(iOS 16.0, *)
extension URL: Transferable {}

/// Apple: `extension Never : Transferable` (ShareLink's preview types default to Never).
@available(iOS 16.0, *)
extension Never: Transferable {}
