import SwiftUI
import TelevisitShell
import UIKit

@main
struct TelevisitApp: App {
    @StateObject private var model: AppModel
    @Environment(\.scenePhase) private var scenePhase

    init() {
        let model = AppModel()
        _model = StateObject(wrappedValue: model)
        // Before launch finishes, as BGTaskScheduler requires: the check-in that lets a wipe
        // run while nobody opens the app.
        BackgroundCheckIn.register(
            databasePath: { try? AppModel.databasePath() },
            secrets: model.secrets,
            book: model.book,
            managed: model.managed,
            relay: model.relay,
            whileOpen: { await model.checkInIfOpen() }
        )
        BackgroundCheckIn.schedule()
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .task {
                    model.start()
                }
                .onChange(of: scenePhase) { phase in
                    model.scenePhaseChanged(to: phase)
                }
                .onReceive(NotificationCenter.default.publisher(for: UIApplication.protectedDataDidBecomeAvailableNotification)) { _ in
                    model.protectedDataBecameAvailable()
                }
        }
    }
}
