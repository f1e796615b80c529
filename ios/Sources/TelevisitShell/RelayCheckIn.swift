import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TelevisitCore

/// What the relay answered: its status and body; status 0 when nothing came back at all.
public struct RelayAnswer: Sendable, Equatable {
    public let status: UInt16
    public let body: Data
    /// The relay's chain did not end at the CA IT pinned: nothing was sent.
    public let pinRefused: Bool

    public init(status: UInt16, body: Data, pinRefused: Bool = false) {
        self.status = status
        self.body = body
        self.pinRefused = pinRefused
    }

    static let none = RelayAnswer(status: 0, body: Data())
}

/// Carries the core's check-in request as it is, and its answer back as it came.
public protocol RelayTransport: Sendable {
    func send(_ request: RelayRequest) async -> RelayAnswer
}

/// `URLSession`, which honours the hospital's proxies, a per-app VPN and the CAs its MDM
/// installed. When IT pinned the relay's CA, `pinning` gives the delegate that holds the chain
/// iOS verified to that pin (`RelayPinning` on iOS); without one a pinned request is not sent.
public final class URLSessionRelayTransport: RelayTransport {
    /// An answer is a bulletin, an inbox bulletin and a wipe command: far below this.
    public static let maxAnswerBytes = 1 << 20
    private let pinning: @Sendable (String) -> (any URLSessionDelegate)?

    public init(pinning: @escaping @Sendable (String) -> (any URLSessionDelegate)? = { _ in nil }) {
        self.pinning = pinning
    }

    public func send(_ request: RelayRequest) async -> RelayAnswer {
        guard let url = URL(string: request.url) else {
            return .none
        }
        var delegate: (any URLSessionDelegate)?
        if let pin = request.caSha256 {
            guard let pinned = pinning(pin) else {
                return RelayAnswer(status: 0, body: Data(), pinRefused: true)
            }
            delegate = pinned
        }
        var http = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 60)
        http.httpMethod = request.method
        for header in request.headers {
            http.setValue(header.value, forHTTPHeaderField: header.name)
        }
        http.httpBody = request.body
        let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let answer = await withCheckedContinuation { (continuation: CheckedContinuation<RelayAnswer, Never>) in
            session.dataTask(with: http) { data, response, _ in
                guard let response = response as? HTTPURLResponse, (0...999).contains(response.statusCode) else {
                    continuation.resume(returning: .none)
                    return
                }
                let body = (data ?? Data()).prefix(URLSessionRelayTransport.maxAnswerBytes)
                continuation.resume(returning: RelayAnswer(status: UInt16(response.statusCode), body: Data(body)))
            }.resume()
        }
        if answer.status == 0, let refused = delegate as? PinOutcome, refused.pinRefused {
            return RelayAnswer(status: 0, body: Data(), pinRefused: true)
        }
        return answer
    }
}

/// A pinning delegate says whether it refused the chain, so the screen can say why.
public protocol PinOutcome {
    var pinRefused: Bool { get }
}

/// The check-in through IT's fleet relay, besides the MDM: the core builds the signed request
/// (to the relay IT named, with a sealed export once a day) and applies the answer through the
/// same check-in as the managed configuration, so whichever brings newer signed data wins.
public enum RelayCheckIn {
    public enum Outcome: Equatable, Sendable {
        /// IT named no relay (or this phone is not enrolled): the MDM is its only way.
        case noRelay
        /// The answer was applied (`RelayOutcome` says what it did; a wipe it started is done).
        case answered(RelayOutcome)
        /// This process holds the store open: the check-in is the open store's owner's.
        case storeOpen
        /// The store would not open, or a wipe could not finish: the next run tries again.
        case failed
    }

    /// Through a store this process holds open (the app's model). When the outcome's
    /// `wipeStarted`, the caller closes that store and finishes the wipe now.
    public static func run(
        televisit: Televisit,
        secrets: SecretStore,
        osVersion: String,
        appVersion: String,
        transport: RelayTransport
    ) async -> RelayOutcome? {
        guard let request = try? televisit.relayRequest(platform: .ios, osVersion: osVersion, appVersion: appVersion) else {
            return nil
        }
        let answer = await transport.send(request)
        return applyRelayAnswer(secrets: secrets, status: answer.status, body: answer.body)
    }

    /// From a background task with no store open: the store is opened for the request only, in
    /// the process's store turn; the answer is applied from the secret store; a wipe it started
    /// is finished in a turn of its own, before this returns.
    public static func runWithoutOpenStore(
        databasePath: String,
        secrets: SecretStore,
        book: ContactBook,
        osVersion: String,
        appVersion: String,
        transport: RelayTransport,
        gate: StoreGate = .shared
    ) async -> Outcome {
        enum Made {
            case request(RelayRequest)
            case none, storeOpen, failed
        }
        let made: Made = gate.exclusive { storeOpen in
            if storeOpen {
                return .storeOpen
            }
            // A first run after an install has nothing enrolled to check in for.
            let marker = InstallMarker(databasePath: databasePath)
            guard !marker.isFreshInstall else {
                return .none
            }
            do {
                // Released (closed) when this turn ends, before anything is sent.
                let store = try Televisit.openForApplePlatforms(path: databasePath, secrets: secrets, freshInstall: false)
                let request = try store.relayRequest(platform: .ios, osVersion: osVersion, appVersion: appVersion)
                return request.map { .request($0) } ?? .none
            } catch {
                return .failed
            }
        }
        let request: RelayRequest
        switch made {
        case let .request(made):
            request = made
        case .none:
            return .noRelay
        case .storeOpen:
            return .storeOpen
        case .failed:
            return .failed
        }
        let answer = await transport.send(request)
        let outcome = applyRelayAnswer(secrets: secrets, status: answer.status, body: answer.body)
        if outcome.wipeStarted {
            let finished: Bool = gate.exclusive { storeOpen in
                guard !storeOpen else {
                    return true // the open store's owner finishes it, closing the store first
                }
                return (try? resumePendingWipe(path: databasePath, secrets: secrets, book: book)) != nil
            }
            if !finished {
                return .failed
            }
        }
        return .answered(outcome)
    }

    /// One line for the Settings screen.
    public static func describe(_ outcome: RelayOutcome, pinRefused: Bool = false) -> String {
        if pinRefused {
            return "The relay did not present the certificate IT pinned: nothing was sent. Tell your IT team."
        }
        switch (outcome.refused, outcome.retry) {
        case (.some, true), (.none, true):
            return "The relay was not reached; Televisit tries again at its next check-in."
        case let (.some(code), false):
            return "The relay refused the check-in (\(code)). Tell your IT team."
        case (.none, false) where outcome.bulletinRefused:
            return "The relay served IT's bulletin damaged or out of date: it was refused. Tell your IT team."
        case (.none, false):
            return "Checked in with IT through the relay."
        }
    }
}
