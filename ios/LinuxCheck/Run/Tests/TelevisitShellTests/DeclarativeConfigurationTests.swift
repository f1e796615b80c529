import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// The declarative app configuration (iOS 18.4+): the ManagedApp framework hands the `AppConfig`
/// data asset's property list to `DeclarativeConfiguration`'s `Decodable` initializer, as
/// `PropertyListDecoder` does here with the same bytes an MDM would send.
final class DeclarativeConfigurationTests: TelevisitTestCase {
    private let keys = managedConfigKeys()

    /// The data asset as an MDM serves it: an XML property list.
    private func asset(_ entries: [String: Any]) throws -> Data {
        try PropertyListSerialization.data(fromPropertyList: entries, format: .xml, options: 0)
    }

    private func decoded(_ entries: [String: Any]) throws -> DeclarativeConfiguration {
        try PropertyListDecoder().decode(DeclarativeConfiguration.self, from: try asset(entries))
    }

    func testOurKeysAreReadAndAValueOfTheWrongTypeIsSkippedAndNamedNeverShown() throws {
        let configuration = try decoded([
            keys.enrollmentCode: "tv1.enroll.abc",
            keys.signedPolicy: 4_155_550_132,
            keys.mdmUser: "dr.lee@northclinic.example",
            "com.vendor.name": "Susan Smith",
        ])
        XCTAssertEqual(configuration.values, [keys.enrollmentCode: "tv1.enroll.abc", keys.mdmUser: "dr.lee@northclinic.example"])
        XCTAssertEqual(configuration.problems.count, 1)
        XCTAssertTrue(configuration.problems[0].contains("\"signed_policy\" is not text"), configuration.problems[0])
        XCTAssertFalse(configuration.problems[0].contains("4155550132"))
        Susan.assertAbsent(from: configuration.problems.joined())
        // A property list that is not a dictionary cannot be decoded: the framework then yields
        // nil, and the app falls back to the legacy dictionary.
        let list = try PropertyListSerialization.data(fromPropertyList: ["Susan Smith"], format: .xml, options: 0)
        XCTAssertThrowsError(try PropertyListDecoder().decode(DeclarativeConfiguration.self, from: list))
    }

    func testTheDeclarativeConfigurationWinsWhileItIsThereAndTheLegacyOneOtherwise() throws {
        let defaults = uniqueDefaults()
        let managed = ManagedConfiguration(defaults: defaults)
        defaults.set([keys.bulletin: "legacy"], forKey: ManagedConfiguration.configurationKey)
        XCTAssertEqual(managed.read().values, [keys.bulletin: "legacy"])
        managed.declarative = try decoded([keys.bulletin: "declarative"])
        XCTAssertEqual(managed.read().values, [keys.bulletin: "declarative"])
        managed.declarative = nil
        XCTAssertEqual(managed.read().values, [keys.bulletin: "legacy"])
    }

    func testAWipeInADeclarativeBulletinIsCarriedOutByTheBackgroundCheckIn() throws {
        let admin = try Admin(dir: try subfolder("it"))
        let secrets = MemorySecretStore()
        let enrolled: EnrollmentInfo
        do {
            // The store is closed again before the check-in (the app holds it in no other turn).
            let (tv, info) = try enrolledStore(admin, path: db, secrets: secrets)
            try pinInLedger(tv, admin)
            enrolled = info
        }
        let command = try admin.run("wipe", "issue", "--org", admin.org, "--device", enrolled.deviceId, "--reason", "lost")
        let bulletin = try admin.run("bulletin", "sign", "--org", admin.org, "--wipe", command)
        // Nothing in the legacy dictionary: this MDM speaks declaratively only.
        let managed = ManagedConfiguration(defaults: uniqueDefaults())
        managed.declarative = try decoded([keys.bulletin: bulletin])
        let run = SecretStoreCheckIn.run(databasePath: db, secrets: secrets, book: MemoryContactBook(), managed: managed, gate: StoreGate())
        XCTAssertEqual(run, .done)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "the store is gone")
        let receipt = try XCTUnwrap(managed.feedback()[keys.wipeReceipt])
        XCTAssertEqual(try admin.exit("wipe", "verify-receipt", "--org", admin.org, receipt), 0)
    }
}
