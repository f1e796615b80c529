//! The fleet act's keys, as a hospital runs them: the organisation's first key becomes the
//! offline root; the cron host holds only a bulletin key; policies and codes have their own key;
//! each admin wipes with their own key, and an admin who leaves is revoked. The same library
//! calls `televisit-admin keys …` makes, on real key files.

use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use televisit_admin::bulletin_sign::{self, Signed};
use televisit_admin::keys::{self, Change, Outcome, DEFAULT_KEY_VALID_SECONDS};
use televisit_admin::ledger::Ledger;
use televisit_admin::org::Org;
use televisit_core::it::managed::{keys as managed, ManagedOutcome};
use televisit_core::it::wipe;
use televisit_core::{SecretStore, Televisit};
use televisit_protocol::keyset::{Role, Signer};

/// Where each key file lives: the cron host's, the policy signer's, each admin's.
pub struct FleetKeys {
    pub bulletin: PathBuf,
    pub policy: PathBuf,
    pub alice: PathBuf,
    pub bob: PathBuf,
}

impl FleetKeys {
    /// The key set's roles handed out, version by version, each signed by the root in the vault.
    pub fn split(org: &mut Org, dir: &Path, now: i64) -> Result<FleetKeys> {
        let at = |name: &str| dir.join(name);
        let made = FleetKeys {
            bulletin: at("cron-bulletin.pk8"),
            policy: at("it-policy.pk8"),
            alice: at("alice-wipe.pk8"),
            bob: at("bob-wipe.pk8"),
        };
        let valid = DEFAULT_KEY_VALID_SECONDS;
        let steps = [
            (
                "keys rotate-bulletin --out cron-bulletin.pk8",
                Change::RotateBulletin { valid_seconds: valid, out: made.bulletin.clone() },
            ),
            (
                "keys add policy --roles policy,enroll --out it-policy.pk8",
                Change::Add {
                    name: "policy".into(),
                    roles: vec![Role::Policy, Role::Enroll],
                    valid_seconds: valid,
                    out: made.policy.clone(),
                },
            ),
            (
                "keys add-admin alice --out alice-wipe.pk8",
                Change::Add {
                    name: "alice".into(),
                    roles: vec![Role::Wipe],
                    valid_seconds: valid,
                    out: made.alice.clone(),
                },
            ),
            (
                "keys add-admin bob --out bob-wipe.pk8",
                Change::Add {
                    name: "bob".into(),
                    roles: vec![Role::Wipe],
                    valid_seconds: valid,
                    out: made.bob.clone(),
                },
            ),
            ("keys revoke org", Change::Revoke { name: "org".into() }),
        ];
        for (command, change) in steps {
            let version = published(keys::change(org, change, &[], now)?.0)?;
            println!("      $ televisit-admin {command} --org fleet-org   → key set version {version}");
        }
        println!(
            "   the organisation's first key is now the root only (1 of 1), kept offline; the cron host holds cron-bulletin.pk8 alone, which signs bulletins and nothing else"
        );
        Ok(made)
    }

    pub fn signer(&self, org: &Org, key: &Path, role: Role, now: i64) -> Result<Signer> {
        Ok(org.signer(Some(key), role, now)?.signer)
    }

    /// The cron host's run: `bulletin sign --key cron-bulletin.pk8`.
    pub fn bulletin(&self, org: &Org, ledger: &mut Ledger, now: i64) -> Result<Signed> {
        bulletin_sign::sign_next(org, ledger, Some(&self.bulletin), 86_400, &[], now)
    }

    /// Bob leaves: IT revokes his key; the next bulletin takes the new set to phone A; a wipe
    /// signed with Bob's old key (his copy was never destroyed) reaches it, and is refused.
    pub fn revoke_bob(
        &self,
        org: &mut Org,
        ledger: &mut Ledger,
        phone: (&Televisit, &dyn SecretStore),
        target: (&str, &str),
        now: i64,
    ) -> Result<()> {
        // Signed while Bob's key was still in the set.
        let bob = self.signer(org, &self.bob, Role::Wipe, now)?;
        let mut command =
            televisit_admin::wipe_command(target.0, target.1, wipe::WipeScope::All, wipe::WipeReason::Other, 14, now)?;
        command.signed_by = bob.name.clone();
        let text = wipe::issue(&bob, &command)?;
        let version = published(keys::change(org, Change::Revoke { name: "bob".into() }, &[], now)?.0)?;
        println!("   Bob leaves the hospital. $ televisit-admin keys revoke bob --org fleet-org   → key set version {version}");
        let signed = self.bulletin(org, ledger, now)?;
        let (tv, secrets) = phone;
        let config =
            HashMap::from([(managed::BULLETIN.to_owned(), signed.text), (managed::WIPE_COMMAND.to_owned(), text)]);
        let report = tv.apply_managed_config(secrets, &config)?;
        let ManagedOutcome::Refused { code, message } = &report.wipe else {
            anyhow::bail!("phone A took a wipe signed by a revoked admin: {:?}", report.wipe);
        };
        anyhow::ensure!(code == "unknown_signer" && !report.wipe_started, "phone A: {code}");
        let held = tv.key_set(secrets)?.context("phone A holds no key set")?;
        println!(
            "      phone A takes key set version {} from the bulletin; a wipe signed with Bob's old key reaches it (wipe_command) → refused: {message}",
            held.version
        );
        Ok(())
    }
}

fn published(outcome: Outcome) -> Result<u64> {
    match outcome {
        Outcome::Published { version } => Ok(version),
        Outcome::Proposed { .. } => anyhow::bail!("the key set change waits for a root signature"),
    }
}
