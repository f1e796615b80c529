// Stand-in for ManagedApp (iOS 18.4+): only what the shell uses, each declaration as Apple's
// documentation gives it. Compiled, never run. Linux does not enforce `@available(iOS …)`.
import Foundation

/// Apple: `class ManagedAppConfigurationProvider` (iOS 18.4).
@available(iOS 18.4, *)
public final class ManagedAppConfigurationProvider {
    /// Apple: `init()`.
    public init() {}

    /// Apple: `func configurations<Configuration>(_ t: Configuration.Type) async -> some
    /// AsyncSequence<Optional<Configuration>, Never> where Configuration : Decodable`.
    public func configurations<Configuration>(_ t: Configuration.Type) async
        -> some AsyncSequence<Optional<Configuration>, Never> where Configuration: Decodable
    {
        AsyncStream<Configuration?> { $0.finish() }
    }
}
