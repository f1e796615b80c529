//! The catalog: every setting the checklist asks about, as data compiled into the core. Paths
//! follow current WhatsApp (Settings > Privacy) with the older Settings > Account > Privacy
//! beside them. A change to items or values is a new `CATALOG_VERSION` (`revisions` says which
//! items each revision changed, and which revisions start a new major version); where each
//! item's facts come from is in `sources`.

mod revisions;
mod sources;

pub use revisions::{changed_since, is_known, major_of, revision_of, strict_value, CATALOG_MAJOR, STRICT_COVERS};
pub use sources::sources;

/// Bumped whenever an item, a path or a value changes; a policy names the version it was written for.
/// 2 (2026-11): Strict account settings, Block unknown account messages, Advanced chat privacy,
/// Passkeys and Username added; the same major version as 1, so results of 1 are re-confirmed,
/// not started over.
pub const CATALOG_VERSION: u32 = 2;

/// Where an answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The clinician looks and confirms.
    Clinician,
    /// The phone tells: a screen lock is set.
    DeviceScreenLock,
    /// The phone tells: WhatsApp is installed.
    DeviceWhatsApp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogItem {
    pub id: &'static str,
    pub title: &'static str,
    /// Why it matters, in one sentence.
    pub why: &'static str,
    pub android_path: &'static str,
    pub iphone_path: &'static str,
    /// Where older WhatsApp versions keep it, when that differs.
    pub legacy_path: Option<&'static str>,
    pub choices: &'static [Choice],
    pub recommended: &'static str,
    /// Other values the default policy accepts.
    pub also_acceptable: &'static [&'static str],
    pub recommended_why: &'static str,
    pub source: Source,
}

impl CatalogItem {
    pub fn allows(&self, value: &str) -> bool {
        self.choices.iter().any(|c| c.value == value)
    }

    pub fn label(&self, value: &str) -> &'static str {
        self.choices.iter().find(|c| c.value == value).map_or("?", |c| c.label)
    }
}

const fn c(value: &'static str, label: &'static str) -> Choice {
    Choice { value, label }
}

const AUDIENCE: &[Choice] = &[
    c("everyone", "Everyone"),
    c("my_contacts", "My contacts"),
    c("my_contacts_except", "My contacts except…"),
    c("nobody", "Nobody"),
];
const ON_OFF: &[Choice] = &[c("on", "On"), c("off", "Off")];

pub const CATALOG: &[CatalogItem] = &[
    CatalogItem {
        id: "last_seen_online",
        title: "Last seen and online",
        why: "Patients saved as contacts can otherwise see when you are on WhatsApp, day and night.",
        android_path: "WhatsApp > Settings > Privacy > Last seen and online",
        iphone_path: "WhatsApp > Settings > Privacy > Last Seen & Online",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Last seen"),
        choices: AUDIENCE,
        recommended: "nobody",
        also_acceptable: &[],
        recommended_why: "Your availability is not part of a clinical relationship.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "profile_photo",
        title: "Profile photo",
        why: "Every patient you call becomes a contact and would see your personal photo.",
        android_path: "WhatsApp > Settings > Privacy > Profile photo",
        iphone_path: "WhatsApp > Settings > Privacy > Profile Photo",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Profile photo"),
        choices: AUDIENCE,
        recommended: "nobody",
        also_acceptable: &["my_contacts_except"],
        recommended_why: "Patients are contacts, so only Nobody (or excepting them) keeps it private.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "about",
        title: "About",
        why: "The About line is shown to contacts and often carries personal details.",
        android_path: "WhatsApp > Settings > Privacy > About",
        iphone_path: "WhatsApp > Settings > Privacy > About",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > About"),
        choices: AUDIENCE,
        recommended: "nobody",
        also_acceptable: &["my_contacts_except"],
        recommended_why: "Patients are contacts: keep your personal details from them.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "status",
        title: "Status",
        why: "Status updates go to your contacts, patients included, unless you limit them.",
        android_path: "WhatsApp > Settings > Privacy > Status",
        iphone_path: "WhatsApp > Settings > Privacy > Status",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Status"),
        choices: &[
            c("my_contacts", "My contacts"),
            c("my_contacts_except", "My contacts except…"),
            c("only_share_with", "Only share with…"),
        ],
        recommended: "only_share_with",
        also_acceptable: &["my_contacts_except"],
        recommended_why: "Share your status with the people you choose, never with patients by default.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "read_receipts",
        title: "Read receipts",
        why: "Blue ticks tell a patient you read a message, which sets an expectation of a reply.",
        android_path: "WhatsApp > Settings > Privacy > Read receipts",
        iphone_path: "WhatsApp > Settings > Privacy > Read Receipts",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Read receipts"),
        choices: ON_OFF,
        recommended: "off",
        also_acceptable: &[],
        recommended_why: "WhatsApp is not a monitored clinical channel.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "default_message_timer",
        title: "Default message timer",
        why: "Messages are not the record: disappearing messages keep patient details off the phone.",
        android_path: "WhatsApp > Settings > Privacy > Default message timer",
        iphone_path: "WhatsApp > Settings > Privacy > Default Message Timer",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Default message timer"),
        choices: &[c("off", "Off"), c("24h", "24 hours"), c("7d", "7 days"), c("90d", "90 days")],
        recommended: "7d",
        also_acceptable: &["24h"],
        recommended_why: "Time enough to transfer what matters to the record, then it goes.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "groups",
        title: "Groups",
        why: "Anyone who can add you to a group can put you in a chat with strangers and patients.",
        android_path: "WhatsApp > Settings > Privacy > Groups",
        iphone_path: "WhatsApp > Settings > Privacy > Groups",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Groups"),
        choices: &[
            c("everyone", "Everyone"),
            c("my_contacts", "My contacts"),
            c("my_contacts_except", "My contacts except…"),
        ],
        recommended: "my_contacts_except",
        also_acceptable: &[],
        recommended_why: "Except your patient contacts, so that they cannot add you to groups.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "live_location",
        title: "Live location",
        why: "A live location left shared tells a chat where you are.",
        android_path: "WhatsApp > Settings > Privacy > Live location",
        iphone_path: "WhatsApp > Settings > Privacy > Live Location",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Live location"),
        choices: &[c("none", "Not sharing in any chat"), c("sharing", "Sharing in a chat")],
        recommended: "none",
        also_acceptable: &[],
        recommended_why: "Never share your location with patients.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "silence_unknown_callers",
        title: "Calls > Silence unknown callers",
        why: "Calls from numbers that are not your contacts reach you only as a notification.",
        android_path: "WhatsApp > Settings > Privacy > Calls > Silence unknown callers",
        iphone_path: "WhatsApp > Settings > Privacy > Calls > Silence Unknown Callers",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "Your number is known to patients; strangers who get it should not ring through.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "blocked_contacts",
        title: "Blocked contacts",
        why: "A patient who misuses your number should be blocked, and the list kept current.",
        android_path: "WhatsApp > Settings > Privacy > Blocked contacts",
        iphone_path: "WhatsApp > Settings > Privacy > Blocked",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Blocked contacts"),
        choices: &[c("reviewed", "Reviewed"), c("not_reviewed", "Not reviewed")],
        recommended: "reviewed",
        also_acceptable: &[],
        recommended_why: "Review it with each checklist.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "app_lock",
        title: "App lock (Android) / Screen lock (iPhone)",
        why: "An unlocked phone handed to someone else opens straight into your patient chats.",
        android_path: "WhatsApp > Settings > Privacy > App lock",
        iphone_path: "WhatsApp > Settings > Privacy > Screen Lock",
        legacy_path: Some("WhatsApp > Settings > Account > Privacy > Fingerprint lock"),
        choices: &[
            c("off", "Off"),
            c("immediately", "Immediately"),
            c("after_1_minute", "After 1 minute"),
            c("after_30_minutes", "After 30 minutes"),
        ],
        recommended: "immediately",
        also_acceptable: &["after_1_minute"],
        recommended_why: "WhatsApp locks as soon as you leave it.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "chat_lock",
        title: "Chat lock",
        why: "Locked chats are hidden behind your fingerprint or face even when the phone is unlocked.",
        android_path: "WhatsApp > long-press a chat > Lock chat (then Settings > Privacy > Chat lock)",
        iphone_path: "WhatsApp > swipe left on a chat > Lock chat (then Settings > Privacy > Chat Lock)",
        legacy_path: None,
        choices: &[c("patient_chats_locked", "Patient chats locked"), c("not_used", "Not used")],
        recommended: "patient_chats_locked",
        also_acceptable: &[],
        recommended_why: "Lock every patient chat.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "protect_ip_address",
        title: "Advanced > Protect IP address in calls",
        why: "Without it, a call can reveal your IP address and so roughly where you are.",
        android_path: "WhatsApp > Settings > Privacy > Advanced > Protect IP address in calls",
        iphone_path: "WhatsApp > Settings > Privacy > Advanced > Protect IP Address in Calls",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "Calls are relayed through WhatsApp's servers instead of peer to peer.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "disable_link_previews",
        title: "Advanced > Disable link previews",
        why: "Link previews fetch pages from your phone and can reveal your IP address to a site.",
        android_path: "WhatsApp > Settings > Privacy > Advanced > Disable link previews",
        iphone_path: "WhatsApp > Settings > Privacy > Advanced > Disable Link Previews",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "No previews generated for links you send or receive.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "two_step_verification",
        title: "Two-step verification",
        why: "Without a PIN, anyone who takes over your SIM can register your WhatsApp elsewhere.",
        android_path: "WhatsApp > Settings > Account > Two-step verification",
        iphone_path: "WhatsApp > Settings > Account > Two-Step Verification",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "Required by NHS information governance guidance for clinical use.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "security_notifications",
        title: "Security notifications",
        why: "You are told when a contact's security code changes, a sign of a new device.",
        android_path: "WhatsApp > Settings > Account > Security notifications",
        iphone_path: "WhatsApp > Settings > Account > Security Notifications",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "Know when a patient's number moves to another phone.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "chat_backup",
        title: "Chats > Chat backup",
        why: "An unencrypted cloud backup copies every patient chat to a personal cloud account.",
        android_path: "WhatsApp > Settings > Chats > Chat backup",
        iphone_path: "WhatsApp > Settings > Chats > Chat Backup",
        legacy_path: None,
        choices: &[
            c("off", "Off"),
            c("end_to_end_encrypted", "End-to-end encrypted"),
            c("unencrypted", "On, not end-to-end encrypted"),
        ],
        recommended: "off",
        also_acceptable: &["end_to_end_encrypted"],
        recommended_why: "Chats are not the record; if backed up at all, only end-to-end encrypted.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "media_visibility",
        title: "Media visibility / Save to Photos",
        why: "Photos patients send would otherwise land in your phone's gallery and its cloud sync.",
        android_path: "WhatsApp > Settings > Chats > Media visibility",
        iphone_path: "WhatsApp > Settings > Chats > Save to Photos",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "off",
        also_acceptable: &[],
        recommended_why: "Keep patient images out of the gallery.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "screen_lock",
        title: "The phone's screen lock",
        why: "Without a PIN, pattern or biometric lock, anyone holding the phone reads everything.",
        android_path: "Phone Settings > Security > Screen lock",
        iphone_path: "Phone Settings > Face ID & Passcode",
        legacy_path: None,
        choices: &[c("set", "Set"), c("not_set", "Not set")],
        recommended: "set",
        also_acceptable: &[],
        recommended_why: "Encryption at rest depends on it.",
        source: Source::DeviceScreenLock,
    },
    CatalogItem {
        id: "lock_screen_previews",
        title: "The phone's lock-screen notification previews",
        why: "Message previews on the lock screen show patient messages to anyone near the phone.",
        android_path: "Phone Settings > Notifications > Notifications on lock screen",
        iphone_path: "Phone Settings > Notifications > Show Previews",
        legacy_path: None,
        choices: &[c("always", "Always shown"), c("when_unlocked", "Only when unlocked"), c("never", "Never")],
        recommended: "when_unlocked",
        also_acceptable: &["never"],
        recommended_why: "Previews only once the phone is unlocked.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "whatsapp_notification_content",
        title: "WhatsApp's notification content",
        why: "WhatsApp's own notifications can show who wrote and what, whatever the phone allows.",
        android_path: "Phone Settings > Apps > WhatsApp > Notifications > Lock screen > Hide sensitive content",
        iphone_path: "WhatsApp > Settings > Notifications > Show Preview",
        legacy_path: None,
        choices: &[c("hidden", "Content hidden"), c("shown", "Content shown")],
        recommended: "hidden",
        also_acceptable: &[],
        recommended_why: "A notification says that a message came, not what it says.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "strict_account_settings",
        title: "Advanced > Strict account settings",
        why: "One switch that locks several of the settings below to their most private values, and also blocks media and attachments from unknown senders.",
        android_path: "WhatsApp > Settings > Privacy > Advanced > Strict account settings",
        iphone_path: "WhatsApp > Settings > Privacy > Advanced > Strict Account Settings",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &["off"],
        recommended_why: "When it is on, the settings it covers are shown as covered and not asked.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "block_unknown_account_messages",
        title: "Advanced > Block unknown account messages",
        why: "Floods of messages from unknown accounts are blocked (it acts on high volumes only).",
        android_path: "WhatsApp > Settings > Privacy > Advanced > Block unknown account messages",
        iphone_path: "WhatsApp > Settings > Privacy > Advanced > Block Unknown Account Messages",
        legacy_path: None,
        choices: ON_OFF,
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "A clinician's number reaches many people; it is off by default.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "advanced_chat_privacy",
        title: "Advanced chat privacy (in each patient's chat)",
        why: "In a chat where it is on, no one can export the chat, save its media automatically or use it for AI.",
        android_path: "WhatsApp > the patient's chat > tap the chat's name > Advanced chat privacy",
        iphone_path: "WhatsApp > the patient's chat > tap the chat's name > Advanced Chat Privacy",
        legacy_path: None,
        choices: &[c("on", "On in patient chats"), c("off", "Off")],
        recommended: "on",
        also_acceptable: &[],
        recommended_why: "It is per chat and off by default: turn it on in each patient's chat.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "passkeys",
        title: "Account > Passkeys",
        why: "A passkey ties re-registering your WhatsApp to this phone's screen lock, not an SMS code.",
        android_path: "WhatsApp > Settings > Account > Passkeys",
        iphone_path: "WhatsApp > Settings > Account > Passkeys",
        legacy_path: None,
        choices: &[c("created", "Passkey created"), c("none", "None")],
        recommended: "created",
        also_acceptable: &["none"],
        recommended_why: "Two-step verification already guards registration; a passkey adds to it.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "username",
        title: "Account > Username",
        why: "Once WhatsApp turns usernames on, people you message first see your username, not your number.",
        android_path: "WhatsApp > Settings > Account > Username",
        iphone_path: "WhatsApp > Settings > Account > Username",
        legacy_path: None,
        choices: &[c("set", "Set"), c("not_set", "Not set")],
        recommended: "set",
        also_acceptable: &["not_set"],
        recommended_why: "Until usernames are live, a call still shows your number: the disclosure applies.",
        source: Source::Clinician,
    },
    CatalogItem {
        id: "whatsapp_installed",
        title: "WhatsApp is installed",
        why: "The checklist is about the WhatsApp on this phone and its version.",
        android_path: "Google Play > WhatsApp",
        iphone_path: "App Store > WhatsApp",
        legacy_path: None,
        choices: &[c("installed", "Installed"), c("missing", "Not installed")],
        recommended: "installed",
        also_acceptable: &[],
        recommended_why: "Calls need it.",
        source: Source::DeviceWhatsApp,
    },
];

pub fn item(id: &str) -> Option<&'static CatalogItem> {
    CATALOG.iter().find(|item| item.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_catalog_is_well_formed() {
        let ids: HashSet<_> = CATALOG.iter().map(|i| i.id).collect();
        assert_eq!(ids.len(), CATALOG.len(), "ids are unique");
        for item in CATALOG {
            assert!(item.allows(item.recommended), "{}", item.id);
            assert!(item.also_acceptable.iter().all(|v| item.allows(v)), "{}", item.id);
            assert!(!item.android_path.is_empty() && !item.iphone_path.is_empty(), "{}", item.id);
            assert!(item.why.ends_with('.') && item.recommended_why.ends_with('.'), "{}", item.id);
            assert!(item.choices.len() >= 2, "{}", item.id);
        }
        for id in [
            "last_seen_online",
            "profile_photo",
            "about",
            "status",
            "read_receipts",
            "default_message_timer",
            "groups",
            "live_location",
            "silence_unknown_callers",
            "blocked_contacts",
            "app_lock",
            "chat_lock",
            "protect_ip_address",
            "disable_link_previews",
            "two_step_verification",
            "security_notifications",
            "chat_backup",
            "media_visibility",
            "screen_lock",
            "lock_screen_previews",
            "whatsapp_notification_content",
            "strict_account_settings",
            "block_unknown_account_messages",
            "advanced_chat_privacy",
            "passkeys",
            "username",
        ] {
            assert!(item(id).is_some(), "item {id} is in the catalog");
        }
    }
}
