import SwiftUI
import TelevisitShell
import UIKit

@main
struct TelevisitApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var scenePhase

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
