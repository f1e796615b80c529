import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

extension TelevisitTestCase {
    /// An iPhone's store opened the iOS way and enrolled with `admin`'s organisation.
    func enrolledStore(_ admin: Admin, path: String, secrets: MemorySecretStore) throws -> (Televisit, EnrollmentInfo) {
        let tv = try Televisit.openForApplePlatforms(path: path, secrets: secrets, freshInstall: true)
        let enrolled = try tv.enroll(code: try admin.enrollCode())
        return (tv, enrolled)
    }

    /// The device report as the app publishes it, imported into IT's ledger (which pins the key).
    @discardableResult
    func pinInLedger(_ tv: Televisit, _ admin: Admin, managed: ManagedConfiguration? = nil) throws -> String {
        let report = try tv.deviceReport(platform: .ios, osVersion: "18.2", appVersion: "0.1.0")
        managed?.writeReport(report)
        let file = try admin.file("report-\(UUID().uuidString).txt", Data(report.utf8))
        try admin.run("devices", "import", "--org", admin.org, file)
        return report
    }

    func setManaged(_ defaults: UserDefaults, _ value: Any) {
        defaults.set(value, forKey: ManagedConfiguration.configurationKey)
    }
}

/// The fleet's side of the iPhone: enrollment and policy through MDM's managed configuration,
/// the bulletin, the device report and the sealed log export, against the real televisit-admin.
final class FleetTests: TelevisitTestCase {
    private let keys = managedConfigKeys()

    func testTheManagedConfigurationEnrollsAndAppliesThePolicyOnceThenIsUnchanged() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let defaults = uniqueDefaults()
        let managed = ManagedConfiguration(defaults: defaults)
        XCTAssertTrue(managed.read().isEmpty, "nothing sent yet")
        XCTAssertEqual(keys.enrollmentCode, "enrollment_code")
        XCTAssertEqual(keys.signedPolicy, "signed_policy")

        let code = try admin.enrollCode()
        let policy = try admin.signedPolicy(version: 2)
        setManaged(defaults, [keys.enrollmentCode: code, keys.signedPolicy: policy])
        let reading = managed.read()
        XCTAssertEqual(reading.values, [keys.enrollmentCode: code, keys.signedPolicy: policy])
        XCTAssertEqual(reading.problems, [])

        let tv = try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: true)
        let first = try tv.applyManagedConfig(values: reading.values)
        guard case let .applied(enrolledSummary) = first.enrollment else {
            return XCTFail("\(first.enrollment)")
        }
        let enrolled = try XCTUnwrap(try tv.enrollment())
        XCTAssertEqual(enrolled.orgName, "North Clinic")
        XCTAssertTrue(enrolledSummary.contains(enrolled.deviceId), enrolledSummary)
        XCTAssertEqual(first.policy, .applied(summary: "policy version 2 in force"))
        XCTAssertEqual(first.wipe, .notSet)
        XCTAssertEqual(first.bulletin, .notSet)
        XCTAssertFalse(first.wipeStarted)
        XCTAssertEqual(try tv.policy().version, 2)
        XCTAssertEqual(ManagedConfiguration.describe(first), [
            "Enrollment: \(enrolledSummary)",
            "Policy: policy version 2 in force",
        ])

        // Delivered again, as MDM does at every check-in: nothing new, nothing to say.
        let again = try tv.applyManagedConfig(values: managed.read().values)
        XCTAssertEqual(again.enrollment, .unchanged)
        XCTAssertEqual(again.policy, .unchanged)
        XCTAssertEqual(ManagedConfiguration.describe(again), [])
    }

    func testManagedValuesOfTheWrongTypeAreSkippedByKeyNeverByValue() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let defaults = uniqueDefaults()
        let managed = ManagedConfiguration(defaults: defaults)
        let code = try admin.enrollCode()
        setManaged(defaults, [
            keys.enrollmentCode: code,
            keys.signedPolicy: 4_155_550_132,
            "com.vendor.kiosk": true,
            "com.vendor.contacts": ["Susan Smith", "+447400123456"],
            "com.vendor.name": "Susan Smith",
        ] as [String: Any])
        let reading = managed.read()
        XCTAssertEqual(reading.values, [keys.enrollmentCode: code, "com.vendor.name": "Susan Smith"])
        XCTAssertEqual(reading.problems.count, 2, "\(reading.problems)")
        let policyProblem = try XCTUnwrap(reading.problems.first { $0.contains("\"signed_policy\"") })
        XCTAssertTrue(policyProblem.contains("is not text"), policyProblem)
        XCTAssertFalse(policyProblem.contains("4155550132"), policyProblem)
        let others = try XCTUnwrap(reading.problems.first { !$0.contains("signed_policy") })
        XCTAssertTrue(others.hasPrefix("2 other managed setting(s) were not text"), others)
        for problem in reading.problems {
            Susan.assertAbsent(from: problem)
        }

        // What was text still applies; the skipped policy is simply not set.
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: MemorySecretStore(), freshInstall: true)
        let report = try tv.applyManagedConfig(values: reading.values)
        XCTAssertNotEqual(report.enrollment, .notSet)
        XCTAssertEqual(report.policy, .notSet)

        for notASettingsList: Any in ["Susan Smith +447400123456", ["Susan Smith"], 42] {
            setManaged(defaults, notASettingsList)
            let bad = managed.read()
            XCTAssertEqual(bad.values, [:])
            XCTAssertEqual(bad.problems.count, 1)
            XCTAssertTrue(bad.problems[0].contains("is not a list of settings"), bad.problems[0])
            Susan.assertAbsent(from: bad.problems[0])
        }
    }

    func testARefusedManagedSettingIsDescribedWithoutItsValue() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let (tv, _) = try enrolledStore(admin, path: db, secrets: MemorySecretStore())
        XCTAssertEqual(try tv.applySignedPolicy(policy: try admin.signedPolicy(version: 3)).version, 3)
        let report = try tv.applyManagedConfig(values: [
            keys.signedPolicy: try admin.signedPolicy(version: 2),
            keys.wipeCommand: "Susan Smith +447400123456",
        ])
        guard case let .refused(code, _) = report.wipe else {
            return XCTFail("\(report.wipe)")
        }
        XCTAssertEqual(code, "malformed")
        XCTAssertFalse(report.wipeStarted)
        guard case .refused = report.policy else {
            return XCTFail("an older policy: \(report.policy)")
        }
        let lines = ManagedConfiguration.describe(report)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("Policy from your organisation was refused: ") && $0.contains("older") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("Remote wipe from your organisation was refused: ") }, "\(lines)")
        for line in lines + managedProblems(report: report) {
            Susan.assertAbsent(from: line)
        }
        XCTAssertEqual(try tv.policy().version, 3)
    }

    func testTheBulletinAppliesWithTheStoreOpenAndWithNoStoreAtAll() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let secrets = MemorySecretStore()
        do {
            let (tv, _) = try enrolledStore(admin, path: db, secrets: secrets)
            let enrolledAt = try XCTUnwrap(try tv.lastCheckin(), "the signed enrollment code is contact with IT")
            let bulletin = try admin.run("bulletin", "sign", "--org", admin.org)
            let first = try tv.applyBulletin(bulletin: bulletin)
            XCTAssertTrue(first.applied)
            XCTAssertFalse(first.wipeStarted)
            XCTAssertNotNil(first.bulletinId)
            XCTAssertFalse(try tv.applyBulletin(bulletin: bulletin).applied, "delivered again: nothing new")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(try tv.lastCheckin()), enrolledAt)
        }
        // The background task's way: no store, the secret store alone.
        let next = try admin.run("bulletin", "sign", "--org", admin.org)
        let background = try receiveBulletin(secrets: secrets, bulletin: next)
        XCTAssertTrue(background.applied)
        XCTAssertFalse(background.wipeStarted)
        XCTAssertFalse(try receiveBulletin(secrets: secrets, bulletin: next).applied)

        let damaged = String(next.dropLast(5))
        let error = try XCTUnwrap(televisitError(try receiveBulletin(secrets: secrets, bulletin: damaged)))
        guard case .InvalidInput = error else {
            return XCTFail("\(error)")
        }
        let text = UserMessage.text(for: error)
        XCTAssertFalse(text.contains(String(next.dropFirst(13).prefix(20))), "no piece of the bulletin: \(text)")
    }

    func testTheBackgroundCheckInAppliesTheBulletinFromTheManagedConfiguration() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let secrets = MemorySecretStore()
        _ = try enrolledStore(admin, path: db, secrets: secrets)
        let defaults = uniqueDefaults()
        let managed = ManagedConfiguration(defaults: defaults)
        let book = MemoryContactBook()
        XCTAssertEqual(SecretStoreCheckIn.run(databasePath: db, secrets: secrets, book: book, managed: managed, gate: StoreGate()), .done, "nothing to do is done")

        let bulletin = try admin.run("bulletin", "sign", "--org", admin.org)
        setManaged(defaults, [keys.bulletin: bulletin])
        XCTAssertEqual(SecretStoreCheckIn.run(databasePath: db, secrets: secrets, book: book, managed: managed, gate: StoreGate()), .done)
        XCTAssertFalse(try receiveBulletin(secrets: secrets, bulletin: bulletin).applied, "the check-in applied it")
        let tv = try Televisit.openForApplePlatforms(path: db, secrets: secrets, freshInstall: false)
        XCTAssertFalse(tv.wasCreated(), "the check-in left the store as it was")

        setManaged(defaults, [keys.bulletin: String(bulletin.dropLast(5))])
        XCTAssertEqual(SecretStoreCheckIn.run(databasePath: db, secrets: secrets, book: book, managed: managed, gate: StoreGate()), .failed)
        XCTAssertTrue(managed.feedback().isEmpty, "nothing was published")
    }

    func testTheDeviceReportIsPublishedInTheFeedbackAndITImportsIt() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let (tv, enrolled) = try enrolledStore(admin, path: db, secrets: MemorySecretStore())
        let managed = ManagedConfiguration(defaults: uniqueDefaults())
        let report = try tv.deviceReport(platform: .ios, osVersion: "18.2", appVersion: "0.1.0")
        XCTAssertLessThanOrEqual(report.count, 1000, "one managed app feedback value")
        managed.writeReport(report)
        XCTAssertEqual(managed.feedback(), [keys.deviceReport: report])

        let published = try XCTUnwrap(managed.feedback()[keys.deviceReport])
        XCTAssertTrue(try admin.run("device", "check", published).contains(enrolled.deviceId))
        XCTAssertEqual(try admin.exit("device", "check", published, "--device-key=\(enrolled.deviceKey)"), 0)
        let file = try admin.file("mdm-export.txt", Data(published.utf8))
        XCTAssertEqual(try admin.exit("devices", "import", "--org", admin.org, file), 0)
        XCTAssertTrue(try admin.run("devices", "show", "--org", admin.org, enrolled.deviceId).contains(enrolled.deviceId))
        // A report cut short is refused by IT's import.
        let cut = try admin.file("cut.txt", Data(published.dropLast(8).utf8))
        XCTAssertEqual(try admin.exit("devices", "import", "--org", admin.org, cut), 3)
    }

    func testTheLogVerifiesAndItsSealedExportOpensAtITVerified() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let (tv, _) = try enrolledStore(admin, path: db, secrets: MemorySecretStore())
        let susan = try tv.patientAdd(patient: NewPatient(givenName: Susan.given, familyName: Susan.family, phone: Susan.e164))
        _ = try tv.ensureContact(book: MemoryContactBook(), id: susan.id)
        try tv.recordLaunch(id: susan.id, attempt: .chat, app: .consumer, succeeded: true)
        guard case let .intact(count, headSeq, mac) = try tv.logVerify() else {
            return XCTFail("the log is not intact")
        }
        XCTAssertEqual(count, UInt64(try tv.logList(query: LogQuery()).count))
        XCTAssertEqual(headSeq, count)
        XCTAssertEqual(mac.count, 64)

        try pinInLedger(tv, admin)
        let export = try tv.exportLog(whole: true)
        XCTAssertTrue(export.whole)
        XCTAssertEqual(export.throughSeq, count + 1, "the export's own entry is one more")
        XCTAssertGreaterThan(export.entries, 0)
        let file = try admin.file("log.age", export.sealed)
        let opened = try admin.run("log", "open", file, "--org", admin.org)
        XCTAssertTrue(opened.contains("verified"), opened)
        Susan.assertAbsent(from: opened)
        XCTAssertTrue(try tv.logVerify().isIntact)

        // A sealed export damaged on the way does not verify.
        var damaged = export.sealed
        damaged[damaged.count / 2] ^= 0xFF
        XCTAssertNotEqual(try admin.exit("log", "open", try admin.file("damaged.age", damaged), "--org", admin.org), 0)
    }

    /// Issue 31: the hospital splits its key; the iPhone takes the key set from the cron host's
    /// bulletin, shows who signs what, and refuses a wipe signed by an admin IT revoked.
    func testAKeySetFromTheBulletinNamesTheSignersAndARevokedAdminsWipeIsRefused() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let secrets = MemorySecretStore()
        let (tv, enrolled) = try enrolledStore(admin, path: db, secrets: secrets)
        XCTAssertEqual(try XCTUnwrap(try tv.keySet()).settingsLine, "The organisation's one key signs everything.")
        let cron = admin.dir.appendingPathComponent("cron.pk8").path
        let bob = admin.dir.appendingPathComponent("bob.pk8").path
        try admin.run("keys", "rotate-bulletin", "--org", admin.org, "--out", cron)
        try admin.run("keys", "add-admin", "bob", "--org", admin.org, "--out", bob)
        try admin.run("keys", "revoke", "org", "--org", admin.org)
        let bobs = try admin.run(
            "wipe", "issue", "--org", admin.org, "--unlisted", "--device", enrolled.deviceId,
            "--enrollment", enrolled.enrollmentId, "--key", bob)
        try admin.run("keys", "revoke", "bob", "--org", admin.org)
        let applied = try tv.applyBulletin(bulletin: try admin.run("bulletin", "sign", "--org", admin.org, "--key", cron))
        XCTAssertEqual(applied.keySetVersion, 4)
        XCTAssertEqual(applied.signedBy, "bulletin")
        XCTAssertEqual(try XCTUnwrap(try tv.keySet()).settingsLine, "Version 4, root 1 of 1. bulletin: bulletin.")
        XCTAssertThrowsError(try tv.receiveWipe(command: bobs)) { error in
            XCTAssertTrue("\(error)".contains("no longer trusts"), "\(error)")
        }
        XCTAssertFalse(try wipePending(secrets: secrets))
    }
}
