//! The bulletin IT signs on a schedule and pushes to every phone through its MDM: contact with
//! IT, the organisation's pending wipes, and IT's word on what it received (archived logs, wipe
//! receipts). One value in every phone's managed configuration, so it is kept within what every
//! channel carries: Android stores a restriction string in at most 65,535 bytes, and a bulletin
//! that does not fit reaches no Android phone at all. What does not fit waits for a later
//! bulletin, the most urgent first in: wipes, then receipt confirmations, then log confirmations.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use televisit_protocol::bulletin::{self, Bulletin, FleetWipe, BULLETIN_VERSION, MAX_VALID_SECONDS, MAX_WIPES};
use televisit_protocol::ids;
use televisit_protocol::keyset::{KeySet, Signer};
use televisit_protocol::wipe::WipeScope;

/// What signs a bulletin: the bulletin key, the key set it is checked against (the newest), and
/// the key set links it carries to the phones.
pub struct BulletinKeys<'a> {
    pub signer: &'a Signer,
    pub keys: &'a KeySet,
    pub links: Vec<String>,
}

/// The longest bulletin text `bulletin sign` makes: under Android's 65,535-byte string limit,
/// with room for an MDM's own wrapping. (Intune, Jamf Pro and Workspace ONE document no limit.)
pub const MAX_BULLETIN_CHARS: usize = 60_000;

pub use televisit_ledger::Confirmations;

/// A bulletin valid for `valid_seconds` from `now`, holding the wipe commands given (each a
/// signed command from `wipe issue`, checked against the organisation's key set).
pub fn make_bulletin(
    by: &BulletinKeys,
    valid_seconds: i64,
    commands: &[String],
    now: i64,
) -> Result<(Bulletin, String)> {
    make_fleet_bulletin(by, valid_seconds, commands, Vec::new(), Confirmations::default(), now)
}

/// A bulletin holding the commands given and the ledger's pending wipes (a command in both is
/// carried once), confirming what IT holds from each device (its log as far as the archive holds
/// it, its wipe receipt), within `MAX_BULLETIN_CHARS`.
pub fn make_fleet_bulletin(
    by: &BulletinKeys,
    valid_seconds: i64,
    commands: &[String],
    pending: Vec<FleetWipe>,
    confirmations: Confirmations,
    now: i64,
) -> Result<(Bulletin, String)> {
    if !(1..=MAX_VALID_SECONDS).contains(&valid_seconds) {
        bail!("a bulletin is valid for at most 31 days");
    }
    if by.signer.name.is_some() && valid_seconds > bulletin::MAX_ONLINE_VALID_SECONDS {
        bail!("a bulletin signed by the bulletin key is valid for at most 48 hours: sign them more often");
    }
    let mut wipes = Vec::new();
    for (i, text) in commands.iter().enumerate() {
        let entry = FleetWipe::from_command(text, by.keys).map_err(|refusal| {
            anyhow::anyhow!("wipe command {} of {}: {}", i + 1, commands.len(), refusal.describe())
        })?;
        if entry.expires_at <= now {
            bail!("wipe command {} of {} ({}) has expired: issue a new one", i + 1, commands.len(), entry.command_id);
        }
        wipes.push(entry);
    }
    for wipe in pending {
        if wipe.expires_at > now && !wipes.iter().any(|w: &FleetWipe| w.command_id == wipe.command_id) {
            wipes.push(wipe);
        }
    }
    let expires_at = now.checked_add(valid_seconds).context("the system clock is out of range")?;
    let empty = Bulletin {
        v: BULLETIN_VERSION,
        bulletin_id: ids::random_id("blt")?,
        issued_at: now,
        expires_at,
        signed_by: by.signer.name.clone(),
        keys: by.links.clone(),
        wipes: Vec::new(),
        logs: Default::default(),
        receipts: Default::default(),
        cancelled: Vec::new(),
    };
    fit(by.signer, empty, one_per_device(wipes), confirmations)
}

/// The protocol allows one entry per device and at most `MAX_WIPES`: a bulletin that breaks
/// either cannot be signed, and then no phone checks in. So two wipes pending for one device
/// (issued twice, or contacts then all) give the bulletin the wider scope, then the newer; the
/// other stays pending in the ledger for a later bulletin, as do devices beyond the limit (the
/// oldest commands go first).
fn one_per_device(candidates: Vec<FleetWipe>) -> Vec<FleetWipe> {
    let rank = |w: &FleetWipe| (w.scope == WipeScope::All, w.expires_at);
    let mut chosen: Vec<FleetWipe> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for wipe in candidates {
        match index.get(&wipe.device_id) {
            Some(&at) => {
                if rank(&wipe) > rank(&chosen[at]) {
                    chosen[at] = wipe;
                }
            }
            None => {
                index.insert(wipe.device_id.clone(), chosen.len());
                chosen.push(wipe);
            }
        }
    }
    chosen.truncate(MAX_WIPES);
    chosen
}

/// Which entries went in, in the order they went (the last given back first when over).
enum Entry {
    Cancel,
    Wipe,
    Receipt(String),
    Log(String),
}

/// Fills `made` in priority order while the estimate fits, then signs, and gives entries back
/// from the least urgent end until the signed text fits (the estimate is close, not exact).
fn fit(org: &Signer, mut made: Bulletin, wipes: Vec<FleetWipe>, c: Confirmations) -> Result<(Bulletin, String)> {
    // The payload is base64url in the envelope: each byte of JSON costs 4/3 of a character.
    // Entries are measured as they are signed, devices and enrollments named by their tags, so
    // that the estimate is close and the loop below signs again rarely.
    let cost = |json_bytes: usize| json_bytes.saturating_mul(4).div_ceil(3) + 1;
    let tag = bulletin::device_tag;
    let mut used = bulletin::sign(org, &made)?.len();
    let mut order = Vec::new();
    // Cancellations before anything else (the newest first): a wipe IT took back must never
    // run for want of room. Those that do not fit wait, as everything else does.
    for cancel in c.cancelled.into_iter().take(bulletin::MAX_WIPES) {
        let add = cost(serde_json::to_string(&cancel)?.len() + 1);
        if used + add > MAX_BULLETIN_CHARS {
            break;
        }
        used += add;
        made.cancelled.push(cancel);
        order.push(Entry::Cancel);
    }
    for wipe in wipes {
        let signed = FleetWipe {
            device_id: tag(&wipe.device_id),
            enrollment_id: bulletin::enrollment_tag(&wipe.enrollment_id),
            ..wipe.clone()
        };
        let add = cost(serde_json::to_string(&signed)?.len() + 1);
        if used + add > MAX_BULLETIN_CHARS {
            // The wipes left wait for the next bulletin, and the confirmations behind them too.
            return sign_within(org, made, order);
        }
        used += add;
        made.wipes.push(wipe);
        order.push(Entry::Wipe);
    }
    for (device, commands) in c.receipts {
        let add = cost(serde_json::to_string(&(tag(&device), &commands))?.len());
        if used + add > MAX_BULLETIN_CHARS || made.receipts.len() >= bulletin::MAX_RECEIPT_CONFIRMATIONS {
            continue;
        }
        used += add;
        order.push(Entry::Receipt(device.clone()));
        made.receipts.insert(device, commands);
    }
    for (device, through) in c.logs {
        let add = cost(serde_json::to_string(&(tag(&device), through))?.len());
        if used + add > MAX_BULLETIN_CHARS || made.logs.len() >= bulletin::MAX_LOG_CONFIRMATIONS {
            continue;
        }
        used += add;
        order.push(Entry::Log(device.clone()));
        made.logs.insert(device, through);
    }
    sign_within(org, made, order)
}

/// Signs, giving entries back from the least urgent end until the text fits.
fn sign_within(org: &Signer, mut made: Bulletin, mut order: Vec<Entry>) -> Result<(Bulletin, String)> {
    loop {
        let text = bulletin::sign(org, &made)?;
        if text.len() <= MAX_BULLETIN_CHARS {
            return Ok((made, text));
        }
        match order.pop() {
            Some(Entry::Log(device)) => drop(made.logs.remove(&device)),
            Some(Entry::Receipt(device)) => drop(made.receipts.remove(&device)),
            Some(Entry::Wipe) => drop(made.wipes.pop()),
            Some(Entry::Cancel) => drop(made.cancelled.pop()),
            // Past what a bulletin holds, the oldest root change goes (a phone that missed it
            // and every change since re-enrolls); only with one link left is it an error.
            None if made.keys.len() > 1 => drop(made.keys.remove(0)),
            // An Android phone takes no longer value: a bulletin this long reaches none of them.
            None => bail!(
                "the bulletin is {} characters with nothing in it but its key set links, over the {MAX_BULLETIN_CHARS} an Android phone takes",
                text.len()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use televisit_protocol::vectors;
    use televisit_protocol::wipe::{self, WipeCommand, WipeReason};

    /// A legacy organisation's one key, signing bulletins and the wipes in them.
    fn org() -> (Signer, KeySet) {
        (vectors::org(), vectors::legacy_keys())
    }

    /// An entry for a wipe of `device` the org signed.
    fn entry(signer: &Signer, keys: &KeySet, device: &str, scope: WipeScope, expires_at: i64) -> FleetWipe {
        let command = WipeCommand {
            device_id: device.to_owned(),
            enrollment_id: ids::random_id("enr").unwrap(),
            command_id: ids::random_id("cmd").unwrap(),
            scope,
            reason: WipeReason::Lost,
            issued_at: vectors::ISSUED_AT,
            not_before: vectors::ISSUED_AT - 300,
            expires_at,
            ..vectors::command()
        };
        FleetWipe::from_command(&wipe::issue(signer, &command).unwrap(), keys).unwrap()
    }

    #[test]
    fn a_bulletin_carries_the_commands_it_is_given_and_refuses_others() {
        let (signer, keys) = org();
        let by = BulletinKeys { signer: &signer, keys: &keys, links: Vec::new() };
        let now = vectors::ISSUED_AT;
        let (made, text) = make_bulletin(&by, 86_400, &[vectors::wipe_command()], now).unwrap();
        assert_eq!(made.wipes.len(), 1);
        let opened = bulletin::open(&text, &keys).unwrap().bulletin;
        assert_eq!(
            opened.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID, &keys).unwrap().unwrap().command_id,
            vectors::COMMAND_ID
        );
        let other = televisit_protocol::envelope::SigningKey::from_seed(&[9; 32]).unwrap();
        let other_keys = KeySet::legacy(&other.public_key(), vectors::RECIPIENT);
        let other = Signer::legacy(other);
        let by_other = BulletinKeys { signer: &other, keys: &other_keys, links: Vec::new() };
        assert!(make_bulletin(&by_other, 86_400, &[vectors::wipe_command()], now).is_err(), "another org's command");
        assert!(make_bulletin(&by, 86_400, &[vectors::wipe_command()], now + 30 * 86_400).is_err(), "expired");
        assert!(make_bulletin(&by, 40 * 86_400, &[], now).is_err());
        // The bulletin key: at most 48 hours, and a wipe only as an admin signed it.
        let bulletin_keys = vectors::key_set();
        let online = vectors::bulletin_key();
        let by_online = BulletinKeys { signer: &online, keys: &bulletin_keys, links: vec![vectors::key_set_link()] };
        let err = make_bulletin(&by_online, 72 * 3600, &[], now).unwrap_err().to_string();
        assert!(err.contains("48 hours"), "{err}");
        let legacy_wipe = make_bulletin(&by_online, 86_400, &[vectors::wipe_command()], now).unwrap_err().to_string();
        assert!(legacy_wipe.contains("no longer trusts"), "{legacy_wipe}");
        let admins = wipe::issue(
            &vectors::admin(),
            &WipeCommand { signed_by: Some(vectors::ADMIN.into()), ..vectors::command() },
        )
        .unwrap();
        let (made, text) = make_bulletin(&by_online, 86_400, &[admins], now).unwrap();
        assert_eq!(made.wipes[0].signed_by.as_deref(), Some(vectors::ADMIN));
        let opened = bulletin::open(&text, &vectors::legacy_keys()).unwrap();
        assert_eq!(opened.newer_keys, Some(bulletin_keys), "a phone follows the link it carries");
    }

    #[test]
    fn two_wipes_for_one_device_and_more_devices_than_a_bulletin_holds_still_make_a_bulletin() {
        let (signer, keys) = org();
        let org = BulletinKeys { signer: &signer, keys: &keys, links: Vec::new() };
        let now = vectors::ISSUED_AT;
        let wipe = |device: &str, scope: WipeScope, expires_at: i64| entry(&signer, &keys, device, scope, expires_at);
        let lost = ids::random_id("dev").unwrap();
        let contacts = wipe(&lost, WipeScope::Contacts, now + 7_200);
        let all = wipe(&lost, WipeScope::All, now + 3_600);
        let again = wipe(&lost, WipeScope::All, now + 5_000);
        let pending = vec![contacts.clone(), all, again.clone()];
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], pending, Confirmations::default(), now).unwrap();
        assert_eq!(made.wipes, vec![again.clone()], "the widest scope, then the newest");
        assert_eq!(
            bulletin::open(&text, &keys)
                .unwrap()
                .bulletin
                .wipe_for(&lost, &again.enrollment_id, &keys)
                .unwrap()
                .unwrap()
                .command_id,
            again.command_id
        );
        // Contacts only, twice: the newer.
        let newer = wipe(&lost, WipeScope::Contacts, now + 9_000);
        let (made, _) =
            make_fleet_bulletin(&org, 86_400, &[], vec![contacts, newer.clone()], Confirmations::default(), now)
                .unwrap();
        assert_eq!(made.wipes, vec![newer]);
        // A fleet's worth of lost phones at once: the oldest MAX_WIPES go now, the rest stay pending.
        let many: Vec<FleetWipe> =
            (0..MAX_WIPES + 50).map(|_| wipe(&ids::random_id("dev").unwrap(), WipeScope::All, now + 60)).collect();
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], many.clone(), Confirmations::default(), now).unwrap();
        // Each entry carries its admin's signature: about 120 fit in what Android stores.
        assert!(made.wipes.len() > 100, "{} wipes", made.wipes.len());
        assert_eq!(made.wipes, many[..made.wipes.len()].to_vec(), "the oldest first");
        assert!(bulletin::open(&text, &keys).is_ok());
    }

    #[test]
    fn a_fleet_too_big_for_one_bulletin_gets_its_wipes_first_and_the_rest_in_later_bulletins() {
        let (signer, keys) = org();
        let org = BulletinKeys { signer: &signer, keys: &keys, links: Vec::new() };
        let now = vectors::ISSUED_AT;
        let wipes: Vec<FleetWipe> = (0..MAX_WIPES)
            .map(|_| entry(&signer, &keys, &ids::random_id("dev").unwrap(), WipeScope::All, now + 60))
            .collect();
        let confirmations = Confirmations {
            logs: (0..2000).map(|i| (ids::random_id("dev").unwrap(), i)).collect(),
            receipts: (0..500)
                .map(|_| (ids::random_id("dev").unwrap(), vec![ids::random_id("cmd").unwrap()]))
                .collect(),
            cancelled: Vec::new(),
        };
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], wipes.clone(), confirmations.clone(), now).unwrap();
        assert!(text.len() <= MAX_BULLETIN_CHARS, "{} characters", text.len());
        assert!(text.len() > MAX_BULLETIN_CHARS - 1_000, "filled: {} characters", text.len());
        assert!(bulletin::open(&text, &keys).is_ok());
        // The wipes that fit went first, in order; confirmations only after every wipe fitted.
        assert_eq!(made.wipes[..], wipes[..made.wipes.len()]);
        if made.wipes.len() < wipes.len() {
            assert!(made.receipts.is_empty() && made.logs.is_empty());
        }
        // Without wipes: the receipts before the logs, each list most urgent first.
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], Vec::new(), confirmations.clone(), now).unwrap();
        assert!(text.len() <= MAX_BULLETIN_CHARS);
        assert_eq!(made.receipts.len(), 500, "every receipt confirmation fits");
        assert!(!made.logs.is_empty() && made.logs.len() < 2000, "{} logs", made.logs.len());
        let first: Vec<&String> = confirmations.logs[..made.logs.len()].iter().map(|(d, _)| d).collect();
        assert!(first.iter().all(|d| made.logs.contains_key(*d)), "the freshest archives first");
        // A fleet of 10,000 archived logs (it failed outright past 2,000 before), and wipes IT
        // cancelled, which go in before anything else.
        let huge = Confirmations {
            logs: (0..10_000).map(|i| (ids::random_id("dev").unwrap(), i)).collect(),
            receipts: Vec::new(),
            cancelled: (0..20)
                .map(|_| wipe::Cancel::sign(&signer, &ids::random_id("cmd").unwrap(), now).unwrap())
                .collect(),
        };
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], wipes, huge, now).unwrap();
        assert!(text.len() <= MAX_BULLETIN_CHARS);
        assert_eq!(made.cancelled.len(), 20);
    }
}
