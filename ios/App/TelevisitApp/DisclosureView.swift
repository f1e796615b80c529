import SwiftUI
import TelevisitCore

/// The first-call disclosure: WhatsApp shows the clinician's own number to the patient, and
/// nothing can hide it. The words are the core's (`disclosureText()`); acknowledging is logged.
@MainActor
struct DisclosureView: View {
    @Environment(\.dismiss) private var dismiss
    let onAcknowledge: () -> Void

    var body: some View {
        NavigationStack {
            ScrollView {
                VStack(alignment: .leading, spacing: 16) {
                    Image(systemName: "exclamationmark.bubble")
                        .font(.largeTitle)
                    Text(disclosureText())
                        .font(.body)
                }
                .padding()
            }
            .navigationTitle("Before your first call")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Not now") { dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("I understand") {
                        onAcknowledge()
                        dismiss()
                    }
                }
            }
        }
    }
}
