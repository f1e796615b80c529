import SwiftUI
import TelevisitCore
import TelevisitShell
import UIKit

/// Starting, a problem, the lock, the wipe's end, or the five tabs; with a privacy cover
/// whenever the app is not active, so the app switcher never shows a patient.
@MainActor
struct RootView: View {
    @EnvironmentObject private var model: AppModel

    var body: some View {
        ZStack {
            content
            if model.covered {
                PrivacyCover()
            }
        }
    }

    @ViewBuilder
    private var content: some View {
        switch model.phase {
        case .starting:
            ProgressView("Opening Televisit…")
        case let .problem(message, retry):
            ProblemView(message: message, retry: retry)
        case let .locked(message):
            LockView(message: message)
        case let .wiped(message, receipt):
            WipedView(message: message, receipt: receipt)
        case .ready:
            MainTabs()
        }
    }
}

@MainActor
struct MainTabs: View {
    @EnvironmentObject private var model: AppModel

    var body: some View {
        TabView {
            NavigationStack { PatientsView() }
                .tabItem { Label("Patients", systemImage: "person.2") }
            NavigationStack { ChecklistView() }
                .tabItem { Label("Checklist", systemImage: "checklist") }
            NavigationStack { CleanupView() }
                .tabItem { Label("Cleanup", systemImage: "trash") }
            NavigationStack { LogView() }
                .tabItem { Label("Log", systemImage: "list.bullet.rectangle") }
            NavigationStack { SettingsView() }
                .tabItem { Label("Settings", systemImage: "gear") }
        }
        // Any tap is activity: the core decides whether the app is still unlocked.
        .simultaneousGesture(TapGesture().onEnded { model.touch() })
        .safeAreaInset(edge: .top) {
            if !model.blockedReasons.isEmpty {
                NoticeBanner(lines: model.blockedReasons, systemImage: "exclamationmark.octagon")
            }
        }
        // What automatic cleanup did while the app was closed: once, after unlock, never as a
        // notification a lock screen would show.
        .alert("Cleanup while the app was closed", isPresented: Binding(
            get: { @MainActor in model.cleanupSummary != nil },
            set: { @MainActor presented in if !presented { model.cleanupSummarySeen() } }
        )) {
            Button("OK") { model.cleanupSummarySeen() }
        } message: {
            Text(model.cleanupSummary.map(CleanupCheckIn.describe) ?? "")
        }
    }
}

@MainActor
struct NoticeBanner: View {
    let lines: [String]
    let systemImage: String

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            ForEach(lines, id: \.self) { line in
                Label(line, systemImage: systemImage)
                    .font(.footnote)
            }
        }
        .frame(maxWidth: .infinity, alignment: .leading)
        .padding(10)
        .background(.thinMaterial)
    }
}

@MainActor
struct ProblemView: View {
    @EnvironmentObject private var model: AppModel
    let message: String
    let retry: Bool

    var body: some View {
        VStack(spacing: 16) {
            Image(systemName: "exclamationmark.triangle")
                .font(.largeTitle)
            Text(message)
                .multilineTextAlignment(.center)
            if retry {
                Button("Try again") { model.start() }
                    .buttonStyle(.borderedProminent)
            }
        }
        .padding()
    }
}

@MainActor
struct WipedView: View {
    let message: String
    let receipt: String?

    var body: some View {
        VStack(spacing: 16) {
            Image(systemName: "checkmark.shield")
                .font(.largeTitle)
            Text(message)
                .multilineTextAlignment(.center)
            if let receipt {
                ShareLink(item: receipt) {
                    Label("Share the wipe receipt", systemImage: "square.and.arrow.up")
                }
                Button("Copy the wipe receipt") {
                    UIPasteboard.general.string = receipt
                }
            }
        }
        .padding()
    }
}

@MainActor
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Rectangle().fill(.background)
            Label("Televisit", systemImage: "lock.shield")
                .font(.title2)
        }
        .ignoresSafeArea()
    }
}
