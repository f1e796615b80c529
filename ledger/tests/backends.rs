//! The ledger on both backends: one schema, and on PostgreSQL several writers at once (admins
//! at their workstations, relays) without losing a write. The PostgreSQL server is real: the
//! run's (`cargo xtask test`) or one made for this test process.

use std::collections::BTreeSet;
use televisit_ledger::{wipe_command, Ledger, Location, WipeState};
use televisit_protocol::envelope::SigningKey;
use televisit_protocol::keyset::Signer;
use televisit_protocol::wipe::{self, WipeReason, WipeScope};

fn org() -> (SigningKey, String) {
    let key = SigningKey::from_seed(&[7u8; 32]).unwrap();
    let public = key.public_key();
    (key, public)
}

#[test]
fn sqlite_and_postgresql_hold_the_same_tables_and_columns() {
    let Some(url) = televisit_test_postgres::database("schemas") else { return };
    let (_, public) = org();
    let dir = tempfile::tempdir().unwrap();
    let mut sqlite = Ledger::open(dir.path(), &public).unwrap();
    let mut postgres = Ledger::open_at(&Location::parse(&url), &public).unwrap();
    let (a, b) = (sqlite.columns().unwrap(), postgres.columns().unwrap());
    assert!(a.len() >= 12, "{a:?}");
    assert_eq!(a, b, "the PostgreSQL schema has drifted from SQLite's");
    // Opened again, both are at their newest version already: nothing moves.
    drop(postgres);
    let mut again = Ledger::open_at(&Location::parse(&url), &public).unwrap();
    assert_eq!(again.columns().unwrap(), b);
}

/// A relay and IT's tool opening one new ledger file at once (a relay started beside the admin
/// who just made the organisation): each migrates it or finds it migrated; none fails on a
/// column another just added.
#[test]
fn processes_opening_a_new_sqlite_ledger_together_migrate_it_once() {
    let (_, public) = org();
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let opened: Vec<_> = (0..6)
            .map(|_| {
                let (dir, public) = (dir.path().to_owned(), public.clone());
                std::thread::spawn(move || {
                    Ledger::open(&dir, &public).map(|mut l| l.columns().unwrap()).map_err(|e| format!("{e:#}"))
                })
            })
            .collect();
        let columns: Vec<_> = opened.into_iter().map(|t| t.join().unwrap().unwrap()).collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]));
    }
}

#[test]
fn a_postgresql_ledger_of_another_organisation_is_refused() {
    let Some(url) = televisit_test_postgres::database("other_org") else { return };
    let (_, public) = org();
    drop(Ledger::open_at(&Location::parse(&url), &public).unwrap());
    let other = SigningKey::from_seed(&[9u8; 32]).unwrap().public_key();
    let err = Ledger::open_at(&Location::parse(&url), &other).err().expect("refused");
    assert!(format!("{err:#}").contains("another organisation"), "{err:#}");
    // The message names the server and database, never a password.
    let with_password = url.replacen("postgres@", "postgres:hunter2@", 1);
    let err = Ledger::open_at(&Location::parse(&with_password), &other).err().expect("refused");
    assert!(!format!("{err:#}").contains("hunter2"), "{err:#}");
}

#[test]
fn a_server_that_is_not_there_is_unavailable_not_damaged() {
    let (_, public) = org();
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = Ledger::open_at(&Location::parse(&format!("postgres://postgres@127.0.0.1:{port}/x")), &public)
        .err()
        .expect("no server");
    assert!(err.downcast_ref::<televisit_ledger::LedgerUnavailable>().is_some(), "{err:#}");
    assert!(!format!("{err:#}").contains("damaged"), "{err:#}");
}

/// Eight admins issue wipes at once, each through a connection of their own, then four take
/// back wipes others issued, at once: every wipe and every cancellation is in the ledger.
#[test]
fn concurrent_admins_issuing_and_cancelling_wipes_lose_none() {
    let Some(url) = televisit_test_postgres::database("concurrent") else { return };
    let (key, public) = org();
    drop(Ledger::open_at(&Location::parse(&url), &public).unwrap());
    let signer = Signer { key, name: None };
    let now = 1_800_000_000;
    let per_admin = 25;
    let issued: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|admin| {
                let (url, public, signer) = (&url, &public, &signer);
                s.spawn(move || {
                    let mut ledger = Ledger::open_at(&Location::parse(url), public).unwrap();
                    (0..per_admin)
                        .map(|n| {
                            let device = format!("dev_{:024x}", admin * 1000 + n);
                            let enrollment = format!("enr_{:024x}", admin * 1000 + n);
                            let command =
                                wipe_command(&device, &enrollment, WipeScope::All, WipeReason::Lost, 14, now).unwrap();
                            let text = wipe::issue(signer, &command).unwrap();
                            ledger.record_wipe(&command, &text, &format!("admin{admin}"), now).unwrap();
                            command.command_id
                        })
                        .collect::<Vec<String>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    std::thread::scope(|s| {
        for admin in 0..4 {
            let (url, public, issued) = (&url, &public, &issued);
            s.spawn(move || {
                let mut ledger = Ledger::open_at(&Location::parse(url), public).unwrap();
                for id in issued[admin].iter().take(5) {
                    ledger.cancel_wipe(id, &format!("canceller{admin}"), None, now + 60).unwrap();
                }
            });
        }
    });
    let mut ledger = Ledger::open_at(&Location::parse(&url), &public).unwrap();
    let pending: BTreeSet<String> = ledger.pending_wipes(now + 120).unwrap().into_iter().collect();
    let rows = ledger.wipes(now + 120).unwrap();
    assert_eq!(rows.len(), 8 * per_admin, "every wipe issued is recorded");
    let cancelled = rows.iter().filter(|r| r.state == WipeState::Cancelled).count();
    assert_eq!(cancelled, 20, "every cancellation is recorded");
    assert_eq!(pending.len(), 8 * per_admin - 20);
}

/// Two relays opening one new database at the same moment: one migrates, the other waits and
/// finds it done; both work.
#[test]
fn relays_opening_a_new_database_together_migrate_it_once() {
    let Some(url) = televisit_test_postgres::database("together") else { return };
    let (_, public) = org();
    let opened: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (url, public) = (&url, &public);
                s.spawn(move || Ledger::open_at(&Location::parse(url), public).is_ok())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(opened.iter().all(|&ok| ok), "{opened:?}");
}

/// A ledger on a PostgreSQL server on another machine goes over TLS, its certificate verified:
/// with the CA named (`sslrootcert`) it opens; without, it is refused as a setting to fix (not
/// "unavailable", which a relay would wait out forever); plain TCP is refused by the server.
#[test]
fn a_postgresql_ledger_over_tls_verifies_the_servers_certificate() {
    let Ok(cluster) = televisit_test_postgres::Cluster::start() else {
        assert!(!televisit_test_postgres::required(), "PostgreSQL is required in this run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "North Clinic database CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    cluster.serve_tls_only(&server.pem(), &server_key.serialize_pem()).unwrap();
    let ca_file = dir.path().join("db-ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let (_, public) = org();
    let base = cluster.url();

    let trusted = format!("{base}/postgres?sslmode=require&sslrootcert={}", ca_file.display());
    let mut ledger = Ledger::open_at(&Location::parse(&trusted), &public).expect("opens over TLS with the CA named");
    assert!(ledger.columns().unwrap().len() >= 12);
    drop(ledger);

    let err = Ledger::open_at(&Location::parse(&format!("{base}/postgres?sslmode=require")), &public).err().unwrap();
    assert!(err.downcast_ref::<televisit_ledger::LedgerUnavailable>().is_none(), "{err:#}");
    assert!(format!("{err:#}").contains("sslrootcert=FILE"), "{err:#}");

    let err = Ledger::open_at(&Location::parse(&format!("{base}/postgres?sslmode=disable")), &public).err().unwrap();
    assert!(!format!("{err:#}").contains("sslrootcert"), "{err:#}");
    let missing = format!("{base}/postgres?sslrootcert={}", dir.path().join("none.pem").display());
    let err = Ledger::open_at(&Location::parse(&missing), &public).err().unwrap();
    assert!(format!("{err:#}").contains("cannot read"), "{err:#}");
}
