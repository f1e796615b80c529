import Foundation
import Security
import TelevisitCore

/// The core's `SecretStore` on iOS: generic-password Keychain items that never leave this
/// device and are readable after the first unlock (so a suspended app can still open its
/// database), as DESIGN.md asks: `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`.
public final class KeychainSecretStore: SecretStore, @unchecked Sendable {
    private let service: String

    public init(service: String = "org.televisit.secrets") {
        self.service = service
    }

    private func query(_ name: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: name,
        ]
    }

    /// Update in place when the item exists, else add: each a single Keychain call, so a
    /// name holds the old value or the new one, never neither.
    public func put(name: String, value: Data) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: value,
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(query(name) as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            var item = query(name)
            item.merge(attributes) { _, new in new }
            status = SecItemAdd(item as CFDictionary, nil)
        }
        try check(status, "save")
    }

    public func get(name: String) throws -> Data? {
        var item = query(name)
        item[kSecReturnData as String] = true
        item[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(item as CFDictionary, &result)
        if status == errSecItemNotFound {
            return nil
        }
        try check(status, "read")
        return result as? Data
    }

    public func delete(name: String) throws {
        let status = SecItemDelete(query(name) as CFDictionary)
        if status == errSecItemNotFound {
            return
        }
        try check(status, "delete")
    }

    /// The Keychain's own words (for example "interaction not allowed" before the first unlock),
    /// never the secret.
    private func check(_ status: OSStatus, _ action: String) throws {
        guard status == errSecSuccess else {
            let reason = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
            throw SecretStoreError.Unavailable(reason: "the Keychain could not \(action) a secret: \(reason)")
        }
    }
}
