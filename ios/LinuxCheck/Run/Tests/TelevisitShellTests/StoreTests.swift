import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// The store opened through the Swift SecretStore, and each way it refuses to open, as the
/// clinician reads it.
final class StoreTests: TelevisitTestCase {
    private func header(_ path: String) throws -> Data {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.prefix(16)
    }

    /// Makes a store the iOS way with one patient in it, and lets it go (closed).
    private func makeAppleStore(at path: String, secrets: MemorySecretStore) throws -> Patient {
        let tv = try Televisit.openForApplePlatforms(path: path, secrets: secrets, freshInstall: false)
        XCTAssertTrue(tv.wasCreated())
        return try tv.patientAdd(patient: NewPatient(givenName: "Susan", familyName: "Smith", phone: Susan.e164))
    }

    func testTheAppleStoreOpensThroughTheSwiftSecretStoreAndKeepsItsPatients() throws {
        let secrets = MemorySecretStore()
        let added = try makeAppleStore(at: db, secrets: secrets)
        XCTAssertTrue(added.id.hasPrefix("pt_"), added.id)
        XCTAssertEqual(added.phone, Susan.e164)
        XCTAssertNotNil(secrets.raw(SecretName.dataKey), "the key was made through the Swift store")
        // iOS recognises a WAL database by SQLite's header, which the Apple store keeps in the clear.
        XCTAssertEqual(try header(db), Data("SQLite format 3\0".utf8))

        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        XCTAssertFalse(tv.wasCreated())
        let second = try tv.patientAdd(patient: NewPatient(givenName: "Ann", familyName: "Lee", phone: "+447400222333"))
        let listed = try tv.patients(includeArchived: false)
        XCTAssertEqual(Set(listed.map(\.id)), [added.id, second.id])
        XCTAssertEqual(listed.first { $0.id == added.id }?.givenName, "Susan")
        XCTAssertEqual(try tv.logVerify().isIntact, true)
    }

    func testTheOtherOpenEncryptsTheWholeFileAndReopens() throws {
        let secrets = MemorySecretStore()
        do {
            let tv = try Televisit.open(path: db, secrets: secrets)
            XCTAssertTrue(tv.wasCreated())
            _ = try tv.patientAdd(patient: Susan.patient(phone: Susan.e164))
        }
        XCTAssertNotEqual(try header(db).prefix(15), Data("SQLite format 3".utf8), "the file is encrypted")
        let again = try Televisit.open(path: db, secrets: secrets)
        XCTAssertFalse(again.wasCreated())
        XCTAssertEqual(try again.patients(includeArchived: true).map(\.familyName), ["Smith"])
    }

    func testAnotherStoresKeyIsAWrongKeyTheClinicianIsToldToReport() throws {
        let secrets = MemorySecretStore()
        _ = try makeAppleStore(at: db, secrets: secrets)
        let otherSecrets = MemorySecretStore()
        _ = try makeAppleStore(at: try subfolder("other").appendingPathComponent("televisit.db").path, secrets: otherSecrets)
        let otherKey = try XCTUnwrap(otherSecrets.raw(SecretName.dataKey))
        let ownKey = try XCTUnwrap(secrets.raw(SecretName.dataKey))
        XCTAssertNotEqual(otherKey, ownKey)
        secrets.setRaw(SecretName.dataKey, otherKey)

        let error = try XCTUnwrap(televisitError(try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)))
        guard case .WrongKey = error else {
            return XCTFail("expected WrongKey, got \(error)")
        }
        let text = UserMessage.text(for: error)
        XCTAssertTrue(text.hasPrefix("The database key does not open this database"), text)
        XCTAssertTrue(text.hasSuffix("Tell your IT team before deleting the app."), text)
        XCTAssertTrue(text.contains("left its file untouched"), text)
        XCTAssertFalse(UserMessage.isTransient(error))
        Susan.assertAbsent(from: text)
        // Untouched indeed: with its own key back, the store opens with its patient.
        secrets.setRaw(SecretName.dataKey, ownKey)
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        XCTAssertEqual(try tv.patients(includeArchived: true).map(\.givenName), ["Susan"])
    }

    func testAFileThatIsNotADatabaseIsRefusedAndLeftAsItIs() throws {
        let garbage = Data("Susan Smith 07400 123456, not a database at all\n".utf8) + Data(repeating: 0x5A, count: 8192)
        try garbage.write(to: URL(fileURLWithPath: db))
        let error = try XCTUnwrap(televisitError(
            try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: false)
        ))
        guard case .NotADatabase = error else {
            return XCTFail("expected NotADatabase, got \(error)")
        }
        let text = UserMessage.text(for: error)
        XCTAssertTrue(text.hasPrefix("The file is not a Televisit database."), text)
        XCTAssertTrue(text.hasSuffix("Tell your IT team before deleting the app."), text)
        XCTAssertFalse(UserMessage.isTransient(error))
        Susan.assertAbsent(from: text)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), garbage, "the file was left untouched")
    }

    func testADatabaseGoneWhileItsKeyRemainsIsDatabaseMissing() throws {
        let secrets = MemorySecretStore()
        _ = try makeAppleStore(at: db, secrets: secrets)
        try deleteDatabaseFiles()
        let error = try XCTUnwrap(televisitError(try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)))
        guard case .DatabaseMissing = error else {
            return XCTFail("expected DatabaseMissing, got \(error)")
        }
        let text = UserMessage.text(for: error)
        XCTAssertTrue(text.hasPrefix("The database file is missing but its key exists"), text)
        XCTAssertTrue(text.hasSuffix("Tell your IT team before deleting the app."), text)
        XCTAssertFalse(UserMessage.isTransient(error))
        XCTAssertNotNil(secrets.raw(SecretName.dataKey), "the key is kept: nothing was made over it")
        XCTAssertTrue(databaseFiles().isEmpty, "no new store was made in its place")
    }

    func testAKeyGoneWhileTheDatabaseRemainsIsKeyMissing() throws {
        let secrets = MemorySecretStore()
        _ = try makeAppleStore(at: db, secrets: secrets)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        secrets.drop(SecretName.dataKey)
        let error = try XCTUnwrap(televisitError(try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)))
        guard case .KeyMissing = error else {
            return XCTFail("expected KeyMissing, got \(error)")
        }
        let text = UserMessage.text(for: error)
        XCTAssertTrue(text.contains("key is missing"), text)
        XCTAssertTrue(text.hasSuffix("Tell your IT team before deleting the app."), text)
        XCTAssertFalse(UserMessage.isTransient(error))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: db)), before, "the database was left untouched")
        XCTAssertNil(secrets.raw(SecretName.dataKey), "and no key was made for it")
    }

    func testALockedKeychainIsASecretStoreErrorWorthTryingAgain() throws {
        let secrets = MemorySecretStore()
        _ = try makeAppleStore(at: db, secrets: secrets)
        secrets.unavailable = true
        let error = try XCTUnwrap(televisitError(try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)))
        guard case let .SecretStore(message) = error else {
            return XCTFail("expected SecretStore, got \(error)")
        }
        XCTAssertTrue(message.contains("keychain locked"), message)
        let text = UserMessage.text(for: error)
        XCTAssertTrue(text.hasSuffix("If the iPhone restarted, unlock it, then try again."), text)
        XCTAssertTrue(UserMessage.isTransient(error))
        secrets.unavailable = false
        XCTAssertFalse(try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false).wasCreated())
    }

    func testTheInstallMarkerIsFreshUntilMarkedAndLivesBesideTheDatabase() throws {
        let marker = InstallMarker(databasePath: db)
        XCTAssertEqual(marker.url.deletingLastPathComponent().standardizedFileURL, dir.standardizedFileURL)
        XCTAssertEqual(marker.url.lastPathComponent, InstallMarker.fileName)
        XCTAssertTrue(marker.isFreshInstall)
        let secrets = MemorySecretStore()
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: marker.isFreshInstall)
        XCTAssertTrue(tv.wasCreated())
        XCTAssertTrue(marker.isFreshInstall, "opening alone does not mark it")
        try marker.markInstalled()
        XCTAssertFalse(marker.isFreshInstall)
        XCTAssertFalse(InstallMarker(databasePath: db).isFreshInstall, "a new value reads the same file")
        try marker.markInstalled()
        XCTAssertFalse(marker.isFreshInstall, "marking twice is harmless")
    }

    func testARestoreThatKeptTheKeychainButNotTheDatabaseOpensANewStore() throws {
        let secrets = MemorySecretStore()
        do {
            let marker = InstallMarker(databasePath: db)
            let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: marker.isFreshInstall)
            _ = try tv.patientAdd(patient: Susan.patient(phone: Susan.e164))
            try marker.markInstalled()
        }
        let oldKey = try XCTUnwrap(secrets.raw(SecretName.dataKey))
        // The restore: the app's folder comes back without the database (excluded from backups)
        // and without the marker beside it; the Keychain's items are kept.
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
        }
        let marker = InstallMarker(databasePath: db)
        XCTAssertTrue(marker.isFreshInstall)
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: marker.isFreshInstall)
        XCTAssertTrue(tv.wasCreated())
        XCTAssertNotEqual(secrets.raw(SecretName.dataKey), oldKey, "a new key, not the old one")
        XCTAssertEqual(try tv.patients(includeArchived: true), [])
        let first = try XCTUnwrap(try tv.logList(query: LogQuery()).first)
        XCTAssertEqual(first.kind, .storeCreated)
        XCTAssertEqual(first.detail["after_reinstall"], .flag(value: true))
        try marker.markInstalled()
        XCTAssertFalse(marker.isFreshInstall)
    }

    /// iOS keeps contacts when the app is deleted: the reinstall's new store sweeps Televisit's
    /// marked contacts the old one left, keeps the clinician's own, and does so once.
    func testAReinstallSweepsTheContactsTheDeletedAppLeftBehind() throws {
        let book = MemoryContactBook()
        do {
            let old = try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: true)
            let patient = try old.patientAdd(patient: Susan.patient(phone: Susan.e164))
            _ = try old.ensureContact(book: book, id: patient.id)
        }
        let mum = book.addByHand(name: "Mum", phone: "+14155550100")
        // The app deleted (its folder with it) and installed again.
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
        }
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: true)
        XCTAssertEqual(try tv.sweepOrphanedContacts(book: book), .swept(deleted: 1, failed: 0))
        XCTAssertEqual(Array(book.contacts.keys), [mum], "the clinician's own contact stays")
        XCTAssertEqual(try tv.sweepOrphanedContacts(book: book), .notDue)
    }

    func testWithTheMarkerPresentADeletedDatabaseIsStillDatabaseMissing() throws {
        let secrets = MemorySecretStore()
        let marker = InstallMarker(databasePath: db)
        do {
            _ = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: marker.isFreshInstall)
            try marker.markInstalled()
        }
        try deleteDatabaseFiles()
        XCTAssertFalse(marker.isFreshInstall)
        let error = try XCTUnwrap(televisitError(
            try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: marker.isFreshInstall)
        ))
        guard case .DatabaseMissing = error else {
            return XCTFail("expected DatabaseMissing, got \(error)")
        }
        XCTAssertTrue(UserMessage.text(for: error).contains("Tell your IT team"))
        XCTAssertTrue(databaseFiles().isEmpty, "a database deleted under a running installation is not hidden")
    }
}

extension Verification {
    var isIntact: Bool {
        if case .intact = self {
            return true
        }
        return false
    }
}
