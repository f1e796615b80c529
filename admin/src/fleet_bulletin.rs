//! The bulletin IT signs on a schedule and pushes to every phone through its MDM: contact with
//! IT, the organisation's pending wipes, and IT's word on what it received (archived logs, wipe
//! receipts). One value in every phone's managed configuration, so it is kept within what every
//! channel carries: Android stores a restriction string in at most 65,535 bytes, and a bulletin
//! that does not fit reaches no Android phone at all. What does not fit waits for a later
//! bulletin, the most urgent first in: wipes, then receipt confirmations, then log confirmations.

use anyhow::{bail, Context, Result};
use std::collections::HashMap;
use televisit_protocol::bulletin::{self, Bulletin, FleetWipe, BULLETIN_VERSION, MAX_VALID_SECONDS, MAX_WIPES};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::wipe::WipeScope;
use televisit_protocol::{ids, wipe};

/// The longest bulletin text `bulletin sign` makes: under Android's 65,535-byte string limit,
/// with room for an MDM's own wrapping. (Intune, Jamf Pro and Workspace ONE document no limit.)
pub const MAX_BULLETIN_CHARS: usize = 60_000;

/// What a bulletin confirms IT received from its phones, each list most urgent first
/// (`Ledger::confirmations`): a confirmation left out now goes in a later bulletin.
#[derive(Debug, Clone, Default)]
pub struct Confirmations {
    /// Per device, the newest log entry archived without a gap; freshest archive first.
    pub logs: Vec<(String, u64)>,
    /// Per device, the command ids of the newest wipe receipt held; most recently seen first.
    pub receipts: Vec<(String, Vec<String>)>,
    /// The wipe commands IT cancelled that have not expired (`Ledger::cancelled_wipes`): every
    /// phone refuses them from then on.
    pub cancelled: Vec<String>,
}

impl Confirmations {
    pub fn len(&self) -> usize {
        self.logs.len() + self.receipts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A bulletin valid for `valid_seconds` from `now`, holding the wipe commands given (each a
/// signed command from `wipe issue`, checked against the organisation's key).
pub fn make_bulletin(
    org: &SigningKey,
    valid_seconds: i64,
    commands: &[String],
    now: i64,
) -> Result<(Bulletin, String)> {
    make_fleet_bulletin(org, valid_seconds, commands, Vec::new(), Confirmations::default(), now)
}

/// A bulletin holding the commands given and the ledger's pending wipes (a command in both is
/// carried once), confirming what IT holds from each device (its log as far as the archive holds
/// it, its wipe receipt), within `MAX_BULLETIN_CHARS`.
pub fn make_fleet_bulletin(
    org: &SigningKey,
    valid_seconds: i64,
    commands: &[String],
    pending: Vec<FleetWipe>,
    confirmations: Confirmations,
    now: i64,
) -> Result<(Bulletin, String)> {
    if !(1..=MAX_VALID_SECONDS).contains(&valid_seconds) {
        bail!("a bulletin is valid for at most 31 days");
    }
    let mut wipes = Vec::new();
    for (i, text) in commands.iter().enumerate() {
        let command = wipe::open_command(text, &org.public_key()).map_err(|refusal| {
            anyhow::anyhow!("wipe command {} of {}: {}", i + 1, commands.len(), refusal.describe())
        })?;
        if command.expires_at <= now {
            bail!("wipe command {} of {} ({}) has expired: issue a new one", i + 1, commands.len(), command.command_id);
        }
        wipes.push(FleetWipe {
            device_id: command.device_id,
            enrollment_id: command.enrollment_id,
            command_id: command.command_id,
            scope: command.scope,
            reason: command.reason,
            expires_at: command.expires_at,
        });
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
        wipes: Vec::new(),
        logs: Default::default(),
        receipts: Default::default(),
        cancelled: Vec::new(),
    };
    fit(org, empty, one_per_device(wipes), confirmations)
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
    Wipe,
    Receipt(String),
    Log(String),
}

/// Fills `made` in priority order while the estimate fits, then signs, and gives entries back
/// from the least urgent end until the signed text fits (the estimate is close, not exact).
fn fit(org: &SigningKey, mut made: Bulletin, wipes: Vec<FleetWipe>, c: Confirmations) -> Result<(Bulletin, String)> {
    // The payload is base64url in the envelope: each byte of JSON costs 4/3 of a character.
    // Entries are measured as they are signed, devices and enrollments named by their tags, so
    // that the estimate is close and the loop below signs again rarely.
    let cost = |json_bytes: usize| json_bytes.saturating_mul(4).div_ceil(3) + 1;
    let tag = bulletin::device_tag;
    let mut used = bulletin::sign(org, &made)?.len();
    let mut order = Vec::new();
    // Cancellations before anything else: a wipe IT took back must never run for want of room.
    for command in c.cancelled.into_iter().take(bulletin::MAX_WIPES) {
        used += cost(command.len() + 3);
        made.cancelled.push(command);
    }
    for wipe in wipes {
        let signed = FleetWipe {
            device_id: tag(&wipe.device_id),
            enrollment_id: bulletin::enrollment_tag(&wipe.enrollment_id),
            ..wipe.clone()
        };
        let add = cost(serde_json::to_string(&signed)?.len() + 1);
        if used + add > MAX_BULLETIN_CHARS {
            break;
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
    loop {
        let text = bulletin::sign(org, &made)?;
        if text.len() <= MAX_BULLETIN_CHARS {
            return Ok((made, text));
        }
        match order.pop() {
            Some(Entry::Log(device)) => drop(made.logs.remove(&device)),
            Some(Entry::Receipt(device)) => drop(made.receipts.remove(&device)),
            Some(Entry::Wipe) => drop(made.wipes.pop()),
            None => return Ok((made, text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use televisit_protocol::vectors;

    #[test]
    fn a_bulletin_carries_the_commands_it_is_given_and_refuses_others() {
        let org = vectors::org_key();
        let now = vectors::ISSUED_AT;
        let (made, text) = make_bulletin(&org, 86_400, &[vectors::wipe_command()], now).unwrap();
        assert_eq!(made.wipes.len(), 1);
        let opened = bulletin::open(&text, &org.public_key()).unwrap();
        assert_eq!(
            opened.wipe_for(vectors::DEVICE_ID, vectors::ENROLLMENT_ID).unwrap().command_id,
            vectors::COMMAND_ID
        );
        let other = SigningKey::from_seed(&[9; 32]).unwrap();
        assert!(make_bulletin(&other, 86_400, &[vectors::wipe_command()], now).is_err(), "another org's command");
        assert!(make_bulletin(&org, 86_400, &[vectors::wipe_command()], now + 30 * 86_400).is_err(), "expired");
        assert!(make_bulletin(&org, 40 * 86_400, &[], now).is_err());
    }

    #[test]
    fn two_wipes_for_one_device_and_more_devices_than_a_bulletin_holds_still_make_a_bulletin() {
        let org = vectors::org_key();
        let now = vectors::ISSUED_AT;
        let wipe = |device: &str, scope: WipeScope, expires_at: i64| FleetWipe {
            device_id: device.to_owned(),
            enrollment_id: ids::random_id("enr").unwrap(),
            command_id: ids::random_id("cmd").unwrap(),
            scope,
            reason: wipe::WipeReason::Lost,
            expires_at,
        };
        let lost = ids::random_id("dev").unwrap();
        let contacts = wipe(&lost, WipeScope::Contacts, now + 7_200);
        let all = wipe(&lost, WipeScope::All, now + 3_600);
        let again = wipe(&lost, WipeScope::All, now + 5_000);
        let pending = vec![contacts.clone(), all, again.clone()];
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], pending, Confirmations::default(), now).unwrap();
        assert_eq!(made.wipes, vec![again.clone()], "the widest scope, then the newest");
        assert_eq!(
            bulletin::open(&text, &org.public_key()).unwrap().wipe_for(&lost, &again.enrollment_id).unwrap().command_id,
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
        assert_eq!(made.wipes, many[..MAX_WIPES].to_vec());
        assert!(bulletin::open(&text, &org.public_key()).is_ok());
    }

    #[test]
    fn a_fleet_too_big_for_one_bulletin_gets_its_wipes_first_and_the_rest_in_later_bulletins() {
        let org = vectors::org_key();
        let now = vectors::ISSUED_AT;
        let wipes: Vec<FleetWipe> = (0..MAX_WIPES)
            .map(|_| FleetWipe {
                device_id: ids::random_id("dev").unwrap(),
                enrollment_id: ids::random_id("enr").unwrap(),
                command_id: ids::random_id("cmd").unwrap(),
                scope: WipeScope::All,
                reason: wipe::WipeReason::Lost,
                expires_at: now + 60,
            })
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
        assert!(bulletin::open(&text, &org.public_key()).is_ok());
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
            cancelled: (0..20).map(|_| ids::random_id("cmd").unwrap()).collect(),
        };
        let (made, text) = make_fleet_bulletin(&org, 86_400, &[], wipes, huge, now).unwrap();
        assert!(text.len() <= MAX_BULLETIN_CHARS);
        assert_eq!(made.cancelled.len(), 20);
    }
}
