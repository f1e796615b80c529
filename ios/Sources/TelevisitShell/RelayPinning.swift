import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Security
import TelevisitCore

/// The relay's CA pin on iOS: iOS verifies the server's chain first (its roots and the CAs the
/// MDM installed, and the host name); then the chain it built, anchor included, must hold the CA
/// IT pinned (the core decides, from each certificate's DER). Anything else cancels the
/// connection before a byte of the request is sent.
public final class RelayPinning: NSObject, URLSessionDelegate, PinOutcome, @unchecked Sendable {
    private let pin: String
    private let lock = NSLock()
    private var refused = false

    public init(pin: String) {
        self.pin = pin
    }

    public var pinRefused: Bool {
        lock.lock()
        defer { lock.unlock() }
        return refused
    }

    public func urlSession(
        _ session: URLSession,
        didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        // Only a server-trust challenge carries a trust to evaluate; any other is iOS's to handle.
        guard let trust = challenge.protectionSpace.serverTrust else {
            completionHandler(.performDefaultHandling, nil)
            return
        }
        guard SecTrustEvaluateWithError(trust, nil),
              let chain = SecTrustCopyCertificateChain(trust) as? [SecCertificate],
              relayPinHolds(caSha256: pin, chain: chain.map { SecCertificateCopyData($0) as Data })
        else {
            lock.lock()
            refused = true
            lock.unlock()
            completionHandler(.cancelAuthenticationChallenge, nil)
            return
        }
        completionHandler(.useCredential, URLCredential(trust: trust))
    }
}
