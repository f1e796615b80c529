import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// Remote wipe on the iPhone: a command from IT's televisit-admin, delivered through MDM's
/// managed configuration (or the fleet's bulletin) and carried out by the background check-in
/// from the secret store alone, to the receipt IT verifies.
final class WipeTests: TelevisitTestCase {
    private let keys = managedConfigKeys()
    private var admin: Admin!
    private let secrets = MemorySecretStore()
    private let book = MemoryContactBook()
    private var defaults: UserDefaults!
    private var managed: ManagedConfiguration!
    private var enrolled: EnrollmentInfo!
    /// The contact Televisit made for its patient, and one the clinician made by hand.
    private var patientContact = ""
    private var handContact = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        admin = try Admin(dir: try subfolder("it"))
        defaults = uniqueDefaults()
        managed = ManagedConfiguration(defaults: defaults)
        // The app ran once: enrolled, a patient and her contact, its report in IT's ledger. Then
        // it was closed (the store dropped at the end of this block).
        let (tv, info) = try enrolledStore(admin, path: db, secrets: secrets)
        enrolled = info
        let susan = try tv.patientAdd(patient: NewPatient(givenName: Susan.given, familyName: Susan.family, phone: Susan.e164))
        patientContact = try tv.ensureContact(book: book, id: susan.id).platformId
        handContact = book.addByHand(name: "Mum", phone: "+447400999888")
        try pinInLedger(tv, admin, managed: managed)
    }

    override func tearDownWithError() throws {
        admin = nil
        managed = nil
        defaults = nil
        try super.tearDownWithError()
    }

    private func issueWipe() throws -> String {
        try admin.run("wipe", "issue", "--org", admin.org, "--device", enrolled.deviceId, "--reason", "lost")
    }

    private func checkIn(gate: StoreGate = StoreGate(), isCancelled: () -> Bool = { false }) -> SecretStoreCheckIn.Outcome {
        SecretStoreCheckIn.run(databasePath: db, secrets: secrets, book: book, managed: managed, gate: gate, isCancelled: isCancelled)
    }

    /// Nothing was wiped: the database, the key and both contacts are where they were.
    private func assertUntouched(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(FileManager.default.fileExists(atPath: db), "the database is there", file: file, line: line)
        XCTAssertNotNil(secrets.raw(SecretName.dataKey), "the key is there", file: file, line: line)
        XCTAssertEqual(Set(book.contacts.keys), [patientContact, handContact], file: file, line: line)
        XCTAssertNil(managed.feedback()[keys.wipeReceipt], "no receipt", file: file, line: line)
    }

    /// The wipe went through: nothing of Televisit's is left, the clinician's own contact is, and
    /// the receipt published for the MDM verifies against the key IT pinned.
    private func assertWipedWithAReceiptITVerifies(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(databaseFiles(), [], "the database files are gone", file: file, line: line)
        XCTAssertNil(secrets.raw(SecretName.dataKey), "the key is gone", file: file, line: line)
        XCTAssertEqual(Array(book.contacts.keys), [handContact], "only the clinician's own contact is left", file: file, line: line)
        let receipt = try XCTUnwrap(managed.feedback()[keys.wipeReceipt], "the receipt is in the feedback", file: file, line: line)
        XCTAssertEqual(try admin.exit("wipe", "verify-receipt", "--org", admin.org, receipt), 0, file: file, line: line)
        XCTAssertEqual(try admin.exit("wipe", "verify-receipt", "--device-key=\(enrolled.deviceKey)", receipt), 0, file: file, line: line)
        // Changed, it verifies no more: in its body (against the key given) or its signature
        // (against the key the ledger pinned).
        XCTAssertEqual(try admin.exit("wipe", "verify-receipt", "--device-key=\(enrolled.deviceKey)", tamper(receipt, at: 20)), 3, file: file, line: line)
        XCTAssertEqual(try admin.exit("wipe", "verify-receipt", "--org", admin.org, tamper(receipt, at: receipt.count - 10)), 3, file: file, line: line)
        // The device report IT had before is still there beside it.
        XCTAssertNotNil(managed.feedback()[keys.deviceReport], file: file, line: line)
    }

    private func tamper(_ text: String, at offset: Int) -> String {
        var characters = Array(text)
        let replacement: [Character] = characters[offset ..< offset + 2] == ["A", "A"] ? ["B", "B"] : ["A", "A"]
        characters.replaceSubrange(offset ..< offset + 2, with: replacement)
        return String(characters)
    }

    func testAWipeFromITLeavesNothingAndAnswersWithAReceiptITVerifies() throws {
        let command = try issueWipe()
        setManaged(defaults, [keys.wipeCommand: command])
        XCTAssertEqual(managed.read().values, [keys.wipeCommand: command])
        XCTAssertFalse(try wipePending(secrets: secrets))

        XCTAssertEqual(checkIn(), .done)
        try assertWipedWithAReceiptITVerifies()

        // The receipt reaches IT through the MDM's export: the ledger marks the wipe done.
        let receipt = try XCTUnwrap(managed.feedback()[keys.wipeReceipt])
        try admin.run("devices", "import", "--org", admin.org, try admin.file("receipt.txt", Data(receipt.utf8)))
        XCTAssertTrue(try admin.run("wipe", "status", "--org", admin.org).contains("done"))

        // The MDM reading the feedback is no sign that IT has it: the core holds the receipt,
        // and every check-in keeps it in the feedback (put back if something cleared it).
        XCTAssertFalse(try wipePending(secrets: secrets), "the wipe itself is done")
        managed.syncReceipt(nil)
        XCTAssertEqual(checkIn(), .done)
        XCTAssertEqual(try heldWipeReceipt(secrets: secrets), receipt)
        XCTAssertEqual(managed.feedback()[keys.wipeReceipt], receipt)

        // IT's next bulletin confirms it: forgotten, and gone from the feedback. The same command
        // delivered again does nothing.
        let bulletin = try admin.run("bulletin", "sign", "--org", admin.org)
        setManaged(defaults, [keys.wipeCommand: command, keys.bulletin: bulletin])
        XCTAssertEqual(checkIn(), .done)
        XCTAssertNil(try heldWipeReceipt(secrets: secrets))
        XCTAssertNil(managed.feedback()[keys.wipeReceipt])
        XCTAssertFalse(try wipePending(secrets: secrets))
        let fresh = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        XCTAssertTrue(fresh.wasCreated(), "the next start is a new, empty store")
        XCTAssertNil(try fresh.enrollment())
        XCTAssertEqual(try fresh.patients(includeArchived: true), [])
    }

    func testAWipeInterruptedHalfWayIsFinishedByTheNextCheckIn() throws {
        setManaged(defaults, [keys.wipeCommand: try issueWipe()])
        // The Keychain refuses to delete the key: the wipe's first step fails.
        secrets.failDeletes = [SecretName.dataKey]
        XCTAssertEqual(checkIn(), .failed)
        XCTAssertTrue(try wipePending(secrets: secrets), "still pending")
        assertUntouched()
        let error = try XCTUnwrap(televisitError(try resumePendingWipe(path: db, secrets: secrets, book: book)))
        guard case .SecretStore = error else {
            return XCTFail("\(error)")
        }
        XCTAssertTrue(UserMessage.isTransient(error))
        // And while it is pending the app does not open the store.
        XCTAssertTrue(try wipePending(secrets: secrets))

        secrets.failDeletes = []
        XCTAssertEqual(checkIn(), .done)
        try assertWipedWithAReceiptITVerifies()
    }

    func testAContactThatWillNotDeleteDoesNotStopTheWipeAndTheReceiptSaysSo() throws {
        setManaged(defaults, [keys.wipeCommand: try issueWipe()])
        book.failDelete = [patientContact]
        XCTAssertEqual(checkIn(), .done)
        XCTAssertEqual(databaseFiles(), [])
        XCTAssertNil(secrets.raw(SecretName.dataKey))
        XCTAssertEqual(Set(book.contacts.keys), [patientContact, handContact], "the failing contact stays")
        let receipt = try XCTUnwrap(managed.feedback()[keys.wipeReceipt])
        XCTAssertEqual(try admin.exit("wipe", "verify-receipt", "--org", admin.org, receipt), 0)
    }

    func testACheckInWhileThisProcessHoldsTheStoreOpenDoesNothing() throws {
        setManaged(defaults, [keys.wipeCommand: try issueWipe()])
        let gate = StoreGate()
        gate.exclusive { $0 = true }
        XCTAssertEqual(checkIn(gate: gate), .storeOpen)
        XCTAssertFalse(try wipePending(secrets: secrets), "the command was not even taken")
        assertUntouched()

        // The store's owner closes it: the next check-in does the wipe.
        gate.storeClosed()
        XCTAssertEqual(checkIn(gate: gate), .done)
        try assertWipedWithAReceiptITVerifies()
    }

    func testACancelledCheckInLeavesTheWipePendingForTheNextOne() throws {
        _ = try issueWipe()
        // The next bulletin carries every wipe the ledger has pending.
        let bulletin = try admin.run("bulletin", "sign", "--org", admin.org)
        setManaged(defaults, [keys.bulletin: bulletin])
        XCTAssertEqual(checkIn(isCancelled: { true }), .cancelled)
        XCTAssertTrue(try wipePending(secrets: secrets), "the bulletin started it before iOS took the time back")
        assertUntouched()

        XCTAssertEqual(checkIn(), .done)
        try assertWipedWithAReceiptITVerifies()
    }

    func testACheckInCancelledAfterTheCommandKeepsItPending() throws {
        setManaged(defaults, [keys.wipeCommand: try issueWipe()])
        var asked = 0
        XCTAssertEqual(checkIn(isCancelled: {
            asked += 1
            return asked > 1
        }), .cancelled)
        XCTAssertEqual(asked, 2)
        XCTAssertTrue(try wipePending(secrets: secrets))
        assertUntouched()
        XCTAssertEqual(checkIn(), .done)
        try assertWipedWithAReceiptITVerifies()
    }

    func testACheckInWhileTheKeychainIsLockedIsNotDone() throws {
        setManaged(defaults, [keys.wipeCommand: try issueWipe()])
        // Before the first unlock after a restart, the Keychain refuses every call: the command
        // cannot be taken, and the check-in must not say that everything went through.
        secrets.unavailable = true
        let outcome = checkIn()
        assertUntouched()
        secrets.unavailable = false
        XCTAssertFalse(try wipePending(secrets: secrets), "the command could not be taken")
        XCTAssertEqual(outcome, .failed)
        // Unlocked, the next check-in takes it.
        XCTAssertEqual(checkIn(), .done)
        try assertWipedWithAReceiptITVerifies()
    }

    func testAWipeCommandForAnotherDeviceIsRefusedWithoutAWipe() throws {
        // A second iPhone of the same organisation, lost; its command reaches this one.
        let otherSecrets = MemorySecretStore()
        let otherPath = try subfolder("other").appendingPathComponent("televisit.db").path
        let (other, otherEnrolled) = try enrolledStore(admin, path: otherPath, secrets: otherSecrets)
        try pinInLedger(other, admin)
        let command = try admin.run("wipe", "issue", "--org", admin.org, "--device", otherEnrolled.deviceId)
        XCTAssertNotEqual(otherEnrolled.deviceId, enrolled.deviceId)

        setManaged(defaults, [keys.wipeCommand: command])
        XCTAssertEqual(checkIn(), .done, "a refused command is not this check-in's failure")
        XCTAssertFalse(try wipePending(secrets: secrets))
        assertUntouched()
        let error = try XCTUnwrap(televisitError(try receiveWipeWithoutStore(secrets: secrets, command: command)))
        guard case .WipeRefused = error else {
            return XCTFail("\(error)")
        }
        Susan.assertAbsent(from: UserMessage.text(for: error))
        XCTAssertFalse(try wipePending(secrets: secrets))
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        XCTAssertEqual(try tv.patients(includeArchived: true).map(\.givenName), [Susan.given])

        // The phone it names takes it.
        XCTAssertEqual(try receiveWipeWithoutStore(secrets: otherSecrets, command: command).scope, .all)
        XCTAssertTrue(try wipePending(secrets: otherSecrets))
    }
}
