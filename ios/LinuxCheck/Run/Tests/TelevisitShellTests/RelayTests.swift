import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// The real `televisit-relay` (TELEVISIT_RELAY) on loopback, sharing IT's one-workstation ledger;
/// stopped when the test ends.
final class RelayProcess {
    let url: String
    private let process: Process

    init(admin: Admin) throws {
        guard let binary = ProcessInfo.processInfo.environment["TELEVISIT_RELAY"], !binary.isEmpty else {
            throw Admin.Failure(description: "TELEVISIT_RELAY is not set: the path of the televisit-relay binary")
        }
        let shown = try admin.run("--json", "org", "show", "--org", admin.org)
        let json = try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any]
        let key = try XCTUnwrap(json?["signing_key"] as? String)
        let config = admin.dir.appendingPathComponent("relay.toml")
        let toml = """
            listen = "127.0.0.1:0"
            org_key = "\(key)"
            ledger = "\(admin.org)/ledger.db"
            exports = "\(admin.dir.appendingPathComponent("exports").path)"
            plain_http = true

            """
        try Data(toml.utf8).write(to: config)
        let log = admin.dir.appendingPathComponent("relay.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--config", config.path]
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let said = "televisit-relay: listening on "
        let end = Date().addingTimeInterval(30)
        var found: String?
        while found == nil, Date() < end {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            found = text.split(separator: "\n").first { $0.hasPrefix(said) }.map { String($0.dropFirst(said.count)) }
            if found == nil {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        guard let found else {
            process.terminate()
            throw Admin.Failure(description: "the relay did not start")
        }
        url = found
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning {
            stop()
        }
    }
}

/// Runs `work` on the concurrency pool and waits for it here. The tests are synchronous on
/// purpose: `Process.waitUntilExit` (IT's tool, the relay) on Linux waits on the main thread's
/// run loop, which an `async` XCTest method keeps from running, and hangs.
private func blocking<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

/// Written once by the task, read after the semaphore.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// The iPhone's check-in through IT's relay, over `URLSession` (FoundationNetworking here), with
/// the core building the request and applying the answer; IT is the real `televisit-admin`.
final class RelayTests: TelevisitTestCase {
    private func code(_ admin: Admin, relay: String, extra: [String] = []) throws -> String {
        let policy = try admin.signedPolicy(version: 1)
        let args = ["enroll-code", "--org", admin.org, "--policy", policy, "--relay-url", relay] + extra
        return try admin.runArgs(args)
    }

    private func wipeState(_ admin: Admin, device: String) throws -> String? {
        let text = try admin.run("--json", "wipe", "status", "--org", admin.org)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let rows = json?["wipes"] as? [[String: Any]] ?? []
        return rows.first { $0["device_id"] as? String == device }?["state"] as? String
    }

    /// A check-in through the open store; the store is not kept past it (a wipe follows).
    private func firstContact(_ open: Televisit, secrets: MemorySecretStore, transport: URLSessionRelayTransport) throws -> RelayOutcome? {
        blocking {
            await RelayCheckIn.run(televisit: open, secrets: secrets, osVersion: "18.2", appVersion: "0.1.0", transport: transport)
        }
    }

    func testALostIPhoneIsWipedThroughTheRelayWithNoStoreOpenAndItsReceiptReachesIT() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let relay = try RelayProcess(admin: admin)
        defer { relay.stop() }
        let secrets = MemorySecretStore()
        let book = MemoryContactBook()
        let transport = URLSessionRelayTransport()
        var tv: Televisit? = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: true)
        try InstallMarker(databasePath: db).markInstalled()
        let enrolled = try XCTUnwrap(tv).enroll(code: try code(admin, relay: relay.url))
        XCTAssertEqual(try relayHost(secrets: secrets), "127.0.0.1")

        // Through the open store (the app's model): first contact pins the iPhone at IT.
        let first = try firstContact(try XCTUnwrap(tv), secrets: secrets, transport: transport)
        XCTAssertEqual(first?.checkedIn, true, "\(String(describing: first))")
        XCTAssertEqual(RelayCheckIn.describe(try XCTUnwrap(first)), "Checked in with IT through the relay.")
        XCTAssertTrue(try admin.run("devices", "list", "--org", admin.org).contains(enrolled.deviceId))

        // The store open: the background task leaves the check-in to the store's owner.
        let gate = StoreGate()
        gate.exclusive { $0 = true }
        let path = db
        let whileOpen = blocking {
            await RelayCheckIn.runWithoutOpenStore(
                databasePath: path, secrets: secrets, book: book, osVersion: "18.2", appVersion: "0.1.0", transport: transport, gate: gate
            )
        }
        XCTAssertEqual(whileOpen, .storeOpen)

        // The iPhone is lost and the app ended: IT wipes it; the background task opens the store
        // for the request only, takes the wipe and carries it out before it returns.
        tv = nil
        try admin.run("wipe", "issue", "--org", admin.org, "--device", enrolled.deviceId, "--reason", "lost")
        let wiped = blocking {
            await RelayCheckIn.runWithoutOpenStore(
                databasePath: path, secrets: secrets, book: book, osVersion: "18.2", appVersion: "0.1.0", transport: transport, gate: StoreGate()
            )
        }
        guard case let .answered(outcome) = wiped else {
            return XCTFail("\(wiped)")
        }
        XCTAssertTrue(outcome.wipeStarted)
        XCTAssertFalse(try wipePending(secrets: secrets), "carried out before the task ends")
        XCTAssertNotNil(try heldWipeReceipt(secrets: secrets))

        // The next run carries the receipt (a fresh store after the wipe): IT's ledger has it.
        let after = blocking {
            await RelayCheckIn.runWithoutOpenStore(
                databasePath: path, secrets: secrets, book: book, osVersion: "18.2", appVersion: "0.1.0", transport: transport, gate: StoreGate()
            )
        }
        guard case let .answered(delivered) = after else {
            return XCTFail("\(after)")
        }
        XCTAssertTrue(delivered.checkedIn, "\(delivered)")
        XCTAssertEqual(try wipeState(admin, device: enrolled.deviceId), "done")
    }

    func testAPinnedRelayIsNotSentAnythingWithoutAPinCheckAndAGoneRelayIsRetried() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let relay = try RelayProcess(admin: admin)
        let secrets = MemorySecretStore()
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: true)
        let ca = try admin.file("ca.der", Data([0x30, 0x03, 0x02, 0x01, 0x01]))
        _ = try tv.enroll(code: try code(admin, relay: relay.url, extra: ["--relay-ca", ca]))
        let request = try XCTUnwrap(try tv.relayRequest(platform: .ios, osVersion: "18.2", appVersion: "0.1.0"))
        XCTAssertNotNil(request.caSha256)
        // No pinning delegate (Linux has no SecTrust): nothing goes out.
        let refused = blocking { await URLSessionRelayTransport().send(request) }
        XCTAssertTrue(refused.pinRefused)
        XCTAssertEqual(refused.status, 0)
        XCTAssertEqual(try admin.run("--json", "devices", "list", "--org", admin.org).contains("dev_"), false)
        XCTAssertTrue(RelayCheckIn.describe(applyRelayAnswer(secrets: secrets, status: 0, body: Data()), pinRefused: true).contains("pinned"))

        // The relay gone: no answer, a retry, nothing changed.
        relay.stop()
        let plain = RelayRequest(
            method: request.method, url: request.url, caSha256: nil, headers: request.headers, body: request.body
        )
        let gone = blocking { await URLSessionRelayTransport().send(plain) }
        XCTAssertEqual(gone.status, 0)
        let outcome = applyRelayAnswer(secrets: secrets, status: gone.status, body: gone.body)
        XCTAssertTrue(outcome.retry)
        XCTAssertFalse(outcome.checkedIn)
    }
}
