import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// The sentences the clinician reads for an error: every core error, the contacts' errors, and
/// errors that are no one's in particular.
final class UserMessageTests: TelevisitTestCase {
    /// Every TelevisitError case, each with a message as the core writes them (lower case, no
    /// full stop). `tag` below is exhaustive: a new case does not compile until it has a tag, and
    /// then this test fails until the case is here too.
    private static let everyCase: [TelevisitError] = [
        .WrongKey(message: "the database key does not open this database (it was made with another key)"),
        .NotADatabase(message: "the file is not a Televisit database"),
        .Corrupted(message: "the database file is damaged (truncated); it was left as it is"),
        .KeyMissing(message: "the database exists but its key is missing from the secret store"),
        .DatabaseMissing(message: "the database file is missing but its key exists; the profile was removed or is being wiped"),
        .Locked(message: "the database is busy in another process; try again"),
        .DiskFull(message: "the disk is full; nothing was written"),
        .ReadOnly(message: "the database cannot be written here (read-only location or no permission)"),
        .CannotOpen(message: "the database cannot be opened at this path"),
        .NewerSchema(message: "the database was written by a newer version of Televisit (schema 9, this build knows 3)"),
        .SecretStore(message: "the secret store failed: keychain locked"),
        .InvalidInput(message: "invalid phone: not a phone number"),
        .LogBroken(message: "the activity log is broken at entry 4 (changed); nothing was purged"),
        .CallBlocked(message: "the call is blocked: consent_missing"),
        .Blocked(message: "this device is blocked by the organisation's policy: offline_too_long"),
        .WipeRefused(message: "the wipe command is for another device"),
        .OtherOrganisation(message: "this device is enrolled with another organisation; wipe it before enrolling it again"),
        .PolicyOutdated(message: "the policy is version 2, older than the version 3 in force"),
        .NotFound(message: "no patient pt_0123456789abcdef0123456789abcdef"),
        .ContactBook(message: "contacts access was not granted"),
        .Storage(message: "stored data could not be read (sqlite)"),
    ]

    private static func tag(_ error: TelevisitError) -> Int {
        switch error {
        case .WrongKey: 0
        case .NotADatabase: 1
        case .Corrupted: 2
        case .KeyMissing: 3
        case .DatabaseMissing: 4
        case .Locked: 5
        case .DiskFull: 6
        case .ReadOnly: 7
        case .CannotOpen: 8
        case .NewerSchema: 9
        case .SecretStore: 10
        case .InvalidInput: 11
        case .LogBroken: 12
        case .CallBlocked: 13
        case .Blocked: 14
        case .WipeRefused: 15
        case .OtherOrganisation: 16
        case .PolicyOutdated: 17
        case .NotFound: 18
        case .ContactBook: 19
        case .Storage: 20
        }
    }

    private func assertReadsAsASentence(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(text.isEmpty, file: file, line: line)
        XCTAssertTrue(text.hasSuffix("."), "no full stop: \(text)", file: file, line: line)
        let first = text.unicodeScalars.first!
        XCTAssertTrue(CharacterSet.uppercaseLetters.contains(first), "not capitalised: \(text)", file: file, line: line)
        XCTAssertFalse(text.contains("  "), text, file: file, line: line)
        Susan.assertAbsent(from: text, file: file, line: line)
    }

    func testEveryTelevisitErrorReadsAsASentenceThatBeginsWithTheCoresMessage() {
        let tags = UserMessageTests.everyCase.map(UserMessageTests.tag)
        XCTAssertEqual(Set(tags).count, tags.count, "each case once")
        XCTAssertEqual(Set(tags), Set(0...(tags.max() ?? 0)), "every case of TelevisitError is in the list")
        for error in UserMessageTests.everyCase {
            let text = UserMessage.text(for: error)
            assertReadsAsASentence(text)
            let core = error.message
            let capitalised = core.prefix(1).uppercased() + core.dropFirst()
            XCTAssertTrue(text.hasPrefix(capitalised), "\(error) -> \(text)")
        }
    }

    func testWhereTheClinicianCanActTheSentenceSaysHow() {
        let advice: [(TelevisitError, String, Bool)] = [
            (.WrongKey(message: "x"), "Tell your IT team before deleting the app.", false),
            (.NotADatabase(message: "x"), "Tell your IT team before deleting the app.", false),
            (.KeyMissing(message: "x"), "Tell your IT team before deleting the app.", false),
            (.DatabaseMissing(message: "x"), "Tell your IT team before deleting the app.", false),
            (.Corrupted(message: "x"), "Televisit left its file untouched. Tell your IT team.", false),
            (.Locked(message: "x"), "Close other copies of Televisit and try again.", true),
            (.DiskFull(message: "x"), "Free some space on this iPhone, then try again.", true),
            (.ReadOnly(message: "x"), "Restart the iPhone and try again.", true),
            (.CannotOpen(message: "x"), "Restart the iPhone and try again.", true),
            (.NewerSchema(message: "x"), "Update Televisit from the App Store or your organisation's app catalogue.", false),
            (.SecretStore(message: "x"), "If the iPhone restarted, unlock it, then try again.", true),
            (.LogBroken(message: "x"), "Tell your IT team.", false),
            (.Storage(message: "x"), "X.", true),
            (.InvalidInput(message: "x"), "X.", false),
            (.CallBlocked(message: "x"), "X.", false),
        ]
        for (error, ending, transient) in advice {
            let text = UserMessage.text(for: error)
            XCTAssertTrue(text.hasSuffix(ending), "\(error) -> \(text)")
            XCTAssertEqual(UserMessage.isTransient(error), transient, "\(error)")
        }
    }

    func testAnEmptyOrSpacedCoreMessageStillReadsAsASentence() {
        XCTAssertEqual(UserMessage.text(for: TelevisitError.Storage(message: "")), "Something went wrong.")
        XCTAssertEqual(UserMessage.text(for: TelevisitError.NotFound(message: "  no patient pt_1.\n")), "No patient pt_1.")
        XCTAssertEqual(UserMessage.text(for: TelevisitError.InvalidInput(message: "ünicode first")), "Ünicode first.")
    }

    func testContactBookErrorsSayWhereToTurnContactsOn() {
        let cases: [(ContactBookError, String)] = [
            (.NotFound, "no longer in the phone's contacts"),
            (.PermissionDenied(reason: "CNAuthorizationStatus.denied"), "Settings > Privacy & Security > Contacts > Televisit"),
            (.Failed(reason: "CNErrorDomain 100"), "Try again."),
        ]
        for (error, expected) in cases {
            let text = UserMessage.text(for: error)
            XCTAssertEqual(text, UserMessage.contactBookText(error))
            assertReadsAsASentence(text)
            XCTAssertTrue(text.contains(expected), text)
        }
    }

    func testAnErrorThatIsNotTheCoresGetsTheGenericSentenceNeverItsOwnText() {
        struct Leaky: LocalizedError, CustomStringConvertible {
            var description: String { "Susan Smith, +447400123456, could not be saved" }
            var errorDescription: String? { description }
        }
        let text = UserMessage.text(for: Leaky())
        XCTAssertEqual(text, "Something went wrong on this iPhone. Try again; if it keeps happening, tell your IT team.")
        assertReadsAsASentence(text)
        XCTAssertTrue(UserMessage.isTransient(Leaky()), "an unknown failure may pass")
        let cocoa = NSError(domain: NSCocoaErrorDomain, code: 4, userInfo: [NSLocalizedDescriptionKey: "Susan Smith's file"])
        XCTAssertEqual(UserMessage.text(for: cocoa), text)
        // A secret store's own error, arriving at the shell directly, is not shown either.
        XCTAssertEqual(UserMessage.text(for: SecretStoreError.Unavailable(reason: "Susan Smith")), text)
    }

    func testRealCoreErrorsFromRealCallsNameNoPatient() throws {
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: true)
        var policy = try tv.policy()
        policy.contacts.defaultRegion = "GB"
        try tv.setPolicy(policy: policy)

        // A number that is not one: InvalidInput, and the sentence does not echo it.
        let typed = "Susan 0740012345678901"
        let invalid = try XCTUnwrap(televisitError(
            try tv.patientAdd(patient: NewPatient(givenName: "Susan", familyName: "Smith", phone: typed))
        ))
        guard case .InvalidInput = invalid else {
            return XCTFail("expected InvalidInput, got \(invalid)")
        }
        let invalidText = UserMessage.text(for: invalid)
        assertReadsAsASentence(invalidText)
        XCTAssertFalse(invalidText.contains("0740012345678901"), invalidText)
        XCTAssertFalse(UserMessage.isTransient(invalid))

        // A call with no consent and no contact: CallBlocked, naming the checks and not her.
        let susan = try tv.patientAdd(patient: Susan.patient())
        tv.unlockSucceeded()
        let blocked = try XCTUnwrap(televisitError(
            try tv.launchPlan(book: MemoryContactBook(), device: FixedDevice(), directory: nil, id: susan.id, platform: .ios, message: nil)
        ))
        guard case .CallBlocked = blocked else {
            return XCTFail("expected CallBlocked, got \(blocked)")
        }
        let blockedText = UserMessage.text(for: blocked)
        assertReadsAsASentence(blockedText)
        XCTAssertTrue(blockedText.contains("consent_missing"), blockedText)

        // Contacts access withdrawn: the core's ContactBook error, without her name.
        let book = MemoryContactBook()
        book.denied = true
        let denied = try XCTUnwrap(televisitError(try tv.ensureContact(book: book, id: susan.id)))
        guard case .ContactBook = denied else {
            return XCTFail("expected ContactBook, got \(denied)")
        }
        assertReadsAsASentence(UserMessage.text(for: denied))

        // An id that is no patient's.
        let missing = try XCTUnwrap(televisitError(try tv.patient(id: "pt_0123456789abcdef0123456789abcdef")))
        guard case .NotFound = missing else {
            return XCTFail("expected NotFound, got \(missing)")
        }
        assertReadsAsASentence(UserMessage.text(for: missing))
    }
}
