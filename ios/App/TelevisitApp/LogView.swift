import SwiftUI
import TelevisitCore
import TelevisitShell

/// The activity log, newest first, with the chain check. Entries carry opaque ids only.
@MainActor
struct LogView: View {
    @EnvironmentObject private var model: AppModel
    @State private var entries: [LogEntry] = []
    @State private var verification: Verification? = nil
    @State private var error: ScreenError? = nil

    var body: some View {
        List {
            Section {
                Button("Check the log's chain") { verify() }
                if let verification {
                    Label(verificationText(verification), systemImage: isIntact(verification) ? "checkmark.seal" : "xmark.seal")
                        .foregroundStyle(isIntact(verification) ? Color.primary : Color.red)
                }
            }
            Section("Latest \(entries.count)") {
                ForEach(entries, id: \.seq) { entry in
                    VStack(alignment: .leading, spacing: 2) {
                        Text("#\(entry.seq) \(kindText(entry.kind))")
                        Text(line(for: entry))
                            .font(.caption)
                            .foregroundStyle(.secondary)
                    }
                }
            }
        }
        .navigationTitle("Activity log")
        .onAppear(perform: reload)
        .refreshable { await reload() }
        .alert(item: $error) { error in
            Alert(title: Text("Log"), message: Text(error.message))
        }
    }

    private func reload() {
        let query = LogQuery(since: nil, until: nil, kinds: [], patient: nil, limit: 200, newestFirst: true)
        switch model.perform({ try $0.logList(query: query) }) {
        case let .success(found):
            entries = found
        case let .failure(failure):
            error = failure
        }
    }

    private func verify() {
        switch model.perform({ try $0.logVerify() }) {
        case let .success(result):
            verification = result
        case let .failure(failure):
            error = failure
        }
    }

    private func line(for entry: LogEntry) -> String {
        var parts = [entry.at.formatted(date: .abbreviated, time: .standard), actorText(entry.actor)]
        if let patient = entry.patient {
            parts.append(patient)
        }
        for key in entry.detail.keys.sorted() {
            guard let value = entry.detail[key] else {
                continue
            }
            switch value {
            case let .flag(flag):
                parts.append("\(key)=\(flag)")
            case let .number(number):
                parts.append("\(key)=\(number)")
            case let .code(code):
                parts.append("\(key)=\(code)")
            }
        }
        return parts.joined(separator: " · ")
    }
}

func isIntact(_ verification: Verification) -> Bool {
    if case .intact = verification {
        return true
    }
    return false
}

func verificationText(_ verification: Verification) -> String {
    switch verification {
    case let .intact(count, _, _):
        return "Intact: \(count) entries, none changed, removed, inserted or reordered."
    case let .broken(seq, problem):
        return "Broken at entry #\(seq): \(tamperText(problem)). Tell your IT team."
    }
}

/// The core's words for a finding (`tamperDescription`): the shell never words it twice.
func tamperText(_ tamper: Tamper) -> String {
    tamperDescription(problem: tamper)
}

func actorText(_ actor: TelevisitCore.Actor) -> String {
    switch actor {
    case .clinician:
        return "clinician"
    case .staff:
        return "staff"
    case .it:
        return "IT"
    case .system:
        return "system"
    }
}

/// `consentRecorded` → "consent recorded": the kind's own name, spelled out.
func kindText(_ kind: EntryKind) -> String {
    let name = String(describing: kind)
    var words = ""
    for character in name {
        if character.isUppercase {
            words.append(" ")
            words.append(Character(character.lowercased()))
        } else {
            words.append(character)
        }
    }
    return words
}
