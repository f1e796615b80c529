//! Figure 2c: the cipher's own floor for one append per transaction. Each commit writes its pages
//! to the WAL, and SQLCipher encrypts and authenticates every one (AES-256-CBC under a fresh
//! random IV, then HMAC-SHA512 over the ciphertext, the IV and the page number: SQLCipher 4's
//! defaults). Plain SQLite pays neither, so "≤ 1.3× plain SQLite" can be out of reach for a
//! reason no code of ours can change. This counts the pages a commit writes (WAL frames over a run
//! of appends, checkpoints held off) and times that per-page work with the same OpenSSL build
//! SQLCipher links, so the floor is: plain SQLite's time per commit + pages × one page's cost.

use crate::fixtures::{self, Scratch, DATABASE, SECRETS};
use anyhow::{ensure, Context, Result};
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use openssl::symm::{Cipher, Crypter, Mode};
use rusqlite::Connection;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;
use televisit_core::keys::DataKey;
use televisit_core::log::{self, PatientRef};

/// SQLCipher 4's default page size and reserve (16-byte IV + 64-byte HMAC-SHA512).
const PAGE: usize = 4096;
const RESERVE: usize = 16 + 64;

/// Pages written to the WAL per commit when each transaction appends one entry, on a log of
/// `existing` entries (the page count of an index split is averaged in).
pub fn frames_per_commit(work: &Path, existing: u64) -> Result<f64> {
    let dir = work.join("frames");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let _scratch = Scratch(dir.clone());
    let secrets = crate::file_secrets::FileSecretStore::new(&dir.join(SECRETS))?;
    drop(fixtures::open(&dir.join(DATABASE), &secrets)?);
    let conn = fixtures::raw_connection(&dir.join(DATABASE), &secrets)?;
    let key = DataKey::generate()?.log_mac_key();
    let refs = fixtures::patient_refs(64)?;
    append(&conn, &key, &refs, 0, existing)?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    checkpoint(&conn, "TRUNCATE")?;
    let commits = 500;
    append(&conn, &key, &refs, existing, commits)?;
    let frames = checkpoint(&conn, "PASSIVE")?;
    Ok(frames as f64 / commits as f64)
}

fn append(conn: &Connection, key: &ring::hmac::Key, refs: &[PatientRef], from: u64, count: u64) -> Result<()> {
    for i in from..from + count {
        let tx = conn.unchecked_transaction()?;
        log::append_to(&tx, key, chrono::Utc::now(), &fixtures::entry(i, refs))?;
        tx.commit()?;
    }
    Ok(())
}

/// Runs a checkpoint; returns the frames the WAL held.
fn checkpoint(conn: &Connection, mode: &str) -> Result<i64> {
    let (busy, frames): (i64, i64) =
        conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| Ok((row.get(0)?, row.get(1)?)))?;
    ensure!(busy == 0, "the checkpoint was blocked");
    Ok(frames)
}

/// Microseconds to encrypt and authenticate one page as SQLCipher does it, median of rounds.
pub fn page_cost_us(pages_per_round: usize, rounds: usize) -> Result<f64> {
    let cipher = Cipher::aes_256_cbc();
    let key = [0x5au8; 32];
    let hmac_key = PKey::hmac(&[0xa5u8; 32]).context("HMAC key")?;
    let plain = vec![0x42u8; PAGE - RESERVE];
    let mut out = vec![0u8; PAGE - RESERVE + cipher.block_size()];
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        for pgno in 0..pages_per_round {
            let mut iv = [0u8; 16];
            openssl::rand::rand_bytes(&mut iv)?;
            let mut crypter = Crypter::new(cipher, Mode::Encrypt, &key, Some(&iv))?;
            crypter.pad(false);
            let n = crypter.update(&plain, &mut out)?;
            let mut signer = Signer::new(MessageDigest::sha512(), &hmac_key)?;
            signer.update(&out[..n])?;
            signer.update(&iv)?;
            signer.update(&u32::try_from(pgno)?.to_le_bytes())?;
            black_box(signer.sign_to_vec()?);
        }
        samples.push(start.elapsed().as_secs_f64() * 1e6 / pages_per_round as f64);
    }
    Ok(crate::stats::median(&samples))
}
