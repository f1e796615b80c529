// Stand-in for Security's Keychain items API (iOS 18.2 SDK): only what the shell uses, each
// declaration as Apple's documentation gives it. Compiled, never run. Linux does not enforce
// `@available(iOS …)`.
//
// Linux gap (CoreFoundation): Apple's `CFString`, `CFDictionary` and `CFTypeRef` are
// CoreFoundation types, toll-free bridged to `NSString`, `NSDictionary` and `AnyObject`, and
// `OSStatus` is MacTypes' `Int32`. Linux's Foundation exposes no CoreFoundation, so they are
// declared here as those bridged types: `kSecClass as String`, `query as CFDictionary` and
// `result as? Data` convert exactly as they do on Apple platforms.
import Foundation

public typealias OSStatus = Int32
public typealias CFTypeRef = AnyObject
public typealias CFString = NSString
public typealias CFDictionary = NSDictionary

// Apple: `let kSec…: CFString` (iOS 2.0–4.0). Computed here, since no stand-in value ever runs.
public var kSecClass: CFString { fatalError("stand-in") }
public var kSecClassGenericPassword: CFString { fatalError("stand-in") }
public var kSecAttrService: CFString { fatalError("stand-in") }
public var kSecAttrAccount: CFString { fatalError("stand-in") }
public var kSecAttrAccessible: CFString { fatalError("stand-in") }
public var kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly: CFString { fatalError("stand-in") }
public var kSecValueData: CFString { fatalError("stand-in") }
public var kSecReturnData: CFString { fatalError("stand-in") }
public var kSecMatchLimit: CFString { fatalError("stand-in") }
public var kSecMatchLimitOne: CFString { fatalError("stand-in") }

/// Apple: `var errSecSuccess: OSStatus { get }`.
public var errSecSuccess: OSStatus { 0 }
/// Apple: `var errSecItemNotFound: OSStatus { get }`.
public var errSecItemNotFound: OSStatus { -25300 }

/// Apple: `func SecItemAdd(_ attributes: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus`.
public func SecItemAdd(_ attributes: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus {
    fatalError("stand-in")
}

/// Apple: `func SecItemUpdate(_ query: CFDictionary, _ attributesToUpdate: CFDictionary) -> OSStatus`.
public func SecItemUpdate(_ query: CFDictionary, _ attributesToUpdate: CFDictionary) -> OSStatus {
    fatalError("stand-in")
}

/// Apple: `func SecItemCopyMatching(_ query: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus`.
public func SecItemCopyMatching(_ query: CFDictionary, _ result: UnsafeMutablePointer<CFTypeRef?>?) -> OSStatus {
    fatalError("stand-in")
}

/// Apple: `func SecItemDelete(_ query: CFDictionary) -> OSStatus`.
public func SecItemDelete(_ query: CFDictionary) -> OSStatus {
    fatalError("stand-in")
}

/// Apple: `func SecCopyErrorMessageString(_ status: OSStatus, _ reserved: UnsafeMutableRawPointer?) -> CFString?` (iOS 11.3).
public func SecCopyErrorMessageString(_ status: OSStatus, _ reserved: UnsafeMutableRawPointer?) -> CFString? {
    fatalError("stand-in")
}

// Server trust, for the relay's CA pin (`RelayPinning`).
//
// Linux gap (Foundation): on Apple platforms `URLProtectionSpace.serverTrust` and
// `URLCredential(trust:)` are Foundation's own (declared with `SecTrust` from Security); Linux's
// FoundationNetworking has no `SecTrust`, so both are declared here, as extensions of its types.
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public typealias CFArray = NSArray
public typealias CFData = NSData
public typealias CFError = NSError

/// Apple: `class SecTrust` (a CoreFoundation type).
public final class SecTrust: @unchecked Sendable {}
/// Apple: `class SecCertificate` (a CoreFoundation type).
public final class SecCertificate: @unchecked Sendable {}

/// Apple: `func SecTrustEvaluateWithError(_ trust: SecTrust, _ error: UnsafeMutablePointer<CFError?>?) -> Bool` (iOS 12.0).
public func SecTrustEvaluateWithError(_ trust: SecTrust, _ error: UnsafeMutablePointer<CFError?>?) -> Bool {
    fatalError("stand-in")
}

/// Apple: `func SecTrustCopyCertificateChain(_ trust: SecTrust) -> CFArray?` (iOS 15.0).
public func SecTrustCopyCertificateChain(_ trust: SecTrust) -> CFArray? {
    fatalError("stand-in")
}

/// Apple: `func SecCertificateCopyData(_ certificate: SecCertificate) -> CFData` (iOS 2.0).
public func SecCertificateCopyData(_ certificate: SecCertificate) -> CFData {
    fatalError("stand-in")
}

extension URLProtectionSpace {
    /// Apple (Foundation): `var serverTrust: SecTrust? { get }` (iOS 3.0).
    public var serverTrust: SecTrust? { fatalError("stand-in") }
}

extension URLCredential {
    /// Apple (Foundation): `convenience init(trust: SecTrust)` (iOS 3.0).
    public convenience init(trust: SecTrust) {
        fatalError("stand-in")
    }
}
