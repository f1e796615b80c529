import SwiftUI
import TelevisitCore
import TelevisitShell
import UIKit

/// The day's list as the core orders it (today's visits first, by time; done visits and archived
/// patients last), each under its label: the contact name with its "(2)" and the number's last
/// digits, so that namesakes are told apart. And a way to add one.
@MainActor
struct PatientsView: View {
    @EnvironmentObject private var model: AppModel
    @State private var rows: [ListedPatient] = []
    @State private var showArchived = false
    @State private var adding = false
    @State private var error: ScreenError? = nil

    var body: some View {
        List {
            ContactsAccessSection()
            if rows.isEmpty {
                Section {
                    Text("No patients yet. Add one before their visit.")
                        .foregroundStyle(.secondary)
                }
            }
            ForEach(sections, id: \.0) { section, members in
                Section(sectionTitle(section)) {
                    ForEach(members, id: \.patient.id) { row in
                        NavigationLink(value: row.patient.id) {
                            VStack(alignment: .leading) {
                                Text(row.label)
                                Text(consentSummary(row.patient.consent))
                                    .font(.caption)
                                    .foregroundStyle(.secondary)
                            }
                        }
                    }
                }
            }
            Toggle("Show archived", isOn: $showArchived)
        }
        .navigationTitle("Patients")
        .navigationDestination(for: String.self) { id in
            PatientDetailView(patientId: id)
        }
        .toolbar {
            Button {
                adding = true
            } label: {
                Label("Add patient", systemImage: "person.badge.plus")
            }
        }
        .sheet(isPresented: $adding, onDismiss: reload) {
            AddPatientView()
        }
        .onAppear(perform: reload)
        .onChange(of: showArchived) { _ in reload() }
        .refreshable { await reload() }
        .alert(item: $error) { error in
            Alert(title: Text("Patients"), message: Text(error.message))
        }
    }

    /// The rows grouped by section, in the core's order.
    private var sections: [(ListSection, [ListedPatient])] {
        var groups: [(ListSection, [ListedPatient])] = []
        for row in rows {
            if let last = groups.last, last.0 == row.section {
                groups[groups.count - 1].1.append(row)
            } else {
                groups.append((row.section, [row]))
            }
        }
        return groups
    }

    private func reload() {
        let device = model.device()
        switch model.perform({ try $0.dayList(device: device, includeArchived: showArchived) }) {
        case let .success(list):
            rows = list
        case let .failure(failure):
            error = failure
        }
    }
}

func sectionTitle(_ section: ListSection) -> String {
    switch section {
    case .today:
        return "Today"
    case .upcoming:
        return "Later visits"
    case .unscheduled:
        return "No visit time"
    case .overdue:
        return "Earlier visits not marked done"
    case .done:
        return "Visits done"
    case .archived:
        return "Archived"
    }
}

func consentSummary(_ consent: ConsentState) -> String {
    switch consent {
    case .none:
        return "No consent on record"
    case let .given(method, textVersion, _, at):
        return "Consent (\(consentMethodName(method)), text \(textVersion)) on \(at.formatted(date: .abbreviated, time: .shortened))"
    case let .revoked(at, _):
        return "Consent revoked on \(at.formatted(date: .abbreviated, time: .shortened))"
    case let .declined(method, textVersion, _, at):
        return "Declined (\(consentMethodName(method)), text \(textVersion)) on \(at.formatted(date: .abbreviated, time: .shortened))"
    }
}

/// The organisation's consent wording, or its version when the policy carries the version only.
func consentWording(_ calls: CallPolicy?) -> String {
    guard let calls else { return "" }
    if let text = calls.consentText {
        return "Read to the patient (wording \(calls.consentTextVersion)): \(text)"
    }
    return "Read the patient your organisation's consent wording \(calls.consentTextVersion), then record their answer."
}

func consentMethodName(_ method: ConsentMethod) -> String {
    switch method {
    case .verbal:
        return "verbal"
    case .written:
        return "written"
    case .inApp:
        return "in the app"
    }
}

/// Contacts access, when it needs saying: never asked, denied, restricted, or iOS 18's limited.
@MainActor
struct ContactsAccessSection: View {
    @EnvironmentObject private var model: AppModel

    var body: some View {
        if let message = model.contactsAccess.message {
            Section("Contacts") {
                Text(message)
                    .font(.footnote)
                if model.contactsAccess == .notDetermined {
                    Button("Allow contacts access") {
                        Task { await model.requestContactsAccess() }
                    }
                } else if model.contactsAccess != .full {
                    Button("Open Settings") {
                        if let url = URL(string: UIApplication.openSettingsURLString) {
                            UIApplication.shared.open(url)
                        }
                    }
                }
            }
        }
    }
}

@MainActor
struct AddPatientView: View {
    @EnvironmentObject private var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var givenName = ""
    @State private var familyName = ""
    @State private var phone = ""
    @State private var hasVisit = false
    @State private var visitAt = Date()
    @State private var error: ScreenError? = nil

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    // A patient's name and number: no AutoFill (its content types offer the
                    // clinician's own card) and no autocorrection, so the keyboard neither
                    // suggests from nor learns them.
                    TextField("First name", text: $givenName)
                        .textInputAutocapitalization(.words)
                        .autocorrectionDisabled()
                    TextField("Last name", text: $familyName)
                        .textInputAutocapitalization(.words)
                        .autocorrectionDisabled()
                    TextField("Mobile number", text: $phone)
                        .keyboardType(.phonePad)
                        .autocorrectionDisabled()
                } footer: {
                    Text("The number as the patient gave it; Televisit checks it and keeps it in international form.")
                }
                Section {
                    Toggle("Visit booked", isOn: $hasVisit)
                    if hasVisit {
                        DatePicker("Visit", selection: $visitAt)
                    }
                }
            }
            .navigationTitle("New patient")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Cancel") { dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Add") { add() }
                }
            }
            .alert(item: $error) { error in
                Alert(title: Text("Not added"), message: Text(error.message))
            }
        }
    }

    private func add() {
        let patient = NewPatient(
            givenName: givenName,
            familyName: familyName,
            phone: phone,
            visitAt: hasVisit ? visitAt : nil
        )
        switch model.perform({ try $0.patientAdd(patient: patient) }) {
        case .success:
            dismiss()
        case let .failure(failure):
            error = failure
        }
    }
}

/// One patient: consent, the contact, the pre-flight checks, and the call.
@MainActor
struct PatientDetailView: View {
    @EnvironmentObject private var model: AppModel
    let patientId: String
    @State private var patient: Patient? = nil
    @State private var preflight: Preflight? = nil
    @State private var note: String? = nil
    @State private var error: ScreenError? = nil
    @State private var showDisclosure = false
    @State private var calling = false

    var body: some View {
        List {
            if let patient {
                Section("Patient") {
                    LabeledContent("Contact name", value: patient.contactName)
                    LabeledContent("Mobile", value: patient.phone)
                    if let visit = patient.visitAt {
                        LabeledContent("Visit", value: visit.formatted(date: .abbreviated, time: .shortened))
                    }
                    LabeledContent("Reference", value: patient.id)
                }
                Section("Consent") {
                    Text(consentSummary(patient.consent))
                    // The wording comes first: what the clinician reads to the patient.
                    Text(consentWording(model.calls))
                        .font(.callout)
                        .foregroundStyle(.secondary)
                    Menu("They agree") {
                        Button("Verbal") { recordConsent(.verbal) }
                        Button("Written") { recordConsent(.written) }
                        Button("In the app") { recordConsent(.inApp) }
                    }
                    Menu("They decline") {
                        Button("Verbal") { declineConsent(.verbal) }
                        Button("Written") { declineConsent(.written) }
                        Button("In the app") { declineConsent(.inApp) }
                    }
                    if case .given = patient.consent {
                        Button("Revoke consent", role: .destructive) { revokeConsent() }
                    }
                }
                Section("Contact") {
                    Button("Add or repair the contact") { ensureContact() }
                }
                if let preflight {
                    Section("Before the call") {
                        ForEach(preflight.checks, id: \.code) { check in
                            Label(check.message, systemImage: symbol(for: check.status))
                                .foregroundStyle(color(for: check.status))
                        }
                    }
                }
                Section {
                    Button {
                        startCall()
                    } label: {
                        Label("Start WhatsApp video call", systemImage: "video")
                    }
                    .disabled(calling || patient.archivedAt != nil)
                    if let note {
                        Text(note)
                            .font(.callout)
                    }
                }
                Section {
                    Button("Visit done") { visitDone() }
                    Button("Archive patient", role: .destructive) { archive() }
                        .disabled(patient.archivedAt != nil)
                }
            }
        }
        .navigationTitle(patient?.contactName ?? "Patient")
        .onAppear(perform: reload)
        .refreshable { await reload() }
        .sheet(isPresented: $showDisclosure) {
            DisclosureView {
                if case let .failure(failure) = model.perform({ try $0.acknowledgeDisclosure() }) {
                    error = failure
                } else {
                    startCall()
                }
            }
        }
        .alert(item: $error) { error in
            Alert(title: Text("Televisit"), message: Text(error.message))
        }
    }

    private func reload() {
        switch model.perform({ try $0.patient(id: patientId) }) {
        case let .success(found):
            patient = found
        case let .failure(failure):
            error = failure
            return
        }
        // The pre-flight reads the address book: off the main thread.
        let device = model.device()
        let book = model.book
        let id = patientId
        Task {
            if case let .success(checks) = await model.performInBackground({ try $0.preflight(book: book, device: device, id: id) }) {
                preflight = checks
            }
        }
    }

    private func recordConsent(_ method: ConsentMethod) {
        let result = model.perform {
            try $0.consentRecord(id: patientId, method: method, textVersion: $0.policy().calls.consentTextVersion, by: .clinician)
        }
        finish(result)
    }

    private func declineConsent(_ method: ConsentMethod) {
        let result = model.perform {
            try $0.consentDecline(id: patientId, method: method, textVersion: $0.policy().calls.consentTextVersion, by: .clinician)
        }
        finish(result)
    }

    private func revokeConsent() {
        finish(model.perform { try $0.consentRevoke(id: patientId, by: .clinician) })
    }

    private func ensureContact() {
        switch model.perform({ try $0.ensureContact(book: model.book, id: patientId) }) {
        case let .success(ensured):
            note = ensureSummary(ensured.action)
            reload()
        case let .failure(failure):
            error = failure
        }
    }

    private func visitDone() {
        finish(model.perform { try $0.markVisitDone(id: patientId) })
    }

    private func archive() {
        finish(model.perform { try $0.patientArchive(id: patientId) })
    }

    private func finish<T>(_ result: Result<T, ScreenError>) {
        if case let .failure(failure) = result {
            error = failure
        }
        reload()
    }

    /// The disclosure first (once), then the core's launch plan, carried out in order.
    private func startCall() {
        switch model.perform({ try $0.disclosureAcknowledged() }) {
        case .success(false):
            showDisclosure = true
            return
        case let .failure(failure):
            error = failure
            return
        case .success(true):
            break
        }
        let device = model.device()
        // As on Android: the contact is made or put right first when it is the only thing in the
        // way (the core decides, `prepareCall`); anything else that blocks is shown, not bypassed.
        switch model.perform({ try $0.prepareCall(book: model.book, device: device, id: patientId) }) {
        case let .failure(failure):
            error = failure
            return
        case let .success(checked):
            preflight = checked
            if checked.checks.contains(where: { $0.status == .block }) {
                reload()
                return
            }
        }
        let planned = model.perform {
            try $0.launchPlan(book: model.book, device: device, directory: nil, id: patientId, platform: .ios, message: nil)
        }
        switch planned {
        case let .failure(failure):
            error = failure
            reload()
        case let .success(plan):
            calling = true
            Task {
                let outcome = await model.launch(plan)
                calling = false
                switch outcome {
                case let .opened(_, instruction)?:
                    note = instruction ?? "WhatsApp is open."
                case let .failed(message)?:
                    error = ScreenError(message: message)
                case nil:
                    error = ScreenError(message: "Televisit is locked.")
                }
            }
        }
    }

    private func symbol(for status: CheckStatus) -> String {
        switch status {
        case .pass:
            return "checkmark.circle"
        case .warn:
            return "exclamationmark.triangle"
        case .block:
            return "xmark.octagon"
        }
    }

    private func color(for status: CheckStatus) -> Color {
        switch status {
        case .pass:
            return .primary
        case .warn:
            return .orange
        case .block:
            return .red
        }
    }
}

func ensureSummary(_ action: EnsureAction) -> String {
    switch action {
    case .created:
        return "The contact was added to your contacts."
    case .adopted:
        return "Televisit found its contact for this patient and took it back."
    case .repaired:
        return "The contact had been changed on the phone; Televisit put it right."
    case .unchanged:
        return "The contact is in your contacts, as it should be."
    }
}
