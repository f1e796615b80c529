import SwiftUI
import TelevisitCore
import TelevisitShell

/// WhatsApp's privacy settings, item by item, with the iPhone path; the clinician confirms each
/// (no app can read WhatsApp's settings). What the phone can tell comes pre-answered. The run
/// survives a restart; finishing shows each deviation with its fix.
@MainActor
struct ChecklistView: View {
    @EnvironmentObject private var model: AppModel
    @State private var status: ChecklistStatus? = nil
    @State private var run: ChecklistRun? = nil
    @State private var result: ChecklistResult? = nil
    @State private var error: ScreenError? = nil

    var body: some View {
        List {
            Section {
                Text(statusText)
                if run == nil {
                    Button(status == .never ? "Start the checklist" : "Check again") { start() }
                }
            }
            if let run {
                ForEach(run.items, id: \.item.id) { item in
                    Section(item.item.title) {
                        ChecklistItemRow(item: item) { value in
                            answer(item.item.id, value)
                        }
                    }
                }
                Section {
                    if run.kind == .reconfirm && !run.attestedUnchanged {
                        // A re-confirmation asks only what changed; the rest is kept from the
                        // last check (each answer above can still be changed) and attested once.
                        Button("Nothing else has changed since my last check") { attest() }
                    }
                    Button("Finish") { finish() }
                        .disabled(
                            run.items.contains { $0.answer == nil && !isNotChecked($0.required) }
                                || (run.kind == .reconfirm && !run.attestedUnchanged)
                        )
                }
            }
            if let result {
                Section(result.compliant ? "All settings as your organisation requires" : "To change") {
                    if result.deviations.isEmpty {
                        Label("Nothing to change.", systemImage: "checkmark.seal")
                    }
                    ForEach(result.deviations, id: \.itemId) { deviation in
                        VStack(alignment: .leading, spacing: 4) {
                            Text(deviation.title).font(.headline)
                            Text(deviation.instruction).font(.callout)
                        }
                    }
                }
            }
        }
        .navigationTitle("Privacy checklist")
        .onAppear(perform: reload)
        .alert(item: $error) { error in
            Alert(title: Text("Checklist"), message: Text(error.message))
        }
    }

    private var statusText: String {
        switch status {
        case .current?:
            return "Your WhatsApp privacy settings were checked recently and are as required."
        case .reconfirm?:
            return "WhatsApp was updated or a month has passed: confirm what changed. Your other answers are kept."
        case .due?:
            return "It is time to check your WhatsApp privacy settings again."
        case .never?:
            return "Your WhatsApp privacy settings have not been checked yet. Calls need this first."
        case nil:
            return ""
        }
    }

    private func reload() {
        let device = model.device()
        if case let .success(found) = model.perform({ try $0.checklistStatus(device: device) }) {
            status = found
        }
        switch model.perform({ try $0.checklistRun() }) {
        case let .success(current):
            run = current
        case let .failure(failure):
            error = failure
        }
    }

    private func start() {
        let device = model.device()
        result = nil
        switch model.perform({ try $0.checklistStart(platform: .ios, device: device) }) {
        case let .success(started):
            run = started
        case let .failure(failure):
            error = failure
        }
    }

    private func answer(_ itemId: String, _ value: String) {
        switch model.perform({ try $0.checklistAnswer(itemId: itemId, value: value) }) {
        case let .success(updated):
            run = updated
        case let .failure(failure):
            error = failure
        }
    }

    private func attest() {
        switch model.perform({ try $0.checklistAttestUnchanged() }) {
        case let .success(updated):
            run = updated
        case let .failure(failure):
            error = failure
        }
    }

    private func finish() {
        switch model.perform({ try $0.checklistFinish() }) {
        case let .success(finished):
            result = finished
            run = nil
            reload()
        case let .failure(failure):
            error = failure
        }
    }
}

func isNotChecked(_ requirement: Requirement) -> Bool {
    if case .notChecked = requirement {
        return true
    }
    return false
}

@MainActor
struct ChecklistItemRow: View {
    let item: RunItem
    let onAnswer: (String) -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text(item.path)
                .font(.callout)
            Text(item.item.why)
                .font(.footnote)
                .foregroundStyle(.secondary)
            Text(requiredText)
                .font(.footnote)
            if item.preAnswered {
                Label("Answered by the phone: \(label(for: item.answer))", systemImage: "iphone")
                    .font(.footnote)
            } else {
                if item.covered {
                    Label("Covered by Strict account settings", systemImage: "lock.shield")
                        .font(.footnote)
                } else if item.carried {
                    Label("As at your last check", systemImage: "clock.arrow.circlepath")
                        .font(.footnote)
                }
                // Binding's closures are `@isolated(any) @Sendable`: isolated to the main actor,
                // where SwiftUI calls them and where `onAnswer` may run.
                Picker("Your setting", selection: Binding(
                    get: { @MainActor in item.answer ?? "" },
                    set: { @MainActor value in
                        if !value.isEmpty {
                            onAnswer(value)
                        }
                    }
                )) {
                    Text("Choose").tag("")
                    ForEach(item.item.choices, id: \.value) { choice in
                        Text(choice.label).tag(choice.value)
                    }
                }
            }
        }
    }

    private var requiredText: String {
        switch item.required {
        case let .one(value):
            return "Required: \(label(for: value))"
        case let .anyOf(values):
            return "Required: one of \(values.map { label(for: $0) }.joined(separator: ", "))"
        case .notChecked:
            return "Not checked by your organisation (recommended: \(label(for: item.item.recommended)))"
        }
    }

    private func label(for value: String?) -> String {
        guard let value else {
            return "not answered"
        }
        return item.item.choices.first { $0.value == value }?.label ?? value
    }
}
