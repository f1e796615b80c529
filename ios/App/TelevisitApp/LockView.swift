import SwiftUI
import TelevisitShell

/// The app lock: Face ID, Touch ID or the passcode (LocalAuthentication). Failed attempts are
/// counted by the core, whose policy may wipe after too many.
@MainActor
struct LockView: View {
    @EnvironmentObject private var model: AppModel
    let message: String?
    @State private var working = false

    var body: some View {
        VStack(spacing: 20) {
            Image(systemName: "lock.shield")
                .font(.system(size: 56))
            Text("Televisit is locked")
                .font(.title2)
            if let message {
                Text(message)
                    .multilineTextAlignment(.center)
                    .foregroundStyle(.secondary)
            }
            Button {
                Task {
                    working = true
                    await model.unlock()
                    working = false
                }
            } label: {
                Label("Unlock", systemImage: "faceid")
            }
            .buttonStyle(.borderedProminent)
            .disabled(working)
            if !model.managedNotices.isEmpty {
                NoticeBanner(lines: model.managedNotices, systemImage: "building.2")
            }
        }
        .padding()
    }
}
