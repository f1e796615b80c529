import Foundation
import TelevisitCore

/// Carries out the core's launch plan on iOS: each attempt in order, `UIApplication.open` for
/// `openUrl` steps, moving on when iOS cannot open one (WhatsApp missing, the scheme not
/// listed), and records every attempt with the core. Android steps never appear in an iOS plan;
/// one that did would be skipped as unsupported, never guessed at. The app opens URLs with
/// `UIApplication.open` (`init(televisit:)`, in LaunchPlanExecutor+UIKit.swift); the opener is
/// a parameter so that the rest runs, and is tested, without UIKit.
@MainActor
public final class LaunchPlanExecutor {
    public enum Outcome: Equatable, Sendable {
        /// An attempt opened; `instruction` is the core's next step for the clinician (on iOS:
        /// "tap the video button"), shown as it is.
        case opened(kind: AttemptKind, instruction: String?)
        /// Nothing opened; `message` says so plainly.
        case failed(message: String)
    }

    private let televisit: Televisit
    private let opener: @MainActor (URL) async -> Bool

    public init(televisit: Televisit, opener: @escaping @MainActor (URL) async -> Bool) {
        self.televisit = televisit
        self.opener = opener
    }

    public func run(_ plan: LaunchPlan) async -> Outcome {
        for attempt in plan.attempts {
            guard case let .openUrl(text, _) = attempt.step else {
                continue
            }
            guard let url = URL(string: text) else {
                record(plan, attempt.kind, succeeded: false)
                continue
            }
            let opened = await opener(url)
            record(plan, attempt.kind, succeeded: opened)
            if opened {
                return .opened(kind: attempt.kind, instruction: attempt.instruction)
            }
        }
        return .failed(
            message: "WhatsApp could not be opened on this iPhone. Check that WhatsApp is installed and signed in, then try again."
        )
    }

    /// A failure to record is not a reason to stop the call; the log shows the gap.
    private func record(_ plan: LaunchPlan, _ kind: AttemptKind, succeeded: Bool) {
        try? televisit.recordLaunch(id: plan.patient, attempt: kind, app: plan.app, succeeded: succeeded)
    }
}
