//! Launch plans: the ordered attempts a shell carries out to open the video call, as plain data.
//! The shell only executes them in order and moves on when one fails; every rule is here.

use crate::device::WhatsAppApp;
use crate::patients::phone;
use url::Url;

pub use crate::platform::Platform;

/// Which rung of the ladder an attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// Android: WhatsApp's video-call row opened directly.
    DirectVideo,
    /// Android: the row is not there yet; sync WhatsApp's account and look again.
    SyncThenVideo,
    /// The chat with the patient, where the video button is one tap.
    Chat,
    /// WhatsApp is missing: its store page.
    StorePage,
}

impl AttemptKind {
    pub const ALL: [AttemptKind; 4] =
        [AttemptKind::DirectVideo, AttemptKind::SyncThenVideo, AttemptKind::Chat, AttemptKind::StorePage];

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            AttemptKind::DirectVideo => "direct_video",
            AttemptKind::SyncThenVideo => "sync_then_video",
            AttemptKind::Chat => "chat",
            AttemptKind::StorePage => "store_page",
        }
    }
}

/// Serialises tagged by `type` (`android_intent`, …), as the desktop shell prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LaunchStep {
    /// `startActivity(Intent(action, Uri.parse(data)).setDataAndType(...).setPackage(package))`.
    AndroidIntent { action: String, data: String, mime_type: Option<String>, package: Option<String> },
    /// `ContentResolver.requestSync` for `account_type`, then look up WhatsApp's row again every
    /// `poll_interval_ms` until `timeout_ms`; when found, open it with `mime_type` and `package`.
    AndroidSyncThenIntent {
        account_type: String,
        mime_type: String,
        package: String,
        timeout_ms: u32,
        poll_interval_ms: u32,
    },
    /// Open a URL (`UIApplication.open`, or `ACTION_VIEW` with `package` when set).
    OpenUrl { url: String, package: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchAttempt {
    pub kind: AttemptKind,
    pub step: LaunchStep,
    /// What to tell the clinician when this attempt opens (e.g. "tap the video button").
    pub instruction: Option<String>,
}

pub const ACTION_VIEW: &str = "android.intent.action.VIEW";
const CONTACT_DATA: &str = "content://com.android.contacts/data/";
const TAP_VIDEO: &str = "WhatsApp opens the chat: tap the video camera button at the top to start the video call.";

/// Android: the intent that opens WhatsApp's video-call row `row` directly.
pub fn direct_video(app: WhatsAppApp, row: i64) -> LaunchStep {
    LaunchStep::AndroidIntent {
        action: ACTION_VIEW.into(),
        data: format!("{CONTACT_DATA}{row}"),
        mime_type: Some(app.video_call_mime().into()),
        package: Some(app.package().into()),
    }
}

/// What a sync-then-video step becomes once the directory finds WhatsApp's row `row`: the
/// direct video intent for the same app. Any other step stays as it is.
pub fn after_sync(step: &LaunchStep, row: i64) -> LaunchStep {
    match step {
        LaunchStep::AndroidSyncThenIntent { package, .. } => {
            let app =
                if package == WhatsAppApp::Business.package() { WhatsAppApp::Business } else { WhatsAppApp::Consumer };
            direct_video(app, row)
        }
        other => other.clone(),
    }
}

/// The attempts for `platform`. `app` is None when no allowed WhatsApp is installed; `video_row`
/// is WhatsApp's Data row for the contact on Android, when the directory found one.
pub fn attempts(
    platform: Platform,
    app: Option<WhatsAppApp>,
    preferred_app: WhatsAppApp,
    e164: &str,
    video_row: Option<i64>,
    prefill: Option<&str>,
    sync_wait_seconds: u32,
) -> Vec<LaunchAttempt> {
    let Some(app) = app else {
        return vec![store_page(platform, preferred_app)];
    };
    let digits = phone::digits(e164);
    match platform {
        Platform::Android => {
            let video = match video_row {
                Some(row) => {
                    LaunchAttempt { kind: AttemptKind::DirectVideo, step: direct_video(app, row), instruction: None }
                }
                None => LaunchAttempt {
                    kind: AttemptKind::SyncThenVideo,
                    step: LaunchStep::AndroidSyncThenIntent {
                        account_type: app.account_type().into(),
                        mime_type: app.video_call_mime().into(),
                        package: app.package().into(),
                        timeout_ms: sync_wait_seconds * 1000,
                        poll_interval_ms: 500,
                    },
                    instruction: Some("Waiting for WhatsApp to see the new contact…".into()),
                },
            };
            let chat = LaunchAttempt {
                kind: AttemptKind::Chat,
                step: LaunchStep::OpenUrl { url: wa_me(&digits, prefill), package: Some(app.package().into()) },
                instruction: Some(TAP_VIDEO.into()),
            };
            vec![video, chat]
        }
        Platform::Ios => {
            let mut url = Url::parse("whatsapp://send").expect("a fixed URL");
            url.query_pairs_mut().append_pair("phone", &digits);
            if let Some(text) = prefill {
                url.query_pairs_mut().append_pair("text", text);
            }
            vec![
                LaunchAttempt {
                    kind: AttemptKind::Chat,
                    step: LaunchStep::OpenUrl { url: url.into(), package: None },
                    instruction: Some(TAP_VIDEO.into()),
                },
                store_page(Platform::Ios, app),
            ]
        }
    }
}

/// `https://wa.me/<digits>?text=…`, encoded by the `url` crate so that any text stays one valid URI.
fn wa_me(digits: &str, prefill: Option<&str>) -> String {
    let mut url = Url::parse("https://wa.me/").expect("a fixed URL");
    url.set_path(digits);
    if let Some(text) = prefill {
        url.query_pairs_mut().append_pair("text", text);
    }
    url.into()
}

fn store_page(platform: Platform, app: WhatsAppApp) -> LaunchAttempt {
    let (url, package) = match platform {
        Platform::Android => {
            let mut url = Url::parse("https://play.google.com/store/apps/details").expect("a fixed URL");
            url.query_pairs_mut().append_pair("id", app.play_store_id());
            (String::from(url), Some("com.android.vending".to_owned()))
        }
        Platform::Ios => (format!("https://apps.apple.com/app/id{}", app.app_store_id()), None),
    };
    LaunchAttempt {
        kind: AttemptKind::StorePage,
        step: LaunchStep::OpenUrl { url, package },
        instruction: Some("Install WhatsApp, link it to your work phone number, then come back.".into()),
    }
}

/// The Android `am start` line a tester can run over `adb shell` for an intent step.
pub fn adb_command(step: &LaunchStep) -> Option<String> {
    match step {
        LaunchStep::AndroidIntent { action, data, mime_type, package } => {
            let mut cmd = format!("am start -a {action} -d '{data}'");
            if let Some(mime) = mime_type {
                cmd.push_str(&format!(" -t '{mime}'"));
            }
            if let Some(package) = package {
                cmd.push_str(&format!(" -p {package}"));
            }
            Some(cmd)
        }
        LaunchStep::OpenUrl { url, package } => {
            let mut cmd = format!("am start -a {ACTION_VIEW} -d '{url}'");
            if let Some(package) = package {
                cmd.push_str(&format!(" -p {package}"));
            }
            Some(cmd)
        }
        LaunchStep::AndroidSyncThenIntent { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synced_row_turns_the_wait_into_the_direct_intent_of_the_same_app() {
        for app in [WhatsAppApp::Consumer, WhatsAppApp::Business] {
            let plan = attempts(Platform::Android, Some(app), app, "+14155550132", None, None, 10);
            assert_eq!(plan[0].kind, AttemptKind::SyncThenVideo);
            let direct = after_sync(&plan[0].step, 42);
            let with_row = attempts(Platform::Android, Some(app), app, "+14155550132", Some(42), None, 10);
            assert_eq!(direct, with_row[0].step);
            assert_eq!(after_sync(&plan[1].step, 42), plan[1].step, "other steps are left alone");
        }
    }

    fn url_of(attempt: &LaunchAttempt) -> Url {
        match &attempt.step {
            LaunchStep::OpenUrl { url, .. } => Url::parse(url).unwrap(),
            LaunchStep::AndroidIntent { data, .. } => Url::parse(data).unwrap(),
            other => panic!("no URL in {other:?}"),
        }
    }

    fn query(url: &Url, key: &str) -> Option<String> {
        url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
    }

    #[test]
    fn android_with_a_row_opens_the_video_call_then_the_chat() {
        let plan = attempts(
            Platform::Android,
            Some(WhatsAppApp::Consumer),
            WhatsAppApp::Consumer,
            "+447400123456",
            Some(42),
            None,
            10,
        );
        assert_eq!(plan.iter().map(|a| a.kind).collect::<Vec<_>>(), vec![AttemptKind::DirectVideo, AttemptKind::Chat]);
        let LaunchStep::AndroidIntent { action, mime_type, package, .. } = &plan[0].step else { panic!() };
        assert_eq!(action, ACTION_VIEW);
        assert_eq!(mime_type.as_deref(), Some("vnd.android.cursor.item/vnd.com.whatsapp.video.call"));
        assert_eq!(package.as_deref(), Some("com.whatsapp"));
        let data = url_of(&plan[0]);
        assert_eq!(
            (data.scheme(), data.host_str(), data.path()),
            ("content", Some("com.android.contacts"), "/data/42")
        );
        let chat = url_of(&plan[1]);
        assert_eq!((chat.scheme(), chat.host_str(), chat.path()), ("https", Some("wa.me"), "/447400123456"));
        assert_eq!(chat.query(), None);
    }

    #[test]
    fn android_without_a_row_syncs_with_the_policy_timing() {
        let plan = attempts(
            Platform::Android,
            Some(WhatsAppApp::Business),
            WhatsAppApp::Consumer,
            "+447400123456",
            None,
            None,
            7,
        );
        let LaunchStep::AndroidSyncThenIntent { account_type, mime_type, package, timeout_ms, .. } = &plan[0].step
        else {
            panic!()
        };
        assert_eq!(account_type, "com.whatsapp.w4b");
        assert_eq!(mime_type, "vnd.android.cursor.item/vnd.com.whatsapp.w4b.video.call");
        assert_eq!(package, "com.whatsapp.w4b");
        assert_eq!(*timeout_ms, 7000);
        assert_eq!(plan[1].kind, AttemptKind::Chat);
    }

    #[test]
    fn prefilled_text_is_percent_encoded_and_parses_back() {
        let text = "Hello & welcome: 10:30 #1 ü ?=+%\n";
        for platform in [Platform::Android, Platform::Ios] {
            let plan = attempts(
                platform,
                Some(WhatsAppApp::Consumer),
                WhatsAppApp::Consumer,
                "+16502530000",
                None,
                Some(text),
                10,
            );
            let chat = plan.iter().find(|a| a.kind == AttemptKind::Chat).unwrap();
            let url = url_of(chat);
            assert_eq!(query(&url, "text").as_deref(), Some(text));
            assert!(!url.as_str().contains(' ') && !url.as_str().contains('\n'));
        }
    }

    #[test]
    fn ios_opens_the_chat_with_the_digits_then_the_store() {
        let plan = attempts(
            Platform::Ios,
            Some(WhatsAppApp::Consumer),
            WhatsAppApp::Consumer,
            "+447400123456",
            None,
            None,
            10,
        );
        let url = url_of(&plan[0]);
        assert_eq!((url.scheme(), url.host_str()), ("whatsapp", Some("send")));
        assert_eq!(query(&url, "phone").as_deref(), Some("447400123456"));
        assert!(plan[0].instruction.as_deref().unwrap().contains("video"));
        assert_eq!(plan[1].kind, AttemptKind::StorePage);
    }

    #[test]
    fn a_missing_whatsapp_gets_its_store_page() {
        let android = attempts(Platform::Android, None, WhatsAppApp::Business, "+447400123456", None, None, 10);
        assert_eq!(android.len(), 1);
        let url = url_of(&android[0]);
        assert_eq!(url.host_str(), Some("play.google.com"));
        assert_eq!(query(&url, "id").as_deref(), Some("com.whatsapp.w4b"));
        let ios = attempts(Platform::Ios, None, WhatsAppApp::Consumer, "+447400123456", None, None, 10);
        assert_eq!(url_of(&ios[0]).path(), "/app/id310633997");
    }

    #[test]
    fn adb_lines_name_the_intent() {
        let plan = attempts(
            Platform::Android,
            Some(WhatsAppApp::Consumer),
            WhatsAppApp::Consumer,
            "+447400123456",
            Some(7),
            None,
            10,
        );
        let line = adb_command(&plan[0].step).unwrap();
        assert_eq!(line, "am start -a android.intent.action.VIEW -d 'content://com.android.contacts/data/7' -t 'vnd.android.cursor.item/vnd.com.whatsapp.video.call' -p com.whatsapp");
    }
}
