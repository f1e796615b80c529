import TelevisitCore

/// The organisation's key set as Settings shows it, from what the core holds: who may sign what
/// for IT, by name and role, never a key. (Android's Settings says the same from its strings.)
public extension KeySetInfo {
    var settingsLine: String {
        if version == 0 {
            return "The organisation's one key signs everything."
        }
        let signers = signers.map { "\($0.name): \($0.roles.joined(separator: ", "))" }.joined(separator: "; ")
        return "Version \(version), root \(threshold) of \(rootKeys). \(signers)."
    }
}
