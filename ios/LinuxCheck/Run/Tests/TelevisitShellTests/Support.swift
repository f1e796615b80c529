import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// The names the core keeps its secrets under (core/src/secrets.rs).
enum SecretName {
    static let dataKey = "televisit.data-key.v1"
}

/// A patient the tests add, and the text of them that no message may carry.
enum Susan {
    static let given = "Susan"
    static let family = "Smith"
    /// As typed, with the policy's default region GB.
    static let phone = "07400 123456"
    static let e164 = "+447400123456"
    static let digits = "7400123456"

    static func patient(phone: String = Susan.phone) -> NewPatient {
        NewPatient(givenName: given, familyName: family, phone: phone)
    }

    /// Fails when `text` names her or carries her number, in any of the ways it was written.
    static func assertAbsent(from text: String, file: StaticString = #filePath, line: UInt = #line) {
        for fragment in [given, family, phone, e164, digits] {
            XCTAssertFalse(text.contains(fragment), "\"\(fragment)\" in: \(text)", file: file, line: line)
        }
    }
}

/// A Swift SecretStore, as the iOS shell's Keychain store is one: here the secrets live in memory.
/// `unavailable` makes every call fail (the Keychain before first unlock); `failDeletes` makes
/// deleting those names fail (a wipe interrupted half-way).
final class MemorySecretStore: SecretStore, @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: [String: Data] = [:]
    private var _unavailable = false
    private var _failDeletes: Set<String> = []

    var unavailable: Bool {
        get { lock.withLock { _unavailable } }
        set { lock.withLock { _unavailable = newValue } }
    }

    var failDeletes: Set<String> {
        get { lock.withLock { _failDeletes } }
        set { lock.withLock { _failDeletes = newValue } }
    }

    func put(name: String, value: Data) throws {
        try lock.withLock {
            try check()
            secrets[name] = value
        }
    }

    func get(name: String) throws -> Data? {
        try lock.withLock {
            try check()
            return secrets[name]
        }
    }

    func delete(name: String) throws {
        try lock.withLock {
            try check()
            if _failDeletes.contains(name) {
                throw SecretStoreError.Unavailable(reason: "the keychain refused the delete")
            }
            secrets.removeValue(forKey: name)
        }
    }

    /// What is stored, bypassing `unavailable` (the test's view, not the core's).
    func raw(_ name: String) -> Data? {
        lock.withLock { secrets[name] }
    }

    /// Puts a value in by hand (another store's key, say).
    func setRaw(_ name: String, _ value: Data?) {
        lock.withLock { secrets[name] = value }
    }

    /// Drops one secret by hand, as if the Keychain lost it.
    func drop(_ name: String) {
        lock.withLock { _ = secrets.removeValue(forKey: name) }
    }

    var names: Set<String> {
        lock.withLock { Set(secrets.keys) }
    }

    private func check() throws {
        if _unavailable {
            throw SecretStoreError.Unavailable(reason: "keychain locked")
        }
    }
}

/// A Swift ContactBook (tests/kotlin's MemoryContactBook): the contacts live in a dictionary.
final class MemoryContactBook: ContactBook, @unchecked Sendable {
    private let lock = NSLock()
    private var _contacts: [String: BookContact] = [:]
    private var next = 0
    private var _failDelete: Set<String> = []
    private var _denied = false

    var contacts: [String: BookContact] {
        get { lock.withLock { _contacts } }
        set { lock.withLock { _contacts = newValue } }
    }

    /// Deleting these ids fails, as a busy contacts store would.
    var failDelete: Set<String> {
        get { lock.withLock { _failDelete } }
        set { lock.withLock { _failDelete = newValue } }
    }

    /// Every call throws: contacts access withdrawn in Settings.
    var denied: Bool {
        get { lock.withLock { _denied } }
        set { lock.withLock { _denied = newValue } }
    }

    /// A contact the clinician made, not Televisit: no marker.
    func addByHand(name: String, phone: String) -> String {
        lock.withLock {
            let id = newId()
            _contacts[id] = BookContact(platformId: id, displayName: name, phones: [phone], marker: nil)
            return id
        }
    }

    func create(card: ContactCard) throws -> String {
        try lock.withLock {
            try check()
            let id = newId()
            _contacts[id] = BookContact(platformId: id, displayName: card.displayName, phones: [card.phone], marker: card.marker)
            return id
        }
    }

    func update(platformId: String, card: ContactCard) throws {
        try lock.withLock {
            try check()
            guard _contacts[platformId] != nil else {
                throw ContactBookError.NotFound
            }
            _contacts[platformId] = BookContact(platformId: platformId, displayName: card.displayName, phones: [card.phone], marker: card.marker)
        }
    }

    func delete(platformIds: [String]) throws -> [DeleteOutcome] {
        try lock.withLock {
            try check()
            return platformIds.map { id in
                if _failDelete.contains(id) {
                    return .failed(reason: "the contacts store is busy")
                }
                return _contacts.removeValue(forKey: id) != nil ? .deleted : .notFound
            }
        }
    }

    func get(platformId: String) throws -> BookContact? {
        try lock.withLock {
            try check()
            return _contacts[platformId]
        }
    }

    func list(scope: ListScope) throws -> [BookContact] {
        try lock.withLock {
            try check()
            return _contacts.values
                .filter { scope == .all || $0.marker != nil }
                .sorted { $0.platformId < $1.platformId }
        }
    }

    func findByPhone(e164: String) throws -> [BookContact] {
        try lock.withLock {
            try check()
            return _contacts.values.filter { $0.phones.contains(e164) }.sorted { $0.platformId < $1.platformId }
        }
    }

    /// Called with the lock held.
    private func newId() -> String {
        next += 1
        return "cn-\(next)"
    }

    /// Called with the lock held.
    private func check() throws {
        if _denied {
            throw ContactBookError.PermissionDenied(reason: "CNAuthorizationStatus.denied")
        }
    }
}

/// A Swift DeviceFacts with a fixed snapshot: an iPhone with a passcode and WhatsApp.
final class FixedDevice: DeviceFacts, Sendable {
    let fixed: DeviceSnapshot

    init(whatsapp: [InstalledWhatsApp] = [InstalledWhatsApp(app: .consumer, version: "2.26.1")]) {
        fixed = DeviceSnapshot(passcodeSet: true, compromised: false, osVersion: "iOS 18.2", whatsapp: whatsapp, utcOffsetMinutes: 0)
    }

    func snapshot() -> DeviceSnapshot {
        fixed
    }
}

/// IT's side, played by the real `televisit-admin` binary (TELEVISIT_ADMIN), run with `Process`.
final class Admin: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let binary: String
    let dir: URL
    let org: String

    /// A new organisation, "North Clinic", in `dir/org`.
    init(dir: URL) throws {
        guard let binary = ProcessInfo.processInfo.environment["TELEVISIT_ADMIN"], !binary.isEmpty else {
            throw Failure(description: "TELEVISIT_ADMIN is not set: the path of the televisit-admin binary")
        }
        self.binary = binary
        self.dir = dir
        org = dir.appendingPathComponent("org").path
        try run("org", "init", "--org", org, "--name", "North Clinic")
    }

    /// Its standard output, trimmed (what IT's scripts capture); a non-zero exit throws with its
    /// standard error, which only explains a failure.
    @discardableResult
    func run(_ arguments: String...) throws -> String {
        let (status, out, err) = try launch(arguments)
        guard status == 0 else {
            throw Failure(description: "televisit-admin \(arguments.first ?? "") exited \(status): \(out) \(err)")
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// As `run`, with the arguments as a list.
    @discardableResult
    func runArgs(_ arguments: [String]) throws -> String {
        let (status, out, err) = try launch(arguments)
        guard status == 0 else {
            throw Failure(description: "televisit-admin \(arguments.first ?? "") exited \(status): \(out) \(err)")
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The exit status alone (0 done, 3 a check failed).
    func exit(_ arguments: String...) throws -> Int32 {
        try launch(arguments).status
    }

    func signedPolicy(version: Int) throws -> String {
        let file = dir.appendingPathComponent("policy-\(version).json")
        try Data("{\"version\": \(version), \"organisation\": \"North Clinic\"}".utf8).write(to: file)
        return try run("policy", "sign", file.path, "--org", org)
    }

    func enrollCode(policyVersion: Int = 1) throws -> String {
        try run("enroll-code", "--org", org, "--policy", try signedPolicy(version: policyVersion))
    }

    /// Saves `text` in the admin's folder and gives the file's path (IT's tools take files).
    func file(_ name: String, _ contents: Data) throws -> String {
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    private func launch(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe()
        // stderr to a file, so that a long one never blocks the process while stdout is read.
        let errURL = dir.appendingPathComponent("admin-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? errHandle.close()
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), err)
    }
}

/// A test with its own folder under NSTemporaryDirectory (removed in tearDown), the database
/// path in it, and `UserDefaults` suites of its own (removed too).
class TelevisitTestCase: XCTestCase {
    private(set) var dir: URL!
    private var suites: [String] = []

    var db: String { dir.appendingPathComponent("televisit.db").path }

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            .appendingPathComponent("televisit-swift-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        for suite in suites {
            UserDefaults(suiteName: suite)?.removePersistentDomain(forName: suite)
        }
        suites = []
        if let dir {
            try? FileManager.default.removeItem(at: dir)
        }
        try super.tearDownWithError()
    }

    /// A folder of its own inside the test's (a second profile).
    func subfolder(_ name: String) throws -> URL {
        let url = dir.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A `UserDefaults` no other test shares: what MDM writes and reads, for this test only.
    func uniqueDefaults() -> UserDefaults {
        let suite = "org.televisit.tests.\(UUID().uuidString)"
        suites.append(suite)
        return UserDefaults(suiteName: suite)!
    }

    /// The database and its WAL companions.
    func databaseFiles(_ path: String? = nil) -> [String] {
        let path = path ?? db
        return [path, path + "-wal", path + "-shm"].filter { FileManager.default.fileExists(atPath: $0) }
    }

    func deleteDatabaseFiles(_ path: String? = nil) throws {
        for file in databaseFiles(path) {
            try FileManager.default.removeItem(atPath: file)
        }
    }

    /// The TelevisitError `expression` throws; a failure when it throws nothing or something else.
    @discardableResult
    func televisitError<T>(
        _ expression: @autoclosure () throws -> T,
        file: StaticString = #filePath,
        line: UInt = #line
    ) -> TelevisitError? {
        do {
            _ = try expression()
            XCTFail("expected a TelevisitError, nothing was thrown", file: file, line: line)
            return nil
        } catch let error as TelevisitError {
            return error
        } catch {
            XCTFail("expected a TelevisitError, got \(error)", file: file, line: line)
            return nil
        }
    }
}

extension TelevisitError {
    /// The core's message, whatever the case.
    var message: String {
        switch self {
        case let .WrongKey(m), let .NotADatabase(m), let .Corrupted(m), let .KeyMissing(m), let .DatabaseMissing(m),
             let .Locked(m), let .DiskFull(m), let .ReadOnly(m), let .CannotOpen(m), let .NewerSchema(m),
             let .SecretStore(m), let .InvalidInput(m), let .LogBroken(m), let .CallBlocked(m), let .Blocked(m),
             let .WipeRefused(m), let .OtherOrganisation(m), let .PolicyOutdated(m), let .NotFound(m),
             let .ContactBook(m), let .Storage(m):
            return m
        }
    }
}
