import Contacts
import Foundation
import TelevisitCore

/// The core's `ContactBook` on iOS, over `CNContactStore`.
///
/// - Contacts go into the default container, and into a `Televisit` group there when the
///   container keeps groups (Exchange containers do not; then there is no group).
/// - Every contact carries Televisit's marker (`televisit:pt_…`, no name or number): in a URL
///   field labelled `Televisit` always, and in the note as well when the app holds Apple's
///   `com.apple.developer.contacts.notes` entitlement (Info.plist `TelevisitContactNotesEntitled`
///   = YES). Without that entitlement iOS refuses both reading and writing notes.
/// - The core's own record of each contact is what cleanup trusts; group and marker only help.
/// - iOS 18's limited access: contacts this app creates are shared with it; contacts made by
///   hand outside the clinician's selection are invisible, so cleanup cannot see lookalikes there.
///
/// Errors carry only codes, never a contact's name or number.
public final class ContactStoreBook: ContactBook, @unchecked Sendable {
    public static let groupName = "Televisit"
    public static let markerLabel = "Televisit"
    public static let notesEntitlementInfoKey = "TelevisitContactNotesEntitled"

    private let store: CNContactStore
    private let notesEntitled: Bool
    private let lock = NSLock()
    private var groupLookedUp = false
    private var group: CNGroup?

    public init(store: CNContactStore = CNContactStore(), notesEntitled: Bool? = nil) {
        self.store = store
        self.notesEntitled = notesEntitled ?? ContactStoreBook.notesEntitledByInfoPlist()
    }

    public static func notesEntitledByInfoPlist() -> Bool {
        (Bundle.main.object(forInfoDictionaryKey: notesEntitlementInfoKey) as? Bool) ?? false
    }

    // MARK: - Access

    public enum Access: Equatable, Sendable {
        case full
        case limited
        case notDetermined
        case denied
        case restricted

        /// What the shell shows; `nil` when nothing needs saying.
        public var message: String? {
            switch self {
            case .full:
                return nil
            case .limited:
                return "Televisit can see only the contacts you chose to share with it. The patient contacts it creates are shared with it automatically, but cleanup cannot find contacts named like patients that were made by hand outside your selection. To change this: Settings > Apps > Televisit > Contacts."
            case .notDetermined:
                return "Televisit needs access to your contacts: WhatsApp calls only people in them."
            case .denied:
                return "Contacts access is off, so Televisit cannot add patients as contacts for WhatsApp. Turn it on in Settings > Privacy & Security > Contacts > Televisit."
            case .restricted:
                return "Contacts access is restricted on this iPhone (Screen Time or a device profile). Ask your IT team."
            }
        }
    }

    public static func access() -> Access {
        let status = CNContactStore.authorizationStatus(for: .contacts)
        if #available(iOS 18.0, *), status == .limited {
            return .limited
        }
        switch status {
        case .authorized:
            return .full
        case .notDetermined:
            return .notDetermined
        case .restricted:
            return .restricted
        case .denied:
            return .denied
        default:
            // `.limited` (iOS 18) is matched above, where the SDK has it; a status newer than
            // this code is not full access, so it is treated as limited: creating and calling
            // still work, cleanup says what it cannot see.
            return .limited
        }
    }

    /// Asks once (iOS shows its own prompt, or on iOS 18 its limited-access picker); afterwards
    /// returns what was decided. Never throws: a refusal is an `Access`.
    public func requestAccess() async -> Access {
        if ContactStoreBook.access() == .notDetermined {
            _ = try? await store.requestAccess(for: .contacts)
        }
        return ContactStoreBook.access()
    }

    private func ensureAccess() throws {
        switch ContactStoreBook.access() {
        case .full, .limited:
            return
        case .notDetermined:
            throw ContactBookError.PermissionDenied(reason: "contacts access has not been granted yet")
        case .denied:
            throw ContactBookError.PermissionDenied(reason: "contacts access is off in Settings")
        case .restricted:
            throw ContactBookError.PermissionDenied(reason: "contacts access is restricted on this device")
        }
    }

    // MARK: - ContactBook

    public func create(card: ContactCard) throws -> String {
        try ensureAccess()
        let contact = CNMutableContact()
        apply(card, to: contact)
        let request = CNSaveRequest()
        request.add(contact, toContainerWithIdentifier: nil)
        try execute(request)
        // The group is a convenience for people browsing Contacts; the marker note and the
        // core's record are what cleanup trusts. So membership is a request of its own: if it
        // fails (a container that keeps no groups, limited access), the contact stays.
        if let group = televisitGroup() {
            let membership = CNSaveRequest()
            membership.addMember(contact, to: group)
            try? store.execute(membership)
        }
        return contact.identifier
    }

    public func update(platformId: String, card: ContactCard) throws {
        try ensureAccess()
        guard let existing = try fetch(platformId) else {
            throw ContactBookError.NotFound
        }
        guard let contact = existing.mutableCopy() as? CNMutableContact else {
            throw ContactBookError.Failed(reason: "the contact could not be edited")
        }
        apply(card, to: contact)
        let request = CNSaveRequest()
        request.update(contact)
        try execute(request)
    }

    public func delete(platformIds: [String]) throws -> [DeleteOutcome] {
        try ensureAccess()
        return platformIds.map { id in
            do {
                guard let existing = try fetch(id), let contact = existing.mutableCopy() as? CNMutableContact else {
                    return .notFound
                }
                let request = CNSaveRequest()
                request.delete(contact)
                try execute(request)
                return .deleted
            } catch let error as ContactBookError {
                return .failed(reason: ContactStoreBook.reason(error))
            } catch {
                return .failed(reason: ContactStoreBook.describe(error))
            }
        }
    }

    public func get(platformId: String) throws -> BookContact? {
        try ensureAccess()
        return try fetch(platformId).map(bookContact)
    }

    public func list(scope: ListScope) throws -> [BookContact] {
        try ensureAccess()
        var members = Set<String>()
        if scope == .owned, let group = televisitGroup() {
            let predicate = CNContact.predicateForContactsInGroup(withIdentifier: group.identifier)
            let inGroup = (try? store.unifiedContacts(matching: predicate, keysToFetch: [CNContactIdentifierKey as CNKeyDescriptor])) ?? []
            members = Set(inGroup.map(\.identifier))
        }
        var found: [BookContact] = []
        let request = CNContactFetchRequest(keysToFetch: keys)
        request.unifyResults = true
        do {
            try store.enumerateContacts(with: request) { contact, _ in
                let entry = self.bookContact(contact)
                if scope == .all || entry.marker != nil || members.contains(contact.identifier) {
                    found.append(entry)
                }
            }
        } catch {
            throw ContactStoreBook.mapped(error)
        }
        return found
    }

    public func findByPhone(e164: String) throws -> [BookContact] {
        try ensureAccess()
        let predicate = CNContact.predicateForContacts(matching: CNPhoneNumber(stringValue: e164))
        do {
            return try store.unifiedContacts(matching: predicate, keysToFetch: keys).map(bookContact)
        } catch {
            throw ContactStoreBook.mapped(error)
        }
    }

    // MARK: - Helpers

    private var keys: [CNKeyDescriptor] {
        var keys: [CNKeyDescriptor] = [
            CNContactIdentifierKey as CNKeyDescriptor,
            CNContactPhoneNumbersKey as CNKeyDescriptor,
            CNContactUrlAddressesKey as CNKeyDescriptor,
            CNContactFormatter.descriptorForRequiredKeys(for: .fullName),
        ]
        if notesEntitled {
            keys.append(CNContactNoteKey as CNKeyDescriptor)
        }
        return keys
    }

    /// The whole contact name goes in the given name, so that iOS and WhatsApp show exactly the
    /// name the core chose (`Patient Susan Smith`), whatever the phone's name order.
    private func apply(_ card: ContactCard, to contact: CNMutableContact) {
        contact.givenName = card.displayName
        contact.middleName = ""
        contact.familyName = ""
        contact.phoneNumbers = [
            CNLabeledValue(label: CNLabelPhoneNumberMobile, value: CNPhoneNumber(stringValue: card.phone)),
        ]
        var urls = contact.isKeyAvailable(CNContactUrlAddressesKey) ? contact.urlAddresses : []
        urls.removeAll { $0.label == ContactStoreBook.markerLabel }
        urls.append(CNLabeledValue(label: ContactStoreBook.markerLabel, value: card.marker as NSString))
        contact.urlAddresses = urls
        if notesEntitled {
            contact.note = card.marker
        }
    }

    private func fetch(_ id: String) throws -> CNContact? {
        do {
            return try store.unifiedContact(withIdentifier: id, keysToFetch: keys)
        } catch let error as CNError where error.code == .recordDoesNotExist {
            return nil
        } catch {
            throw ContactStoreBook.mapped(error)
        }
    }

    private func execute(_ request: CNSaveRequest) throws {
        do {
            try store.execute(request)
        } catch {
            throw ContactStoreBook.mapped(error)
        }
    }

    private func bookContact(_ contact: CNContact) -> BookContact {
        let name = CNContactFormatter.string(from: contact, style: .fullName) ?? ""
        let phones = contact.isKeyAvailable(CNContactPhoneNumbersKey)
            ? contact.phoneNumbers.map { ContactStoreBook.normalized($0.value.stringValue) }
            : []
        return BookContact(platformId: contact.identifier, displayName: name, phones: phones, marker: marker(of: contact))
    }

    private func marker(of contact: CNContact) -> String? {
        if notesEntitled, contact.isKeyAvailable(CNContactNoteKey) {
            let note = contact.note.trimmingCharacters(in: .whitespacesAndNewlines)
            if note.hasPrefix("televisit:") {
                return note.components(separatedBy: .newlines).first
            }
        }
        guard contact.isKeyAvailable(CNContactUrlAddressesKey) else {
            return nil
        }
        let tagged = contact.urlAddresses.first { $0.label == ContactStoreBook.markerLabel }
        return tagged.map { $0.value as String }
    }

    /// The core keeps and compares E.164; the phone may show `+44 7700 900123`.
    static func normalized(_ phone: String) -> String {
        let trimmed = phone.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.filter(\.isASCII).filter(\.isNumber)
        return trimmed.hasPrefix("+") ? "+" + digits : digits
    }

    /// The `Televisit` group of the default container, made on first use; nil when the
    /// container keeps no groups (Exchange) or groups cannot be read (limited access).
    private func televisitGroup() -> CNGroup? {
        lock.lock()
        defer { lock.unlock() }
        if groupLookedUp {
            return group
        }
        // Under iOS 18's limited access groups cannot be read: looking for ours would find none
        // and make a new "Televisit" group at every launch. No group then, and nothing
        // remembered: once the clinician grants full access, the next contact finds or makes it.
        if ContactStoreBook.access() != .full {
            return nil
        }
        groupLookedUp = true
        let containerId = store.defaultContainerIdentifier()
        let predicate = CNContainer.predicateForContainers(withIdentifiers: [containerId])
        if let container = (try? store.containers(matching: predicate))?.first, container.type == .exchange {
            return nil
        }
        let inContainer = CNGroup.predicateForGroupsInContainer(withIdentifier: containerId)
        if let existing = (try? store.groups(matching: inContainer))?.first(where: { $0.name == ContactStoreBook.groupName }) {
            group = existing
            return existing
        }
        let made = CNMutableGroup()
        made.name = ContactStoreBook.groupName
        let request = CNSaveRequest()
        request.add(made, toContainerWithIdentifier: containerId)
        do {
            try store.execute(request)
            group = made
        } catch {
            group = nil
        }
        return group
    }

    static func mapped(_ error: Error) -> ContactBookError {
        if let error = error as? CNError, error.code == .authorizationDenied {
            return .PermissionDenied(reason: "contacts access was withdrawn")
        }
        return .Failed(reason: describe(error))
    }

    static func reason(_ error: ContactBookError) -> String {
        switch error {
        case .NotFound:
            return "the contact is no longer there"
        case let .PermissionDenied(reason), let .Failed(reason):
            return reason
        }
    }

    /// The error's domain and code only: Contacts' own descriptions may quote a contact.
    static func describe(_ error: Error) -> String {
        let error = error as NSError
        return "\(error.domain) error \(error.code)"
    }
}
