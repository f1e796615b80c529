import Foundation
import ManagedApp

/// The declarative app configuration (iOS 18.4+), read through Apple's ManagedApp framework:
/// `ManagedAppConfigurationProvider.configurations(_:)` yields the current configuration at once
/// and every later one, and nil when there is none (the MDM uses the legacy dictionary, or sent
/// none). Each is kept in `ManagedConfiguration.declarative`, which `read()` prefers.
@available(iOS 18.4, *)
extension ManagedConfiguration {
    /// Follows the declarative configuration for the app's lifetime; `changed` runs on the main
    /// actor after each delivery, as for a change of the legacy dictionary.
    public func followDeclarative(_ changed: @escaping @MainActor () -> Void) -> Task<Void, Never> {
        Task { [weak self] in
            let provider = ManagedAppConfigurationProvider()
            for await configuration in await provider.configurations(DeclarativeConfiguration.self) {
                guard let self else {
                    return
                }
                self.declarative = configuration
                await changed()
            }
        }
    }

    /// The current declarative configuration, once (a background check-in reads it before it
    /// applies anything: the sequence yields the current one first).
    public func loadDeclarative() async {
        let provider = ManagedAppConfigurationProvider()
        for await configuration in await provider.configurations(DeclarativeConfiguration.self) {
            declarative = configuration
            return
        }
    }
}
