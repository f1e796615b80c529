//! `fleet report --html FILE`: one static, self-contained page IT opens in a browser. No network
//! (a Content-Security-Policy forbids it), nothing to install, readable without script: counts
//! at the top, the devices and their state, then the wipes. States carry a word and a colour
//! both; each time is written as ISO text, and a few lines of script add the viewer's own local
//! format beside it where script runs.

use crate::fleet::{ago, device_state, time};
use crate::fleet_cleanup::{self, Summary};
use crate::ledger::{DeviceRow, Finding, WipeRow, WipeState};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem;color:#1b1b1f;background:#fff}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .5rem}
.sub{color:#555;margin:0 0 1.2rem}
.counts{display:flex;flex-wrap:wrap;gap:.75rem;margin:0;padding:0;list-style:none}
.counts li{border:1px solid #ccd;border-radius:8px;padding:.6rem .9rem;min-width:7.5rem}
.counts b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e3ea;vertical-align:top}
th{background:#f4f4f8;font-weight:600}
code{font-size:.85em}
.state{display:inline-block;border-radius:999px;padding:.05rem .55rem;font-weight:600;font-size:.85em;border:1px solid}
.st-ok,.st-done{background:#e5f5ea;color:#0d5a26;border-color:#7cc495}
.st-stale,.st-expired{background:#fff3d6;color:#6b4a00;border-color:#e0b04c}
.st-flagged,.st-failed{background:#fde4e4;color:#8a1111;border-color:#e08a8a}
.st-wiping,.st-pending{background:#e4edfd;color:#133f8a;border-color:#87a6e0}
.st-wiped,.st-local{background:#ececf0;color:#333;border-color:#aaa}
.st-overdue{background:#fff3d6;color:#6b4a00;border-color:#e0b04c}
.st-unknown{background:#ececf0;color:#333;border-color:#aaa}
.summary{margin:.9rem 0 0;font-weight:600}
td[data-cleanup]{min-width:9rem}.nw{white-space:nowrap}
time{white-space:nowrap}time .lt{display:block;color:#555;font-size:.85em}.sub time .lt{display:inline;margin-left:.3em}
.wide{overflow-x:auto}
.hint{color:#555;font-size:.85em}
";

/// The page, from the ledger's devices (with `stale` already judged) and wipes, at `now`.
pub fn page(org: &str, devices: &[DeviceRow], wipes: &[WipeRow], log_findings: &[Finding], now: i64) -> String {
    let count = |state: WipeState| wipes.iter().filter(|w| w.state == state).count();
    let stale = devices.iter().filter(|d| device_state(d) == "stale").count();
    let cleanup = Summary::of(devices);
    let mut html = String::with_capacity(4096 + 400 * (devices.len() + wipes.len()));
    html.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Televisit fleet: {org}</title><style>{STYLE}</style></head><body>\
         <h1>Televisit fleet: {org}</h1><p class=\"sub\">As of {at}. Made by <code>televisit-admin fleet report</code> from the ledger; every \"done\" is a receipt verified against the device's pinned key.</p>\
         <ul class=\"counts\">",
        org = text(org),
        at = time_html(now),
    ));
    for (key, label, n) in [
        ("devices", "devices", devices.len()),
        ("stale", "stale", stale),
        ("cleanup_overdue", "past cleanup age", cleanup.overdue),
        ("pending", "wipes pending", count(WipeState::Pending)),
        ("done", "wipes done", count(WipeState::Done)),
        ("failed", "wipes failed", count(WipeState::Failed)),
        ("expired", "wipes expired", count(WipeState::Expired)),
        ("log_findings", "log findings", log_findings.len()),
    ] {
        html.push_str(&format!("<li data-count=\"{key}\"><b>{n}</b>{label}</li>"));
    }
    html.push_str(&format!(
        "</ul><p class=\"summary\" data-cleanup-summary>{}</p><h2>Devices</h2>",
        text(&cleanup.line())
    ));
    if devices.is_empty() {
        html.push_str("<p>No devices yet: import their reports (<code>televisit-admin devices import</code>).</p>");
    } else {
        html.push_str("<div class=\"wide\"><table><thead><tr><th>State</th><th>User</th><th>Device</th><th>Platform</th><th>Policy</th><th>Checklist</th><th>Cleanup</th><th>Last report</th><th>Last contact with IT</th></tr></thead><tbody>");
        for d in devices {
            let state = device_state(d);
            html.push_str(&format!(
                "<tr data-device=\"{id}\" data-state=\"{state}\"><td>{badge}</td><td>{user}</td><td><code>{id_text}</code><br><span class=\"hint\">MDM {mdm}</span></td><td>{platform} {os}<br><span class=\"hint\">Televisit {app}</span></td><td>{policy}</td><td>{checklist}</td><td data-cleanup=\"{cleanup_state}\">{cleanup}</td><td>{last} <span class=\"hint\">({ago})</span></td><td>{checkin}</td></tr>",
                id = attr(&d.device_id),
                badge = badge(state),
                user = text(d.mdm_user.as_deref().unwrap_or("-")),
                id_text = text(&d.device_id),
                mdm = text(d.mdm_device_id.as_deref().unwrap_or("-")),
                platform = text(&d.platform),
                os = text(&d.os_version),
                app = text(&d.app_version),
                policy = d.policy_version,
                checklist = text(&d.checklist),
                last = time_html(d.last_report_at),
                ago = ago(d.last_report_at, now),
                checkin = d.last_checkin.map_or_else(|| "never".into(), time_html),
                cleanup_state = fleet_cleanup::state(d),
                cleanup = text(&fleet_cleanup::column(d)),
            ));
        }
        html.push_str("</tbody></table></div>");
    }
    cleanup_section(&mut html, devices, &cleanup);
    html.push_str("<h2>Wipes</h2>");
    if wipes.is_empty() {
        html.push_str("<p>No wipes issued.</p>");
    } else {
        html.push_str("<div class=\"wide\"><table><thead><tr><th>State</th><th>Command</th><th>Device</th><th>Scope, reason</th><th>Issued</th><th>Expires</th><th>Carried out</th></tr></thead><tbody>");
        for w in wipes {
            let hint = w.hint().map(|h| format!("<br><span class=\"hint\">{}</span>", text(&h))).unwrap_or_default();
            html.push_str(&format!(
                "<tr data-command=\"{id}\" data-state=\"{state}\"><td>{badge}{hint}</td><td><code>{id_text}</code></td><td>{user}<br><code class=\"hint\">{device}</code></td><td>{scope}, {reason}</td><td>{issued}<br><span class=\"hint\">by {by}</span></td><td>{expires}</td><td>{done}</td></tr>",
                id = attr(&w.command_id),
                state = w.state.code(),
                badge = badge(w.state.code()),
                id_text = text(&w.command_id),
                device = text(&w.device_id),
                user = text(w.mdm_user.as_deref().unwrap_or("-")),
                scope = text(&w.scope),
                reason = text(&w.reason),
                issued = w.issued_at.map_or_else(|| "on the phone".into(), time_html),
                by = text(w.issued_by.as_deref().unwrap_or("a local trigger")),
                expires = w.expires_at.map_or_else(|| "-".into(), time_html),
                done = w.completed_at.map_or_else(|| "-".into(), time_html),
            ));
        }
        html.push_str("</tbody></table></div>");
    }
    html.push_str("<h2>Activity logs</h2>");
    if log_findings.is_empty() {
        html.push_str(
            "<p>No fork, gap or rollback: every archived export and every checkpoint the devices signed agree.</p>",
        );
    } else {
        html.push_str("<div class=\"wide\"><table><thead><tr><th>Finding</th><th>Device</th><th>From seq</th><th>What</th></tr></thead><tbody>");
        for f in log_findings {
            html.push_str(&format!(
                "<tr data-log-finding=\"{kind}\" data-device=\"{id}\"><td><span class=\"state st-flagged\">{kind}</span></td><td><code>{device}</code></td><td>{seq}</td><td>{detail}</td></tr>",
                kind = attr(f.kind),
                id = attr(&f.device_id),
                device = text(&f.device_id),
                seq = f.seq,
                detail = text(&f.detail),
            ));
        }
        html.push_str("</tbody></table></div>");
    }
    // Adds the viewer's local format beside each ISO time; the page reads the same without it.
    html.push_str(
        "<script>for(const t of document.querySelectorAll('time[datetime]')){const d=new Date(t.getAttribute('datetime'));\
         if(!isNaN(d)){const s=document.createElement('span');s.className='lt';s.textContent='('+d.toLocaleString()+')';t.appendChild(s);}}</script>\
         </body></html>\n",
    );
    html
}

/// The phones holding contacts past their cleanup age, worst first, then those that cannot
/// count theirs. A table of its own rather than the devices table sorted by cleanup: that one
/// stays by user, as IT looks a clinician's phone up in it, while the monthly privacy check
/// wants the phones to act on together, the oldest contact at the top.
fn cleanup_section(html: &mut String, devices: &[DeviceRow], summary: &Summary) {
    html.push_str("<h2>Contacts past their cleanup age</h2>");
    let listed = fleet_cleanup::to_check(devices);
    if listed.is_empty() {
        html.push_str(&format!("<p>{}.</p>", text(&summary.line())));
        return;
    }
    html.push_str("<div class=\"wide\"><table data-cleanup-table><thead><tr><th>Cleanup</th><th>User</th><th>Device</th><th>Past their age</th><th>Oldest</th><th>Held</th><th>Last run</th></tr></thead><tbody>");
    for d in listed {
        let Some(c) = &d.cleanup else { continue };
        let state = fleet_cleanup::state(d);
        let count = |n: Option<i64>| n.map_or_else(|| "unknown".into(), |n| n.to_string());
        html.push_str(&format!(
            "<tr data-cleanup-device=\"{id}\" data-cleanup=\"{state}\"><td>{badge}</td><td>{user}</td><td><code>{id_text}</code></td><td>{overdue} <span class=\"hint\">(past {age} days)</span></td><td class=\"nw\">{oldest}</td><td>{held}</td><td>{run}</td></tr>",
            id = attr(&d.device_id),
            badge = badge(state),
            user = text(d.mdm_user.as_deref().unwrap_or("-")),
            id_text = text(&d.device_id),
            overdue = count(c.overdue),
            age = c.age_days,
            oldest = c.oldest_days.map_or_else(|| "-".into(), |o| format!("{o} days")),
            held = count(c.held),
            run = match (c.ran_at, c.end) {
                (Some(at), Some(end)) => format!("{} <span class=\"hint\">({})</span>", time_html(at), text(fleet_cleanup::end_words(end))),
                _ => "never".into(),
            },
        ));
    }
    html.push_str("</tbody></table></div>");
}

fn badge(state: &str) -> String {
    format!("<span class=\"state st-{state}\">{state}</span>")
}

/// ISO 8601 to the minute (what a person reads), the exact second in `datetime`.
fn time_html(seconds: i64) -> String {
    let iso = time(seconds);
    let minutes = chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%MZ").to_string())
        .unwrap_or_default();
    format!("<time datetime=\"{}\">{}</time>", attr(&iso), text(&minutes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, user: &str, stale: bool) -> DeviceRow {
        DeviceRow {
            device_id: id.into(),
            enrollment_id: "enr_1".into(),
            device_key: "k".into(),
            platform: "android".into(),
            os_version: "16".into(),
            app_version: "0.1.0".into(),
            policy_version: 3,
            checklist: "current".into(),
            mdm_device_id: None,
            mdm_user: Some(user.into()),
            wipe_under_way: None,
            first_report_at: 0,
            last_report_at: 1_800_000_000,
            last_checkin: None,
            flag: None,
            stale,
            wiped: false,
            retired_at: None,
            config: None,
            key_set: None,
            relay_checkin: None,
            cleanup: None,
            cleanup_overdue: false,
        }
    }

    #[test]
    fn text_from_the_ledger_is_escaped_and_states_have_words() {
        let page =
            page("North <Clinic>", &[device("dev_1", "<script>alert(1)</script>", true)], &[], &[], 1_800_200_000);
        assert!(page.contains("North &lt;Clinic&gt;"));
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("data-state=\"stale\"") && page.contains(">stale</span>"));
        assert!(page.contains("<li data-count=\"stale\"><b>1</b>"));
        assert!(page.contains("default-src 'none'"), "no network");
    }
}
