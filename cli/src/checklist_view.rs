//! How the shell shows the WhatsApp privacy checklist: each item as the clinician is asked it,
//! the result with the instruction that fixes each deviation, the status, and the catalog. Text
//! for people, JSON for scripts. Nothing in this module writes to stderr.

use crate::call_view::{platform_code, platform_name};
use crate::view::time;
use serde::Serialize;
use std::collections::BTreeMap;
use televisit_core::checklist::{
    CatalogItem, ChecklistResult, ChecklistRun, Deviation, Requirement, RunItem, RunKind, Source, CATALOG,
    CATALOG_VERSION,
};
use televisit_core::{ChecklistStatus, Platform};

#[derive(Serialize)]
pub struct ResultView {
    pub compliant: bool,
    pub deviations: Vec<DeviationView>,
    pub finished_at: String,
}

#[derive(Serialize)]
pub struct DeviationView {
    pub item_id: &'static str,
    pub title: &'static str,
    /// The value code answered.
    pub answer: String,
    /// The value codes the policy accepts.
    pub required: Vec<String>,
    /// What to change and where.
    pub instruction: String,
}

impl From<&Deviation> for DeviationView {
    fn from(d: &Deviation) -> Self {
        DeviationView {
            item_id: d.item_id,
            title: d.title,
            answer: d.answer.clone(),
            required: d.required.clone(),
            instruction: d.instruction.clone(),
        }
    }
}

impl From<&ChecklistResult> for ResultView {
    fn from(r: &ChecklistResult) -> Self {
        ResultView {
            compliant: r.compliant,
            deviations: r.deviations.iter().map(DeviationView::from).collect(),
            finished_at: time(&r.finished_at),
        }
    }
}

#[derive(Serialize)]
pub struct StatusView {
    /// `current`, `due` or `never`.
    pub status: &'static str,
    /// The run started and not finished yet, if any.
    pub in_progress: Option<ProgressView>,
}

#[derive(Serialize)]
pub struct ProgressView {
    pub platform: &'static str,
    pub started_at: String,
    /// Items answered so far, those the phone answered included.
    pub answered: usize,
    pub total: usize,
}

impl From<&ChecklistRun> for ProgressView {
    fn from(run: &ChecklistRun) -> Self {
        ProgressView {
            platform: platform_code(run.platform),
            started_at: time(&run.started_at),
            answered: run.items.len() - run.unanswered().len(),
            total: run.items.len(),
        }
    }
}

#[derive(Serialize)]
pub struct CatalogView {
    pub catalog_version: u32,
    pub items: Vec<CatalogItemView>,
}

#[derive(Serialize)]
pub struct CatalogItemView {
    pub id: &'static str,
    pub title: &'static str,
    pub why: &'static str,
    /// `clinician` (confirmed by hand) or `phone` (the phone tells, not asked).
    pub answered_by: &'static str,
    pub android_path: &'static str,
    pub iphone_path: &'static str,
    /// Where older WhatsApp versions keep it, when that differs.
    pub legacy_path: Option<&'static str>,
    /// The path on the platform asked for with --platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<&'static str>,
    pub values: Vec<ValueView>,
    pub recommended: &'static str,
    pub recommended_why: &'static str,
    /// What the policy in force accepts; empty when it does not check the item.
    pub required: Vec<String>,
    /// False when the policy leaves the item out of the checklist.
    pub checked: bool,
}

#[derive(Serialize)]
pub struct ValueView {
    pub value: &'static str,
    pub label: &'static str,
}

impl CatalogView {
    pub fn new(requirements: &BTreeMap<&'static str, Requirement>, platform: Option<Platform>) -> Self {
        let items = CATALOG
            .iter()
            .map(|item| {
                let requirement = requirements.get(item.id).cloned().unwrap_or(Requirement::NotChecked);
                CatalogItemView {
                    id: item.id,
                    title: item.title,
                    why: item.why,
                    answered_by: answered_by(item),
                    android_path: item.android_path,
                    iphone_path: item.iphone_path,
                    legacy_path: item.legacy_path,
                    path: platform.map(|p| path_on(item, p)),
                    values: item.choices.iter().map(|c| ValueView { value: c.value, label: c.label }).collect(),
                    recommended: item.recommended,
                    recommended_why: item.recommended_why,
                    required: requirement.values(),
                    checked: requirement != Requirement::NotChecked,
                }
            })
            .collect();
        CatalogView { catalog_version: CATALOG_VERSION, items }
    }
}

pub fn status_code(status: ChecklistStatus) -> &'static str {
    match status {
        ChecklistStatus::Current => "current",
        ChecklistStatus::Reconfirm => "reconfirm",
        ChecklistStatus::Due => "due",
        ChecklistStatus::Never => "never",
    }
}

fn answered_by(item: &CatalogItem) -> &'static str {
    match item.source {
        Source::Clinician => "clinician",
        Source::DeviceScreenLock | Source::DeviceWhatsApp => "phone",
    }
}

pub fn path_on(item: &CatalogItem, platform: Platform) -> &'static str {
    match platform {
        Platform::Android => item.android_path,
        Platform::Ios => item.iphone_path,
    }
}

/// `Off`, or `Nobody or My contacts except…`: the labels of value codes.
fn labels(item: &CatalogItem, values: &[String]) -> String {
    let labels: Vec<&str> = values.iter().map(|v| item.label(v)).collect();
    match labels.as_slice() {
        [] => "anything".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The clinician items of a run asked this time: not the phone's, and in a re-confirmation not
/// those carried from the last result or covered by Strict account settings.
pub fn to_confirm(run: &ChecklistRun) -> usize {
    run.items.iter().filter(|i| i.asked()).count()
}

/// `= Read receipts: Off (as at your last check)` or `(covered by Strict account settings)`.
pub fn kept_line(item: &RunItem) -> String {
    let answer = item.answer.as_deref().unwrap_or_default();
    let why = if item.covered { "covered by Strict account settings" } else { "as at your last check" };
    format!("= {}: {} ({why})", item.item.title, item.item.label(answer))
}

/// `Privacy checklist for an Android phone (catalog v1): 21 items to confirm, 2 answered by the phone`.
pub fn heading(run: &ChecklistRun) -> String {
    let by_phone = run.items.iter().filter(|i| i.pre_answered).count();
    let kept = run.items.iter().filter(|i| i.carried || i.covered).count();
    let what = match run.kind {
        RunKind::Full => "WhatsApp privacy checklist",
        RunKind::Reconfirm => "Re-confirming your WhatsApp privacy checklist",
    };
    let mut line = format!(
        "{what} for an {} (catalog v{}): {} to confirm, {by_phone} answered by the phone",
        platform_name(run.platform),
        run.catalog_version,
        match to_confirm(run) {
            1 => "1 item".to_owned(),
            n => format!("{n} items"),
        },
    );
    if run.kind == RunKind::Reconfirm {
        line.push_str(&format!(", {kept} kept from your last check"));
    }
    line
}

/// `✓ The phone's screen lock: Set (answered by the phone)`, for an item the phone answers.
pub fn phone_line(item: &RunItem) -> String {
    let answer = item.answer.as_deref().unwrap_or_default();
    let mark = if item.required.accepts(answer) { '✓' } else { '✗' };
    format!("{mark} {}: {} (answered by the phone)", item.item.title, item.item.label(answer))
}

/// One item as the clinician is asked it: title, why, where (and where older WhatsApp keeps it),
/// the recommendation, and the numbered choices with the recommended and required ones marked.
pub fn item_text(item: &RunItem, number: usize, total: usize) -> String {
    format!("[{number}/{total}] {}", item_details(item))
}

/// An item as `item_text` shows it, without its place in the run: for a kept answer looked at
/// again in a re-confirmation.
pub fn item_details(item: &RunItem) -> String {
    let it = item.item;
    let required = item.required.values();
    let mut out = format!("{}\n", it.title);
    out.push_str(&format!("   {}\n", it.why));
    out.push_str(&format!("   Where: {}\n", item.path));
    if let Some(legacy) = it.legacy_path {
        out.push_str(&format!("   Older WhatsApp: {legacy}\n"));
    }
    let recommended = it.label(it.recommended);
    let stop = if recommended.ends_with('…') { "" } else { "." };
    out.push_str(&format!("   Recommended: {recommended}{stop} {}\n", it.recommended_why));
    if item.required != Requirement::NotChecked {
        out.push_str(&format!("   The policy requires: {}\n", labels(it, &required)));
    }
    let width = it.choices.iter().map(|c| c.label.chars().count()).max().unwrap_or(0);
    for (n, choice) in it.choices.iter().enumerate() {
        let mut tags = Vec::new();
        if choice.value == it.recommended {
            tags.push("recommended");
        }
        if required.iter().any(|v| v == choice.value) {
            tags.push("required");
        }
        let tags = if tags.is_empty() { String::new() } else { format!("  ({})", tags.join(", ")) };
        let line = format!("     {}. {:<width$}  [{}]{tags}", n + 1, choice.label, choice.value);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What the clinician types at the prompt.
pub fn prompt(item: &RunItem) -> String {
    format!("Your setting (1-{} or its code; an empty line skips it for now; q stops): ", item.item.choices.len())
}

/// `✗ Read receipts: On, the policy requires Off` and the instruction, one deviation each; or
/// that every item meets the policy.
pub fn result_text(result: &ChecklistResult, items: usize, reconfirm_days: u32) -> String {
    if result.compliant {
        return format!(
            "Compliant: all {items} items meet the policy.\nThe checklist is current for {reconfirm_days} days, \
             or until WhatsApp's version or the policy changes; then it asks only what changed.\n"
        );
    }
    let n = result.deviations.len();
    let mut out = format!("{n} deviation{} from the policy:\n", if n == 1 { "" } else { "s" });
    for d in &result.deviations {
        let Some(item) = televisit_core::checklist::catalog::item(d.item_id) else { continue };
        out.push_str(&format!(
            "  ✗ {}: {}, the policy requires {}\n",
            d.title,
            d.answer_label,
            labels(item, &d.required)
        ));
        out.push_str(&format!("    {}\n", d.instruction));
    }
    out.push_str("Change these settings on the phone, then run the checklist again.\n");
    out
}

/// `current: …`, `due: …` or `never: …`, and the run in progress.
pub fn status_text(status: ChecklistStatus, in_progress: Option<&ChecklistRun>, reconfirm_days: u32) -> String {
    let mut out = match status {
        ChecklistStatus::Current => format!(
            "checklist: current (the last run was compliant, within {reconfirm_days} days, under today's policy \
             and for this phone's WhatsApp version)\n"
        ),
        ChecklistStatus::Reconfirm => format!(
            "checklist: re-confirm (WhatsApp was updated, the last check is older than {reconfirm_days} days, or the \
             catalog or policy changed): run `televisit checklist`, which asks only what changed\n"
        ),
        ChecklistStatus::Due => format!(
            "checklist: due (the last run found deviations, is older than {reconfirm_days} days, or was made under \
             another policy or for another WhatsApp version): run `televisit checklist`\n"
        ),
        ChecklistStatus::Never => {
            "checklist: never (no checklist finished on this profile yet): run `televisit checklist`\n".to_owned()
        }
    };
    if let Some(run) = in_progress {
        let p = ProgressView::from(run);
        out.push_str(&format!(
            "in progress: {} of {} items answered on an {} (started {}); `televisit checklist` resumes it\n",
            p.answered,
            p.total,
            platform_name(run.platform),
            p.started_at
        ));
    }
    out
}

/// Every item with its id, paths, values and the recommendation; one platform's path with one.
pub fn catalog_text(view: &CatalogView, platform: Option<Platform>) -> String {
    let mut out = format!("Checklist catalog v{}: {} items\n", view.catalog_version, view.items.len());
    for item in &view.items {
        let Some(catalog) = televisit_core::checklist::catalog::item(item.id) else { continue };
        out.push_str(&format!("\n{}  {}\n", item.id, item.title));
        match platform {
            Some(p) => out.push_str(&format!("   path:     {}\n", path_on(catalog, p))),
            None => {
                out.push_str(&format!("   Android:  {}\n", item.android_path));
                out.push_str(&format!("   iPhone:   {}\n", item.iphone_path));
            }
        }
        if let Some(legacy) = item.legacy_path {
            out.push_str(&format!("   older:    {legacy}\n"));
        }
        let values: Vec<String> = item.values.iter().map(|v| format!("{} ({})", v.value, v.label)).collect();
        out.push_str(&format!("   values:   {}\n", values.join(", ")));
        out.push_str(&format!("   recommended: {}", item.recommended));
        if item.checked {
            out.push_str(&format!("; the policy requires: {}", item.required.join(" or ")));
        } else {
            out.push_str("; the policy does not check it");
        }
        out.push('\n');
        if item.answered_by == "phone" {
            out.push_str("   answered by the phone itself (leave it out of an answers file)\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use televisit_core::checklist::effective_requirements;
    use televisit_core::Policy;

    fn run_item(id: &str, answer: Option<&str>) -> RunItem {
        let item = televisit_core::checklist::catalog::item(id).unwrap();
        let requirements = effective_requirements(&Policy::default());
        RunItem {
            item,
            path: item.android_path,
            required: requirements[id].clone(),
            answer: answer.map(str::to_owned),
            pre_answered: item.source != Source::Clinician,
            carried: false,
            covered: false,
        }
    }

    #[test]
    fn an_item_shows_its_paths_and_marks_its_choices() {
        let text = item_text(&run_item("read_receipts", None), 5, 23);
        assert!(text.starts_with("[5/23] Read receipts\n"), "{text}");
        assert!(text.contains("   Where: WhatsApp > Settings > Privacy > Read receipts\n"), "{text}");
        assert!(
            text.contains("   Older WhatsApp: WhatsApp > Settings > Account > Privacy > Read receipts\n"),
            "{text}"
        );
        assert!(text.contains("     1. On   [on]\n"), "{text}");
        assert!(text.contains("     2. Off  [off]  (recommended, required)\n"), "{text}");
        let text = item_text(&run_item("profile_photo", None), 2, 23);
        assert!(text.contains("The policy requires: Nobody or My contacts except…"), "{text}");
        assert!(text.contains("3. My contacts except…  [my_contacts_except]  (required)"), "{text}");
        assert!(text.contains("4. Nobody               [nobody]  (recommended, required)"), "{text}");
        let text = item_text(&run_item("two_step_verification", None), 15, 23);
        assert!(!text.contains("Older WhatsApp"), "no older path: {text}");
    }

    #[test]
    fn the_phones_answers_are_marked_by_the_policy() {
        assert_eq!(
            phone_line(&run_item("screen_lock", Some("set"))),
            "✓ The phone's screen lock: Set (answered by the phone)"
        );
        assert_eq!(
            phone_line(&run_item("whatsapp_installed", Some("missing"))),
            "✗ WhatsApp is installed: Not installed (answered by the phone)"
        );
    }

    #[test]
    fn a_deviation_reads_with_labels_and_its_instruction() {
        let result = ChecklistResult {
            compliant: false,
            deviations: vec![Deviation {
                item_id: "read_receipts",
                title: "Read receipts",
                answer: "on".into(),
                answer_label: "On".into(),
                required: vec!["off".into()],
                instruction: "Set Read receipts to Off: WhatsApp > Settings > Privacy > Read receipts".into(),
            }],
            finished_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
        };
        let text = result_text(&result, 23, 30);
        assert!(text.starts_with("1 deviation from the policy:\n"), "{text}");
        assert!(text.contains("  ✗ Read receipts: On, the policy requires Off\n"), "{text}");
        assert!(
            text.contains("    Set Read receipts to Off: WhatsApp > Settings > Privacy > Read receipts\n"),
            "{text}"
        );
        let json = serde_json::to_value(ResultView::from(&result)).unwrap();
        assert_eq!(json["deviations"][0]["required"], serde_json::json!(["off"]));
        assert_eq!(json["finished_at"], "1970-01-01T00:00:00Z");
    }

    #[test]
    fn the_catalog_lists_every_item_with_both_paths() {
        let view = CatalogView::new(&effective_requirements(&Policy::default()), None);
        assert_eq!(view.items.len(), CATALOG.len());
        let text = catalog_text(&view, None);
        for item in CATALOG {
            assert!(text.contains(&format!("\n{}  {}\n", item.id, item.title)), "{}", item.id);
            assert!(text.contains(item.android_path) && text.contains(item.iphone_path), "{}", item.id);
        }
        let ios = catalog_text(
            &CatalogView::new(&effective_requirements(&Policy::default()), Some(Platform::Ios)),
            Some(Platform::Ios),
        );
        assert!(ios.contains("   path:     WhatsApp > Settings > Privacy > Read Receipts\n"), "{ios}");
        assert!(!ios.contains("Android:"), "{ios}");
    }
}
