import SwiftUI
import TelevisitCore
import TelevisitShell
import UIKit

/// Enrollment, the organisation's policy, the device report for IT (text and QR code), managed
/// configuration, a pasted wipe command, the app lock, the integrity check and the sealed log
/// export.
@MainActor
struct SettingsView: View {
    @EnvironmentObject private var model: AppModel
    @State private var enrollment: EnrollmentInfo? = nil
    @State private var policy: Policy? = nil
    @State private var keySet: KeySetInfo? = nil
    @State private var pasted = ""
    @State private var integrity: String? = nil
    @State private var export: URL? = nil
    @State private var exportRange: String? = nil
    @State private var error: ScreenError? = nil
    @State private var info: String? = nil
    @State private var confirmWipe = false

    var body: some View {
        Form {
            Section("Organisation") {
                if let enrollment {
                    LabeledContent("Enrolled with", value: enrollment.orgName)
                    LabeledContent("Device", value: enrollment.deviceId)
                    LabeledContent("Enrollment", value: enrollment.enrollmentId)
                } else {
                    Text("Not enrolled. Your organisation's device management enrolls Televisit, or paste the enrollment code below.")
                        .font(.footnote)
                }
                if let keySet {
                    LabeledContent("IT's keys", value: keySet.settingsLine)
                }
                if let policy {
                    LabeledContent("Policy", value: "\(policy.organisation), version \(policy.version)")
                    LabeledContent("Locks after", value: "\(policy.appLock.inactivityTimeoutSeconds / 60) min idle")
                }
            }
            Section {
                if let report = model.deviceReport {
                    if let code = try? qrCode(text: report) {
                        QRCodeView(code: code, label: "QR code of this iPhone's signed report")
                            .frame(maxWidth: .infinity)
                    }
                    Text(report)
                        .font(.caption2.monospaced())
                        .textSelection(.enabled)
                    Button("Copy the report") { UIPasteboard.general.string = report }
                    ShareLink(item: report) {
                        Label("Share the report", systemImage: "square.and.arrow.up")
                    }
                } else {
                    Text("After enrollment this iPhone makes a signed report that IT pins its key from.")
                        .font(.footnote)
                }
            } header: {
                Text("For IT: this iPhone's signed report")
            } footer: {
                Text("Your organisation's device management receives this report; IT can also scan it here.")
            }
            if let receipt = model.heldReceipt {
                Section {
                    if let code = try? qrCode(text: receipt) {
                        QRCodeView(code: code, label: "QR code of the wipe receipt")
                            .frame(maxWidth: .infinity)
                    }
                    Text(receipt)
                        .font(.caption2.monospaced())
                        .textSelection(.enabled)
                    Button("Copy the wipe receipt") { UIPasteboard.general.string = receipt }
                } header: {
                    Text("For IT: a wipe receipt not yet confirmed")
                } footer: {
                    Text("Handed to your organisation's device management at every check-in until IT confirms it has it.")
                }
            }
            if let relayNotice = model.relayNotice {
                Section("Fleet relay") {
                    Text(relayNotice).font(.footnote)
                }
            }
            if !model.managedNotices.isEmpty {
                Section("From your organisation's device management") {
                    ForEach(model.managedNotices, id: \.self) { line in
                        Text(line).font(.footnote)
                    }
                }
            }
            Section {
                TextField("Paste a code, policy or wipe command", text: $pasted, axis: .vertical)
                    .lineLimit(3 ... 6)
                    .textInputAutocapitalization(.never)
                    .autocorrectionDisabled()
                Button("Enroll with this code") { enroll() }
                Button("Apply this signed policy") { applyPolicy() }
                Button("Carry out this wipe command", role: .destructive) { confirmWipe = true }
                Button("Check device management again") { model.applyManagedConfiguration() }
            } header: {
                Text("From IT")
            } footer: {
                Text("Normally these arrive by your organisation's device management; pasting is for when they arrive by other means.")
            }
            Section("App lock") {
                Button("Lock now") { model.lockNow() }
            }
            Section("Records") {
                Button("Check the database's integrity") { checkIntegrity() }
                if let integrity {
                    Text(integrity).font(.footnote)
                }
                Button("Export the activity log for IT") { exportLog(whole: false) }
                Button("Export the whole activity log (IT asked for it)") { exportLog(whole: true) }
                if let exportRange {
                    Text(exportRange).font(.footnote)
                }
                if let export {
                    ShareLink(item: export) {
                        Label("Share the sealed export", systemImage: "square.and.arrow.up")
                    }
                }
            }
        }
        .navigationTitle("Settings")
        .onAppear(perform: reload)
        // The sealed export is for the share sheet only: it leaves with the screen.
        .onDisappear(perform: removeExport)
        .confirmationDialog(
            "Wipe Televisit from this iPhone? Its patient contacts, records and key are deleted.",
            isPresented: $confirmWipe,
            titleVisibility: .visible
        ) {
            Button("Wipe", role: .destructive) { wipe() }
        }
        .alert(item: $error) { error in
            Alert(title: Text("Settings"), message: Text(error.message))
        }
        // SwiftUI's Binding takes `@isolated(any) @Sendable` closures: these read and write view
        // state, so they are isolated to the main actor, where SwiftUI calls them.
        .alert("Done", isPresented: Binding(
            get: { @MainActor in info != nil },
            set: { @MainActor presented in if !presented { info = nil } }
        )) {
            Button("OK") { info = nil }
        } message: {
            Text(info ?? "")
        }
    }

    private var trimmed: String {
        pasted.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func reload() {
        model.publishReport()
        if case let .success(found) = model.perform({ try $0.enrollment() }) {
            enrollment = found
        }
        if case let .success(found) = model.perform({ try $0.policy() }) {
            policy = found
        }
        if case let .success(found) = model.perform({ try $0.keySet() }) {
            keySet = found
        }
    }

    private func enroll() {
        let code = trimmed
        switch model.perform({ try $0.enroll(code: code) }) {
        case let .success(done):
            pasted = ""
            info = "Enrolled with \(done.orgName)."
            reload()
        case let .failure(failure):
            error = failure
        }
    }

    private func applyPolicy() {
        let policy = trimmed
        switch model.perform({ try $0.applySignedPolicy(policy: policy) }) {
        case let .success(applied):
            pasted = ""
            info = "Policy version \(applied.version) applied."
            reload()
        case let .failure(failure):
            error = failure
        }
    }

    private func wipe() {
        let command = trimmed
        switch model.perform({ try $0.receiveWipe(command: command) }) {
        case .success:
            pasted = ""
            model.wipeAccepted()
        case let .failure(failure):
            error = failure
        }
    }

    private func checkIntegrity() {
        switch model.perform({ try $0.integrityCheck() }) {
        case let .success(report):
            if report.ok {
                integrity = "The database and the log's chain are intact."
            } else {
                var lines = report.pagesOk ? [] : ["Some pages failed their check."]
                lines += report.problems
                lines.append(verificationText(report.chain))
                integrity = lines.joined(separator: "\n")
            }
        case let .failure(failure):
            error = failure
        }
    }

    /// The entries since IT's last confirmation (or all of them), signed by the device key and
    /// sealed to the organisation's key (age): readable by IT only. Written to a temporary file
    /// for the share sheet, protected until the phone is unlocked; the range it holds is shown.
    private func exportLog(whole: Bool) {
        removeExport()
        switch model.perform({ try $0.exportLog(whole: whole) }) {
        case let .success(made):
            let url = SettingsView.exportURL
            do {
                try made.sealed.write(to: url, options: [.atomic, .completeFileProtection])
                export = url
                let range = whole ? "every entry this iPhone holds" : "the entries since IT's last confirmation"
                exportRange = "Entries \(made.fromSeq + 1) to \(made.throughSeq) (\(made.entries), \(range)), signed by this iPhone's key."
            } catch {
                self.error = ScreenError(message: "The export could not be saved for sharing on this iPhone.")
            }
        case let .failure(failure):
            error = failure
        }
    }

    /// Where the sealed export waits for the share sheet.
    static let exportURL = FileManager.default.temporaryDirectory.appendingPathComponent("televisit-log.age")

    /// Deletes the temporary export (sealed to IT, but nothing to leave lying around).
    private func removeExport() {
        try? FileManager.default.removeItem(at: SettingsView.exportURL)
        export = nil
        exportRange = nil
    }
}
