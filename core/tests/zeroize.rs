//! Secrets are cleared from memory after use, observed the only way Rust lets a test observe
//! it: this test binary's allocator scans every heap block the program frees, while armed, for
//! the store's data key (raw, and as the hex SQLCipher's `PRAGMA key` takes) and for the device's
//! PKCS#8 signing key. A block freed with either still in it is a copy nobody cleared.
//! (SQLCipher's own copies live in C memory, which it clears itself.)

mod common;

use common::Profile;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use televisit_core::it::enrollment::DEVICE_KEY;
use televisit_core::secrets::names;
use televisit_core::{SecretStore, Verification};

const MAX_NEEDLE: usize = 128;

struct Needles {
    items: [[u8; MAX_NEEDLE]; 4],
    lens: [usize; 4],
}

static ARMED: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);
/// Written only while disarmed (the allocator reads it only while armed).
static mut NEEDLES: Needles = Needles { items: [[0; MAX_NEEDLE]; 4], lens: [0; 4] };
/// One scan at a time: the test harness runs tests on several threads.
static SERIAL: Mutex<()> = Mutex::new(());

struct Scanning;

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

unsafe impl GlobalAlloc for Scanning {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            // SAFETY: the block is still allocated (it is freed below) and `layout.size()` long;
            // NEEDLES is not written while armed.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            let needles = unsafe { &*std::ptr::addr_of!(NEEDLES) };
            for (item, len) in needles.items.iter().zip(needles.lens) {
                if holds(block, &item[..len]) {
                    FOUND.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Scanning = Scanning;

fn watch_for(secrets: &[&[u8]]) {
    assert!(!ARMED.load(Ordering::SeqCst));
    // SAFETY: disarmed, so the allocator does not read NEEDLES; tests are serialised by SERIAL.
    let needles = unsafe { &mut *std::ptr::addr_of_mut!(NEEDLES) };
    *needles = Needles { items: [[0; MAX_NEEDLE]; 4], lens: [0; 4] };
    for (i, secret) in secrets.iter().enumerate() {
        needles.items[i][..secret.len()].copy_from_slice(secret);
        needles.lens[i] = secret.len();
    }
    FOUND.store(0, Ordering::SeqCst);
}

/// Runs `work` armed; returns how many freed blocks held a secret.
fn freed_copies(work: impl FnOnce()) -> usize {
    ARMED.store(true, Ordering::SeqCst);
    work();
    ARMED.store(false, Ordering::SeqCst);
    FOUND.load(Ordering::SeqCst)
}

#[test]
fn the_data_key_and_its_pragma_text_are_cleared_after_opening_the_store() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let profile = Profile::new();
    drop(profile.open().unwrap());
    let stored = profile.secrets.get(names::DATA_KEY).unwrap().unwrap();
    let raw_key = stored[..32].to_vec();
    let hex_key = hex::encode_upper(&raw_key).into_bytes();
    watch_for(&[&raw_key, &hex_key, &stored]);
    let found = freed_copies(|| {
        let tv = profile.open().unwrap();
        assert!(matches!(tv.log_verify().unwrap(), Verification::Intact { .. }));
        drop(tv);
    });
    assert_eq!(found, 0, "freed heap blocks still held the data key");
    // The scan itself works: a copy freed without clearing is found.
    let found = freed_copies(|| drop(std::hint::black_box(hex::encode_upper(&raw_key))));
    assert!(found >= 1, "the scanning allocator saw the uncleared copy");
}

#[test]
fn the_device_signing_key_is_cleared_after_signing() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let profile = Profile::new();
    let tv = profile.open().unwrap();
    let org = common::org::Org::new();
    tv.enroll(&profile.secrets, &org.code()).unwrap();
    let pkcs8 = profile.secrets.get(DEVICE_KEY).unwrap().unwrap();
    assert!(pkcs8.len() <= MAX_NEEDLE);
    watch_for(&[&pkcs8]);
    let found = freed_copies(|| {
        let (_, public) = tv.enrollment(&profile.secrets).unwrap().unwrap();
        assert!(!public.is_empty());
    });
    assert_eq!(found, 0, "freed heap blocks still held the device's PKCS#8 key");
    drop(tv);
}
