import SwiftUI
import TelevisitCore
import TelevisitShell

/// The periodic cleanup of patient contacts: a dry run first (each contact due, with its
/// reasons), lookalikes apart (contacts named like patients that Televisit did not make,
/// deleted only when ticked one by one), then the delete and its report. Above it, where
/// cleanup stands on this iPhone, counted by the core as IT's fleet view reads it.
@MainActor
struct CleanupView: View {
    @EnvironmentObject private var model: AppModel
    @State private var plan: CleanupPlan? = nil
    @State private var confirmed = Set<String>()
    @State private var report: CleanupReport? = nil
    @State private var error: ScreenError? = nil
    @State private var confirming = false
    @State private var state: CleanupState? = nil
    @State private var automatic = false

    var body: some View {
        List {
            ContactsAccessSection()
            if let state {
                Section {
                    Text(state.summary)
                    if let run = state.lastRun, let end = state.lastEnd {
                        Text("Last cleanup: \(run.formatted(date: .abbreviated, time: .shortened)) (\(CleanupCheckIn.describe(end)))")
                    } else {
                        Text("Cleanup has not run on this iPhone yet.")
                    }
                } header: {
                    Text("On this iPhone (what IT's fleet view reads)")
                } footer: {
                    Text(automatic
                        ? "Automatic cleanup is on: each background check-in removes this iPhone's own contacts that are due. Contacts Televisit did not make wait for you here."
                        : "Automatic cleanup is off: IT's policy leaves cleanup to staff.")
                }
            }
            Section {
                Button("Find contacts to remove") { makePlan() }
            } footer: {
                Text("Nothing is deleted until you confirm.")
            }
            if let plan {
                Section("Patient contacts due for removal (\(plan.remove.count))") {
                    if plan.remove.isEmpty {
                        Text("None are due.").foregroundStyle(.secondary)
                    }
                    ForEach(plan.remove, id: \.platformId) { removal in
                        VStack(alignment: .leading, spacing: 4) {
                            Text(removal.contactName)
                            Text(removal.reasons.map(reasonText).joined(separator: "; "))
                                .font(.footnote)
                                .foregroundStyle(.secondary)
                        }
                    }
                }
                if !plan.lookalikes.isEmpty {
                    Section {
                        ForEach(plan.lookalikes, id: \.platformId) { lookalike in
                            // Binding's closures are `@isolated(any) @Sendable`: isolated to
                            // the main actor, which owns `confirmed`.
                            Toggle(lookalike.displayName, isOn: Binding(
                                get: { @MainActor in confirmed.contains(lookalike.platformId) },
                                set: { @MainActor on in
                                    if on {
                                        confirmed.insert(lookalike.platformId)
                                    } else {
                                        confirmed.remove(lookalike.platformId)
                                    }
                                }
                            ))
                        }
                    } header: {
                        Text("Named like patients, not made by Televisit")
                    } footer: {
                        Text("These were made by hand. Tick only those you know are patient contacts to delete.")
                    }
                }
                Section {
                    Button("Delete now", role: .destructive) { confirming = true }
                        .disabled(plan.remove.isEmpty && confirmed.isEmpty)
                }
            }
            if let report {
                Section("Done") {
                    Text("Deleted \(report.deleted), already gone \(report.alreadyGone), failed \(report.failed).")
                    ForEach(Array(report.results.enumerated()), id: \.offset) { _, result in
                        if case let .failed(reason) = result.outcome {
                            Text("Not deleted: \(reason). The next cleanup tries again.")
                                .font(.footnote)
                        }
                    }
                }
            }
        }
        .navigationTitle("Cleanup")
        .confirmationDialog("Delete these contacts from your iPhone?", isPresented: $confirming, titleVisibility: .visible) {
            Button("Delete", role: .destructive) { apply() }
        }
        .alert(item: $error) { error in
            Alert(title: Text("Cleanup"), message: Text(error.message))
        }
    }

    /// The dry run walks the whole address book: off the main thread. The counts come with it.
    private func makePlan() {
        report = nil
        confirmed = []
        let book = model.book
        Task {
            switch await model.performInBackground({ store in
                (try store.cleanupState(book: book), try store.policy().contacts.cleanupAutomatic, try store.cleanupPlan(book: book, rules: nil))
            }) {
            case let .success((counted, isAutomatic, made)):
                state = counted
                automatic = isAutomatic
                plan = made
            case let .failure(failure):
                error = failure
            }
        }
    }

    private func apply() {
        guard let plan else {
            return
        }
        let lookalikes = Array(confirmed)
        let book = model.book
        Task {
            switch await model.performInBackground({ try $0.cleanupApply(book: book, plan: plan, confirmedLookalikes: lookalikes) }) {
            case let .success(done):
                report = done
                self.plan = nil
            case let .failure(failure):
                error = failure
            }
        }
    }
}

func reasonText(_ reason: RemovalReason) -> String {
    switch reason {
    case let .notUsedFor(days):
        return "not used for \(days) days"
    case .visitDone:
        return "visit done"
    case .patientArchived:
        return "patient archived"
    case .consentRevoked:
        return "consent revoked"
    case .consentDeclined:
        return "consent declined"
    case .earlierDeleteFailed:
        return "an earlier delete failed"
    case .orphaned:
        return "marked as Televisit's but not in its records"
    }
}
