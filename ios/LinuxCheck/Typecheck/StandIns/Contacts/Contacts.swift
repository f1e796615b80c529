// Stand-in for Contacts (iOS 18.2 SDK): only what the shell uses, each declaration as Apple's
// documentation gives it. Compiled, never run. Linux does not enforce `@available(iOS …)`: the
// shell's use of `CNAuthorizationStatus.limited` (iOS 18.0) is guarded with `#available`, which
// is checked by reading (ios/README.md).
import Foundation

// MARK: - Store and authorization

/// Apple: `enum CNEntityType : Int, @unchecked Sendable` (iOS 9.0).
public enum CNEntityType: Int, Sendable {
    case contacts = 0
}

/// Apple: `enum CNAuthorizationStatus : Int, @unchecked Sendable` (iOS 9.0).
public enum CNAuthorizationStatus: Int, Sendable {
    case notDetermined = 0
    case restricted = 1
    case denied = 2
    case authorized = 3
    @available(iOS 18.0, *)
    case limited = 4
}

/// Apple: `class CNContactStore : NSObject` (iOS 9.0).
open class CNContactStore: NSObject {
    public override init() {}

    /// Apple: `class func authorizationStatus(for entityType: CNEntityType) -> CNAuthorizationStatus`.
    open class func authorizationStatus(for entityType: CNEntityType) -> CNAuthorizationStatus {
        fatalError("stand-in")
    }

    /// Apple: `func requestAccess(for entityType: CNEntityType,
    /// completionHandler: @escaping @Sendable (Bool, (any Error)?) -> Void)`.
    open func requestAccess(
        for entityType: CNEntityType,
        completionHandler: @escaping @Sendable (Bool, (any Error)?) -> Void
    ) { fatalError("stand-in") }

    /// The async form: `func requestAccess(for entityType: CNEntityType) async throws -> Bool`.
    open func requestAccess(for entityType: CNEntityType) async throws -> Bool { fatalError("stand-in") }

    /// Apple: `func unifiedContacts(matching predicate: NSPredicate, keysToFetch keys: [any CNKeyDescriptor]) throws -> [CNContact]`.
    open func unifiedContacts(matching predicate: NSPredicate, keysToFetch keys: [any CNKeyDescriptor]) throws -> [CNContact] {
        fatalError("stand-in")
    }

    /// Apple: `func unifiedContact(withIdentifier identifier: String, keysToFetch keys: [any CNKeyDescriptor]) throws -> CNContact`.
    open func unifiedContact(withIdentifier identifier: String, keysToFetch keys: [any CNKeyDescriptor]) throws -> CNContact {
        fatalError("stand-in")
    }

    /// Apple: `func enumerateContacts(with fetchRequest: CNContactFetchRequest,
    /// usingBlock block: (CNContact, UnsafeMutablePointer<ObjCBool>) -> Void) throws`.
    open func enumerateContacts(
        with fetchRequest: CNContactFetchRequest,
        usingBlock block: (CNContact, UnsafeMutablePointer<ObjCBool>) -> Void
    ) throws { fatalError("stand-in") }

    /// Apple: `func groups(matching predicate: NSPredicate?) throws -> [CNGroup]`.
    open func groups(matching predicate: NSPredicate?) throws -> [CNGroup] { fatalError("stand-in") }

    /// Apple: `func containers(matching predicate: NSPredicate?) throws -> [CNContainer]`.
    open func containers(matching predicate: NSPredicate?) throws -> [CNContainer] { fatalError("stand-in") }

    /// Apple: `func defaultContainerIdentifier() -> String`.
    open func defaultContainerIdentifier() -> String { fatalError("stand-in") }

    /// Apple: `func execute(_ saveRequest: CNSaveRequest) throws`.
    open func execute(_ saveRequest: CNSaveRequest) throws { fatalError("stand-in") }
}

// MARK: - Keys

/// Apple: `protocol CNKeyDescriptor : NSCopying, NSObjectProtocol, NSSecureCoding` (iOS 9.0),
/// to which `NSString` conforms (so `CNContactIdentifierKey as CNKeyDescriptor` bridges).
public protocol CNKeyDescriptor: NSObjectProtocol {}

extension NSString: CNKeyDescriptor {}

// Apple: `let CNContact…Key: String` (iOS 9.0).
public let CNContactIdentifierKey: String = "identifier"
public let CNContactPhoneNumbersKey: String = "phoneNumbers"
public let CNContactUrlAddressesKey: String = "urlAddresses"
public let CNContactNoteKey: String = "note"

/// Apple: `let CNLabelPhoneNumberMobile: String` (iOS 9.0).
public let CNLabelPhoneNumberMobile: String = "_$!<Mobile>!$_"

// MARK: - Contacts

/// Apple: `class CNContact : NSObject` (iOS 9.0), immutable; `NSCopying`, `NSMutableCopying`.
open class CNContact: NSObject {
    open var identifier: String { fatalError("stand-in") }
    open var givenName: String { fatalError("stand-in") }
    open var middleName: String { fatalError("stand-in") }
    open var familyName: String { fatalError("stand-in") }
    open var note: String { fatalError("stand-in") }
    open var phoneNumbers: [CNLabeledValue<CNPhoneNumber>] { fatalError("stand-in") }
    open var urlAddresses: [CNLabeledValue<NSString>] { fatalError("stand-in") }

    /// Apple: `func isKeyAvailable(_ key: String) -> Bool`.
    open func isKeyAvailable(_ key: String) -> Bool { fatalError("stand-in") }

    /// Apple: `class func predicateForContacts(matching phoneNumber: CNPhoneNumber) -> NSPredicate` (iOS 11.0).
    open class func predicateForContacts(matching phoneNumber: CNPhoneNumber) -> NSPredicate { fatalError("stand-in") }

    /// Apple: `class func predicateForContactsInGroup(withIdentifier groupIdentifier: String) -> NSPredicate`.
    open class func predicateForContactsInGroup(withIdentifier groupIdentifier: String) -> NSPredicate {
        fatalError("stand-in")
    }
}

/// Apple: `class CNMutableContact : CNContact` (iOS 9.0).
open class CNMutableContact: CNContact {
    public override init() {}
    open override var givenName: String { get { fatalError("stand-in") } set { fatalError("stand-in") } }
    open override var middleName: String { get { fatalError("stand-in") } set { fatalError("stand-in") } }
    open override var familyName: String { get { fatalError("stand-in") } set { fatalError("stand-in") } }
    open override var note: String { get { fatalError("stand-in") } set { fatalError("stand-in") } }
    open override var phoneNumbers: [CNLabeledValue<CNPhoneNumber>] {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }
    open override var urlAddresses: [CNLabeledValue<NSString>] {
        get { fatalError("stand-in") }
        set { fatalError("stand-in") }
    }
}

/// Apple: `class CNLabeledValue<ValueType> : NSObject where ValueType : NSCopying, ValueType : NSSecureCoding` (iOS 9.0).
open class CNLabeledValue<ValueType: NSCopying & NSSecureCoding>: NSObject {
    /// Apple: `convenience init(label: String?, value: ValueType)`.
    public init(label: String?, value: ValueType) { fatalError("stand-in") }
    open var label: String? { fatalError("stand-in") }
    open var value: ValueType { fatalError("stand-in") }
}

/// Apple: `class CNPhoneNumber : NSObject, NSCopying, NSSecureCoding` (iOS 9.0).
open class CNPhoneNumber: NSObject, NSCopying, NSSecureCoding {
    /// Apple: `convenience init(stringValue: String)`.
    public init(stringValue: String) { fatalError("stand-in") }
    open var stringValue: String { fatalError("stand-in") }

    public static var supportsSecureCoding: Bool { true }
    public required init?(coder: NSCoder) { fatalError("stand-in") }
    open func encode(with coder: NSCoder) { fatalError("stand-in") }
    open func copy(with zone: NSZone? = nil) -> Any { fatalError("stand-in") }
}

/// Apple: `enum CNContactFormatterStyle : Int, @unchecked Sendable` (iOS 9.0).
public enum CNContactFormatterStyle: Int, Sendable {
    case fullName = 0
    case phoneticFullName = 1
}

/// Apple: `class CNContactFormatter : Formatter` (iOS 9.0).
open class CNContactFormatter: Formatter {
    /// Apple: `class func descriptorForRequiredKeys(for style: CNContactFormatterStyle) -> any CNKeyDescriptor`.
    open class func descriptorForRequiredKeys(for style: CNContactFormatterStyle) -> any CNKeyDescriptor {
        fatalError("stand-in")
    }
    /// Apple: `class func string(from contact: CNContact, style: CNContactFormatterStyle) -> String?`.
    open class func string(from contact: CNContact, style: CNContactFormatterStyle) -> String? {
        fatalError("stand-in")
    }
}

/// Apple: `class CNContactFetchRequest : NSObject` (iOS 9.0).
open class CNContactFetchRequest: NSObject {
    /// Apple: `init(keysToFetch: [any CNKeyDescriptor])`.
    public init(keysToFetch: [any CNKeyDescriptor]) { fatalError("stand-in") }
    /// Apple: `var unifyResults: Bool { get set }`.
    open var unifyResults: Bool { get { fatalError("stand-in") } set { fatalError("stand-in") } }
}

// MARK: - Groups and containers

/// Apple: `class CNGroup : NSObject` (iOS 9.0).
open class CNGroup: NSObject {
    open var identifier: String { fatalError("stand-in") }
    open var name: String { fatalError("stand-in") }
    /// Apple: `class func predicateForGroupsInContainer(withIdentifier container: String) -> NSPredicate`.
    open class func predicateForGroupsInContainer(withIdentifier container: String) -> NSPredicate {
        fatalError("stand-in")
    }
}

/// Apple: `class CNMutableGroup : CNGroup` (iOS 9.0).
open class CNMutableGroup: CNGroup {
    public override init() {}
    open override var name: String { get { fatalError("stand-in") } set { fatalError("stand-in") } }
}

/// Apple: `enum CNContainerType : Int, @unchecked Sendable` (iOS 9.0).
public enum CNContainerType: Int, Sendable {
    case unassigned = 0
    case local = 1
    case exchange = 2
    case cardDAV = 3
}

/// Apple: `class CNContainer : NSObject` (iOS 9.0).
open class CNContainer: NSObject {
    open var identifier: String { fatalError("stand-in") }
    open var type: CNContainerType { fatalError("stand-in") }
    /// Apple: `class func predicateForContainers(withIdentifiers identifiers: [String]) -> NSPredicate`.
    open class func predicateForContainers(withIdentifiers identifiers: [String]) -> NSPredicate {
        fatalError("stand-in")
    }
}

// MARK: - Saving

/// Apple: `class CNSaveRequest : NSObject` (iOS 9.0).
open class CNSaveRequest: NSObject {
    public override init() {}
    /// Apple: `func add(_ contact: CNMutableContact, toContainerWithIdentifier identifier: String?)`.
    open func add(_ contact: CNMutableContact, toContainerWithIdentifier identifier: String?) { fatalError("stand-in") }
    /// Apple: `func update(_ contact: CNMutableContact)`.
    open func update(_ contact: CNMutableContact) { fatalError("stand-in") }
    /// Apple: `func delete(_ contact: CNMutableContact)`.
    open func delete(_ contact: CNMutableContact) { fatalError("stand-in") }
    /// Apple: `func add(_ group: CNMutableGroup, toContainerWithIdentifier identifier: String?)`.
    open func add(_ group: CNMutableGroup, toContainerWithIdentifier identifier: String?) { fatalError("stand-in") }
    /// Apple: `func addMember(_ contact: CNContact, to group: CNGroup)`.
    open func addMember(_ contact: CNContact, to group: CNGroup) { fatalError("stand-in") }
}

// MARK: - Errors

/// Apple: `struct CNError` (an error bridged from `CNErrorDomain`, iOS 9.0), with its `code`.
public struct CNError: Error, Hashable {
    /// Apple: `enum CNError.Code : Int, @unchecked Sendable`; the cases the shell matches and their neighbours.
    public enum Code: Int, Sendable {
        case communicationError = 1
        case dataAccessError = 2
        case authorizationDenied = 100
        case noAccessableWritableContainers = 101
        case unauthorizedKeys = 102
        case featureDisabledByUser = 103
        case featureNotAvailable = 104
        case recordDoesNotExist = 200
        case insertedRecordAlreadyExists = 201
        case containmentCycle = 202
        case containmentScope = 203
        case parentRecordDoesNotExist = 204
        case recordIdentifierInvalid = 205
        case recordNotWritable = 206
        case parentContainerNotWritable = 207
        case validationMultipleErrors = 300
        case validationTypeMismatch = 301
        case validationConfigurationError = 302
        case predicateInvalid = 400
        case policyViolation = 500
        case clientIdentifierInvalid = 600
        case clientIdentifierDoesNotExist = 601
        case clientIdentifierCollision = 602
        case changeHistoryExpired = 603
        case changeHistoryInvalidAnchor = 604
        case changeHistoryInvalidFetchRequest = 605
        case vCardMalformed = 700
        case vCardSummarizationError = 701
    }

    /// Apple: `var code: CNError.Code { get }` (from `_BridgedStoredNSError`).
    public var code: Code { fatalError("stand-in") }
}
