import Foundation
import TelevisitCore

/// The app configuration an MDM delivers declaratively (iOS 18.4+: the `AppManaged` declaration,
/// `com.apple.configuration.app.managed`, whose `AppConfig` names a data asset; the app reads it
/// through the ManagedApp framework, which hands the asset's property list to this type's
/// `Decodable` initializer). The same keys as the legacy `com.apple.configuration.managed`
/// dictionary (`managedConfigKeys()`), so IT writes one set of values either way.
///
/// Decoded leniently, key by key: a value of the wrong type is skipped and named (never shown),
/// and the rest still apply. Throwing would make the framework yield nil for the whole
/// configuration, and an enrollment or a wipe would be lost for one stray value.
public struct DeclarativeConfiguration: Decodable, Equatable, Sendable {
    /// The string values of our keys.
    public var values: [String: String]
    /// Plain sentences about what was skipped, naming only our own keys.
    public var problems: [String]

    public init(values: [String: String], problems: [String] = []) {
        self.values = values
        self.problems = problems
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: String] = [:]
        var problems: [String] = []
        for key in ManagedConfiguration.readKeys where container.contains(Key(stringValue: key)) {
            if let text = try? container.decode(String.self, forKey: Key(stringValue: key)) {
                values[key] = text
            } else if (try? container.decodeNil(forKey: Key(stringValue: key))) != true {
                problems.append(ManagedConfiguration.notText(key))
            }
        }
        self.init(values: values, problems: problems)
    }
}
