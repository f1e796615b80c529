import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// The policy's cleanup at a background check-in with no store open (`CleanupCheckIn`): the
/// store opened for the step only, this iPhone's own due contacts removed when IT's policy makes
/// cleanup automatic (never a lookalike), the report with the counts in the managed feedback,
/// and the summary waiting for the next open.
final class CleanupTests: TelevisitTestCase {
    private let secrets = MemorySecretStore()
    private let book = MemoryContactBook()

    /// A store with two patients' contacts, one of them archived (due now), and a lookalike;
    /// closed again, as a background task finds it.
    private func setUp(automatic: Bool) throws -> (kept: String, due: String, lookalike: String) {
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: true)
        try InstallMarker(databasePath: db).markInstalled()
        var policy = try tv.policy()
        policy.version += 1
        policy.contacts.defaultRegion = "GB"
        policy.contacts.cleanupAutomatic = automatic
        try tv.setPolicy(policy: policy)
        let susan = try tv.patientAdd(patient: NewPatient(givenName: "Susan", familyName: "Smith", phone: "07400 100001", visitAt: nil))
        let tom = try tv.patientAdd(patient: NewPatient(givenName: "Tom", familyName: "Smith", phone: "07400 100002", visitAt: nil))
        let kept = try tv.ensureContact(book: book, id: susan.id).platformId
        let due = try tv.ensureContact(book: book, id: tom.id).platformId
        _ = try tv.patientArchive(id: tom.id)
        return (kept, due, book.addByHand(name: "Patient Maria Lopez", phone: "+447400777888"))
    }

    private func run(_ managed: ManagedConfiguration, gate: StoreGate = StoreGate()) -> CleanupCheckIn.Outcome {
        CleanupCheckIn.runWithoutOpenStore(
            databasePath: db, secrets: secrets, book: book, managed: managed, osVersion: "18.2", appVersion: "0.1.0", gate: gate
        )
    }

    func testUnderAPolicyThatAllowsItTheIPhoneRemovesItsOwnDueContactsAndNeverALookalike() throws {
        let made = try setUp(automatic: true)
        let managed = ManagedConfiguration(defaults: uniqueDefaults())
        XCTAssertEqual(run(managed), .ran(removed: 1, failed: 0))
        XCTAssertNil(book.contacts[made.due])
        XCTAssertNotNil(book.contacts[made.kept], "not due: kept")
        XCTAssertNotNil(book.contacts[made.lookalike], "a lookalike waits for a person")

        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        let summary = try XCTUnwrap(try tv.automaticCleanupSummary())
        let text = CleanupCheckIn.describe(summary)
        XCTAssertTrue(text.hasPrefix("As IT's policy asks, Televisit removed 1 patient contact that was due (past 30 days"), text)
        XCTAssertTrue(text.contains("1 contact named like a patient that Televisit did not make waits for you in Cleanup."), text)
        Susan.assertAbsent(from: text)
        let state = try tv.cleanupState(book: book)
        XCTAssertEqual(state.summary, "1 patient contact, none past 30 days")
        XCTAssertEqual(state.lastEnd, .lookalikesWaiting)
        try tv.automaticCleanupSeen()
        XCTAssertNil(try tv.automaticCleanupSummary())
    }

    func testWithThePolicysDefaultItCountsAndRemovesNothing() throws {
        let made = try setUp(automatic: false)
        XCTAssertEqual(run(ManagedConfiguration(defaults: uniqueDefaults())), .counted)
        XCTAssertNotNil(book.contacts[made.due])
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        XCTAssertNil(try tv.automaticCleanupSummary())
    }

    func testTheStepIsTheOpenStoresWhenTheAppHoldsItAndNothingBeforeSetUp() throws {
        XCTAssertEqual(run(ManagedConfiguration(defaults: uniqueDefaults())), .notSetUp)
        let made = try setUp(automatic: true)
        let gate = StoreGate()
        gate.exclusive { $0 = true }
        XCTAssertEqual(run(ManagedConfiguration(defaults: uniqueDefaults()), gate: gate), .storeOpen)
        XCTAssertNotNil(book.contacts[made.due], "the open store's owner runs it")
    }

    func testWithoutContactsAccessNothingIsRemovedAndTheCountIsUnknown() throws {
        let made = try setUp(automatic: true)
        book.denied = true
        XCTAssertEqual(run(ManagedConfiguration(defaults: uniqueDefaults())), .counted)
        book.denied = false
        XCTAssertNotNil(book.contacts[made.due])
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        book.denied = true
        XCTAssertTrue(try tv.cleanupState(book: book).summary.hasPrefix("Unknown"))
    }
}
