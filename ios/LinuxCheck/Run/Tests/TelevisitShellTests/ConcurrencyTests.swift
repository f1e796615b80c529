import Foundation
import TelevisitCore
import TelevisitShell
import XCTest

/// Counts who is inside a turn right now, and the most that ever were at once.
final class Occupancy: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private var _most = 0
    private var _entries = 0

    var most: Int { lock.withLock { _most } }
    var entries: Int { lock.withLock { _entries } }

    func visit() {
        lock.withLock {
            inside += 1
            _entries += 1
            _most = max(_most, inside)
        }
        // Long enough for another turn to come in, were the gate to let it.
        usleep(200)
        lock.withLock { inside -= 1 }
    }
}

/// The process's one store turn, and the managed feedback written from several threads at once.
final class ConcurrencyTests: TelevisitTestCase {
    func testStoreGateTurnsAndExclusiveRunsNeverOverlap() async throws {
        let gate = StoreGate()
        let occupancy = Occupancy()
        let turns = 64
        let exclusives = 64
        // Exclusive turns from plain threads (as a background check-in takes them) while many
        // tasks take async turns (as the app's start and its wipes do).
        async let exclusiveSide: Void = withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                DispatchQueue.concurrentPerform(iterations: exclusives) { _ in
                    gate.exclusive { _ in occupancy.visit() }
                }
                done.resume()
            }.start()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0 ..< turns {
                group.addTask {
                    try await gate.turn { _ in occupancy.visit() }
                }
            }
            try await group.waitForAll()
        }
        await exclusiveSide
        XCTAssertEqual(occupancy.entries, turns + exclusives)
        XCTAssertEqual(occupancy.most, 1, "two turns were inside at once")
    }

    func testTheGateKeepsWhetherTheStoreIsOpenAcrossTurns() async throws {
        let gate = StoreGate()
        XCTAssertFalse(gate.exclusive { $0 })
        let opened = try await gate.turn { storeOpen -> Bool in
            storeOpen = true
            return storeOpen
        }
        XCTAssertTrue(opened)
        XCTAssertTrue(gate.exclusive { $0 })
        XCTAssertFalse(StoreGate().exclusive { $0 }, "each gate keeps its own")
        gate.storeClosed()
        XCTAssertFalse(gate.exclusive { $0 }, "closed, behind any running turn")
        struct Refused: Error {}
        do {
            _ = try await gate.turn { _ -> Int in throw Refused() }
            XCTFail("the turn's error reaches its caller")
        } catch is Refused {}
        XCTAssertFalse(gate.exclusive { $0 }, "a failed turn leaves the gate usable")
    }

    func testFeedbackWrittenFromManyThreadsAtOnceLosesNothing() {
        let keys = managedConfigKeys()
        let defaults = uniqueDefaults()
        // A lost update needs two writers inside the read-change-write at once: many short
        // rounds give it many chances; the first round that loses one fails the test. Whatever
        // the MDM app already had there ("mdm_note") is kept too.
        for round in 0 ..< 1500 {
            defaults.set(["mdm_note": "kept"], forKey: ManagedConfiguration.feedbackKey)
            // An object per writer, as the app and a background task each have their own.
            let writers = (0 ..< 16).map { _ in ManagedConfiguration(defaults: defaults) }
            DispatchQueue.concurrentPerform(iterations: writers.count) { i in
                if i % 2 == 0 {
                    writers[i].writeReceipt("receipt-\(round)-\(i)")
                } else {
                    writers[i].writeReport("report-\(round)-\(i)")
                }
            }
            let feedback = ManagedConfiguration(defaults: defaults).feedback()
            let intact = feedback.count == 3 && feedback["mdm_note"] == "kept"
                && feedback[keys.wipeReceipt]?.hasPrefix("receipt-\(round)-") == true
                && feedback[keys.deviceReport]?.hasPrefix("report-\(round)-") == true
            guard intact else {
                return XCTFail("round \(round) lost a write: \(feedback)")
            }
        }
    }
}
