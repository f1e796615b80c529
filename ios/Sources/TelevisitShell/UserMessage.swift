import Foundation
import TelevisitCore

/// The core's typed errors as sentences for the clinician. The core's own message comes first
/// (it names no patient and no number); where the clinician can do something, a second
/// sentence says what. Errors that are not the core's get a generic sentence, never their text.
public enum UserMessage {
    public static func text(for error: Error) -> String {
        guard let error = error as? TelevisitError else {
            if let error = error as? ContactBookError {
                return contactBookText(error)
            }
            return "Something went wrong on this iPhone. Try again; if it keeps happening, tell your IT team."
        }
        switch error {
        case let .WrongKey(message), let .NotADatabase(message), let .KeyMissing(message), let .DatabaseMissing(message):
            return "\(sentence(message)) Televisit left its file untouched. Tell your IT team before deleting the app."
        case let .Corrupted(message):
            return "\(sentence(message)) Televisit left its file untouched. Tell your IT team."
        case let .Locked(message):
            return "\(sentence(message)) Close other copies of Televisit and try again."
        case let .DiskFull(message):
            return "\(sentence(message)) Free some space on this iPhone, then try again."
        case let .ReadOnly(message), let .CannotOpen(message):
            return "\(sentence(message)) Restart the iPhone and try again."
        case let .NewerSchema(message):
            return "\(sentence(message)) Update Televisit from the App Store or your organisation's app catalogue."
        case let .SecretStore(message):
            return "\(sentence(message)) If the iPhone restarted, unlock it, then try again."
        case let .LogBroken(message):
            return "\(sentence(message)) Tell your IT team."
        case let .InvalidInput(message), let .CallBlocked(message), let .Blocked(message),
             let .WipeRefused(message), let .OtherOrganisation(message), let .PolicyOutdated(message),
             let .NotFound(message), let .ContactBook(message), let .Storage(message):
            return sentence(message)
        }
    }

    /// Whether trying the same thing again may help (the problem screen's "Try again").
    public static func isTransient(_ error: Error) -> Bool {
        guard let error = error as? TelevisitError else {
            return true
        }
        switch error {
        case .Locked, .DiskFull, .ReadOnly, .CannotOpen, .SecretStore, .Storage:
            return true
        default:
            return false
        }
    }

    public static func contactBookText(_ error: ContactBookError) -> String {
        switch error {
        case .NotFound:
            return "The contact is no longer in the phone's contacts."
        case let .PermissionDenied(reason):
            return "Contacts access was not granted (\(reason)). Turn it on in Settings > Privacy & Security > Contacts > Televisit."
        case let .Failed(reason):
            return "The phone's contacts failed (\(reason)). Try again."
        }
    }

    /// The core's messages start in lower case ("the database key is missing"): capitalised and
    /// ended with a full stop, they read as sentences.
    static func sentence(_ message: String) -> String {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.first else {
            return "Something went wrong."
        }
        let capitalised = first.uppercased() + trimmed.dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}
