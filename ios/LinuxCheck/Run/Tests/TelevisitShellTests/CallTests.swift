import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// What the executor did, in Sendable terms: its outcome, and the URLs it asked the opener
/// for, in order.
struct Execution: Sendable {
    enum Result: Equatable, Sendable {
        case opened(kind: AttemptKind, instruction: String?)
        case failed(message: String)
    }

    var result: Result
    var asked: [URL]
}

/// Runs `plan` through LaunchPlanExecutor on the main actor, as the app does, with an opener in
/// place of `UIApplication.open` that answers `opens(url)`.
@MainActor
func execute(_ plan: LaunchPlan, with televisit: Televisit, opens: @escaping @Sendable (URL) -> Bool) async -> Execution {
    var asked: [URL] = []
    let executor = LaunchPlanExecutor(televisit: televisit, opener: { url in
        asked.append(url)
        return opens(url)
    })
    let outcome = await executor.run(plan)
    switch outcome {
    case let .opened(kind, instruction):
        return Execution(result: .opened(kind: kind, instruction: instruction), asked: asked)
    case let .failed(message):
        return Execution(result: .failed(message: message), asked: asked)
    }
}

/// A call from the iOS shell's side: contacts through the Swift ContactBook, the pre-flight,
/// the WhatsApp checklist, the disclosure and the launch plan carried out by LaunchPlanExecutor.
final class CallTests: TelevisitTestCase {
    private var tv: Televisit!
    private var patient: Patient!
    private let book = MemoryContactBook()
    private let device = FixedDevice()

    override func setUpWithError() throws {
        try super.setUpWithError()
        tv = try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: true)
        var policy = try tv.policy()
        policy.contacts.defaultRegion = "GB"
        try tv.setPolicy(policy: policy)
        patient = try tv.patientAdd(patient: Susan.patient())
    }

    override func tearDownWithError() throws {
        tv = nil
        patient = nil
        try super.tearDownWithError()
    }

    private func blockingCodes(_ preflight: Preflight) -> [String] {
        preflight.checks.filter { $0.status == .block }.map(\.code).sorted()
    }

    /// Consent, the disclosure and the contact: everything a plan needs.
    private func readyToCall() throws {
        tv.unlockSucceeded()
        _ = try tv.consentRecord(id: patient.id, method: .verbal, textVersion: "v1", by: .clinician)
        try tv.acknowledgeDisclosure()
        _ = try tv.ensureContact(book: book, id: patient.id)
    }

    private func launchEntries() throws -> [LogEntry] {
        try tv.logList(query: LogQuery(kinds: [.callLaunched, .callAttemptFailed], patient: patient.id))
    }

    func testTheSwiftContactBookGetsTheContactCreatedRepairedAndLeftAloneWhenRight() throws {
        XCTAssertEqual(patient.phone, Susan.e164)
        let made = try tv.ensureContact(book: book, id: patient.id)
        XCTAssertEqual(made.action, .created)
        let contact = try XCTUnwrap(book.contacts[made.platformId])
        XCTAssertEqual(contact.displayName, "Patient Susan Smith")
        XCTAssertEqual(contact.phones, [Susan.e164])
        XCTAssertEqual(contact.marker, "televisit:\(patient.id)")
        XCTAssertEqual(try tv.ensureContact(book: book, id: patient.id).action, .unchanged)

        var renamed = book.contacts
        renamed[made.platformId] = BookContact(platformId: made.platformId, displayName: "Susan dentist", phones: contact.phones, marker: contact.marker)
        book.contacts = renamed
        XCTAssertEqual(try tv.ensureContact(book: book, id: patient.id).action, .repaired)
        XCTAssertEqual(book.contacts[made.platformId]?.displayName, "Patient Susan Smith")

        book.contacts = [:]
        let again = try tv.ensureContact(book: book, id: patient.id)
        XCTAssertEqual(again.action, .repaired)
        XCTAssertEqual(Array(book.contacts.keys), [again.platformId])
        XCTAssertEqual(try tv.contactRecords().map(\.platformId), [again.platformId])
    }

    func testThePreflightBlocksWithoutConsentThenPassesOnceEverythingIsInPlace() throws {
        tv.unlockSucceeded()
        let blocked = try tv.preflight(book: book, device: device, id: patient.id)
        XCTAssertTrue(blocked.blocked)
        XCTAssertEqual(blockingCodes(blocked), ["consent_missing", "contact_missing", "disclosure_pending"])
        for check in blocked.checks {
            Susan.assertAbsent(from: check.message)
        }
        XCTAssertTrue(book.contacts.isEmpty, "the pre-flight changes nothing")

        _ = try tv.consentRecord(id: patient.id, method: .verbal, textVersion: "v1", by: .clinician)
        XCTAssertEqual(blockingCodes(try tv.preflight(book: book, device: device, id: patient.id)), ["contact_missing", "disclosure_pending"])
        XCTAssertTrue(disclosureText().contains("your own phone number"))
        XCTAssertFalse(try tv.disclosureAcknowledged())
        try tv.acknowledgeDisclosure()
        XCTAssertTrue(try tv.disclosureAcknowledged())

        // Call's first step makes the contact when it is all that is in the way.
        let prepared = try tv.prepareCall(book: book, device: device, id: patient.id)
        XCTAssertFalse(prepared.blocked, "\(prepared.checks)")
        XCTAssertEqual(prepared.app, .consumer)
        XCTAssertEqual(book.contacts.values.map(\.marker), ["televisit:\(patient.id)"])
        XCTAssertEqual(blockingCodes(try tv.preflight(book: book, device: device, id: patient.id)), [])
    }

    func testWithoutWhatsAppThePreflightBlocksOnItAlone() throws {
        try readyToCall()
        let none = FixedDevice(whatsapp: [])
        XCTAssertEqual(blockingCodes(try tv.preflight(book: book, device: none, id: patient.id)), ["whatsapp_missing"])
    }

    func testTheIOSChecklistAnsweredWithAllowedValuesIsCurrent() throws {
        XCTAssertEqual(try tv.checklistStatus(device: device), .never)
        let run = try tv.checklistStart(platform: .ios, device: device)
        XCTAssertEqual(run.platform, .ios)
        XCTAssertFalse(run.items.isEmpty)
        for item in run.items {
            XCTAssertEqual(item.path, item.item.iphonePath, item.item.id)
        }
        XCTAssertThrowsError(try tv.checklistAnswer(itemId: "read_receipts", value: "maybe")) { error in
            guard case TelevisitError.InvalidInput = error else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try tv.checklistFinish(), "not answered yet")
        var answered = 0
        for item in run.items where !item.preAnswered {
            let value = item.item.recommended
            XCTAssertTrue(item.item.choices.map(\.value).contains(value), "\(item.item.id): \(value)")
            let after = try tv.checklistAnswer(itemId: item.item.id, value: value)
            XCTAssertEqual(after.items.first { $0.item.id == item.item.id }?.answer, value)
            answered += 1
        }
        XCTAssertGreaterThan(answered, 0)
        let result = try tv.checklistFinish()
        XCTAssertTrue(result.compliant, "\(result.deviations)")
        XCTAssertEqual(result.deviations, [])
        XCTAssertEqual(try tv.checklistStatus(device: device), .current)
        XCTAssertNil(try tv.checklistRun(), "the run is over")
    }

    func testTheIOSPlanOpensTheChatWithTheDigitsAndTheMessageThenTheStore() throws {
        try readyToCall()
        let message = MessageRequest(template: .videoCallAt, values: ["clinic": "North Clinic", "time": "10:30 & sharp"])
        let plan = try tv.launchPlan(book: book, device: device, directory: nil, id: patient.id, platform: .ios, message: message)
        XCTAssertFalse(plan.preflight.blocked)
        XCTAssertEqual(plan.platform, .ios)
        XCTAssertEqual(plan.patient, patient.id)
        XCTAssertEqual(plan.attempts.map(\.kind), [.chat, .storePage])
        guard case let .openUrl(text, package) = plan.attempts[0].step else {
            return XCTFail("\(plan.attempts[0].step)")
        }
        XCTAssertNil(package)
        let url = try XCTUnwrap(URLComponents(string: text))
        XCTAssertEqual(url.scheme, "whatsapp")
        XCTAssertEqual(url.host, "send")
        XCTAssertEqual(url.queryItems?.first { $0.name == "phone" }?.value, "447400123456")
        // The core writes the query form-encoded (a space is "+"), as the Kotlin test reads it.
        let prefilled = url.percentEncodedQueryItems?.first { $0.name == "text" }?.value
        XCTAssertEqual(prefilled?.replacingOccurrences(of: "+", with: " ").removingPercentEncoding, plan.message)
        XCTAssertTrue(plan.message?.contains("10:30 & sharp") == true)
        XCTAssertTrue(plan.attempts[0].instruction?.contains("video") == true)
        for attempt in plan.attempts {
            Susan.assertAbsent(from: attempt.instruction ?? "")
        }
    }

    func testTheExecutorMovesOnWhenTheChatWillNotOpenAndRecordsEveryAttempt() async throws {
        try readyToCall()
        let plan = try tv.launchPlan(book: book, device: device, directory: nil, id: patient.id, platform: .ios, message: nil)
        let run = await execute(plan, with: tv) { $0.scheme != "whatsapp" }

        XCTAssertEqual(run.result, .opened(kind: .storePage, instruction: plan.attempts[1].instruction))
        XCTAssertEqual(run.asked.map(\.scheme), ["whatsapp", "https"])
        XCTAssertEqual(run.asked.last?.host, "apps.apple.com")
        let entries = try launchEntries()
        XCTAssertEqual(entries.map(\.kind), [.callAttemptFailed, .callLaunched])
        XCTAssertEqual(entries.map { $0.detail["step"] }, [.code(value: "chat"), .code(value: "store_page")])
        XCTAssertTrue(entries.allSatisfy { $0.actor == .clinician && $0.patient == patient.id })
        XCTAssertTrue(try tv.logVerify().isIntact)
    }

    func testTheExecutorStopsAtTheFirstAttemptThatOpens() async throws {
        try readyToCall()
        let plan = try tv.launchPlan(book: book, device: device, directory: nil, id: patient.id, platform: .ios, message: nil)
        let run = await execute(plan, with: tv) { _ in true }
        guard case let .opened(kind, instruction) = run.result else {
            return XCTFail("\(run.result)")
        }
        XCTAssertEqual(kind, .chat)
        XCTAssertTrue(instruction?.contains("tap the video camera button") == true, instruction ?? "")
        XCTAssertEqual(run.asked.count, 1)
        XCTAssertEqual(try launchEntries().map(\.kind), [.callLaunched])
        XCTAssertEqual(try tv.metrics(days: 7).map(\.callsLaunched).reduce(0, +), 1)
    }

    func testWhenNothingOpensTheExecutorFailsPlainlyAndTheLogHasEveryFailure() async throws {
        try readyToCall()
        let plan = try tv.launchPlan(book: book, device: device, directory: nil, id: patient.id, platform: .ios, message: nil)
        let run = await execute(plan, with: tv) { _ in false }
        guard case let .failed(message) = run.result else {
            return XCTFail("\(run.result)")
        }
        XCTAssertTrue(message.contains("WhatsApp could not be opened"), message)
        Susan.assertAbsent(from: message)
        XCTAssertEqual(run.asked.count, plan.attempts.count)
        let entries = try launchEntries()
        XCTAssertEqual(entries.map(\.kind), [.callAttemptFailed, .callAttemptFailed])
        XCTAssertEqual(entries.map { $0.detail["step"] }, [.code(value: "chat"), .code(value: "store_page")])
    }

    func testAnAndroidStepIsSkippedAndAURLThatDoesNotParseIsRecordedAsFailed() async throws {
        try readyToCall()
        let store = "https://apps.apple.com/app/id310633997"
        let plan = LaunchPlan(
            patient: patient.id,
            platform: .ios,
            app: .consumer,
            attempts: [
                LaunchAttempt(kind: .directVideo, step: .androidIntent(action: "android.intent.action.VIEW", data: "content://x/1", mimeType: nil, package: nil), instruction: nil),
                LaunchAttempt(kind: .chat, step: .openUrl(url: "https://[no-host/x", package: nil), instruction: nil),
                LaunchAttempt(kind: .storePage, step: .openUrl(url: store, package: nil), instruction: "Install WhatsApp."),
            ],
            message: nil,
            messageFindings: [],
            preflight: Preflight(checks: [], app: .consumer, blocked: false)
        )
        let run = await execute(plan, with: tv) { _ in true }
        XCTAssertEqual(run.result, .opened(kind: .storePage, instruction: "Install WhatsApp."))
        XCTAssertEqual(run.asked.map(\.absoluteString), [store], "never guessed at the Android step")
        let entries = try launchEntries()
        XCTAssertEqual(entries.map(\.kind), [.callAttemptFailed, .callLaunched])
        XCTAssertEqual(entries.map { $0.detail["step"] }, [.code(value: "chat"), .code(value: "store_page")])
    }
}
