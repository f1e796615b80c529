//! The phone's parts (its contacts, its device facts, its WhatsApp directory) stopped inside one
//! call until the test lets them go: the test acts while the core waits on the phone, as a
//! shell's main thread does while a slow address book is walked on another.

use super::book::MemoryBook;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Duration;
use televisit_core::{
    BookContact, ContactBook, ContactBookError, ContactCard, DeleteOutcome, DeviceFacts, DeviceSnapshot, ListScope,
    WhatsAppApp, WhatsAppDirectory,
};

/// How long a stopped call waits for the test before it gives up and goes on. A core that holds
/// the store while it waits keeps the test's own calls waiting that long: the test then sees
/// that the call gave up, and fails, where it would otherwise hang.
pub const HOLD: Duration = Duration::from_secs(5);
/// How long the test waits for the core to reach the stopped call.
const REACH: Duration = Duration::from_secs(20);

pub struct Gate {
    /// The operation whose next call stops (once).
    armed: Mutex<Option<&'static str>>,
    entered: (Mutex<Sender<&'static str>>, Mutex<Receiver<&'static str>>),
    released: (Mutex<Sender<()>>, Mutex<Receiver<()>>),
    gave_up: AtomicBool,
    inside: AtomicUsize,
    most_inside: AtomicUsize,
}

impl Default for Gate {
    fn default() -> Self {
        let (entered_tx, entered_rx) = channel();
        let (released_tx, released_rx) = channel();
        Gate {
            armed: Mutex::new(None),
            entered: (Mutex::new(entered_tx), Mutex::new(entered_rx)),
            released: (Mutex::new(released_tx), Mutex::new(released_rx)),
            gave_up: AtomicBool::new(false),
            inside: AtomicUsize::new(0),
            most_inside: AtomicUsize::new(0),
        }
    }
}

/// Counts a call as inside the platform until dropped.
pub struct Inside<'a>(&'a Gate);

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.inside.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    /// The next call of `operation` stops until `release`.
    pub fn arm(&self, operation: &'static str) {
        *self.armed.lock().unwrap() = Some(operation);
    }

    /// Where each fake call starts: counted, and stopped when armed for it.
    pub fn pass(&self, operation: &'static str) -> Inside<'_> {
        let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_inside.fetch_max(now, Ordering::SeqCst);
        let stop = {
            let mut armed = self.armed.lock().unwrap();
            let stop = *armed == Some(operation);
            if stop {
                *armed = None;
            }
            stop
        };
        if stop {
            self.entered.0.lock().unwrap().send(operation).unwrap();
            if let Err(RecvTimeoutError::Timeout) = self.released.1.lock().unwrap().recv_timeout(HOLD) {
                self.gave_up.store(true, Ordering::SeqCst);
            }
        }
        Inside(self)
    }

    /// Waits until the core is inside the armed call.
    pub fn wait_entered(&self) -> &'static str {
        self.entered.1.lock().unwrap().recv_timeout(REACH).expect("the core never reached the phone's call")
    }

    pub fn release(&self) {
        self.released.0.lock().unwrap().send(()).unwrap();
    }

    /// Whether a stopped call waited out `HOLD`: the test's calls could not finish meanwhile.
    pub fn gave_up(&self) -> bool {
        self.gave_up.load(Ordering::SeqCst)
    }

    /// The most calls that were inside the platform at once.
    pub fn most_inside(&self) -> usize {
        self.most_inside.load(Ordering::SeqCst)
    }
}

/// The memory book behind a gate.
#[derive(Default)]
pub struct GatedBook {
    pub book: MemoryBook,
    pub gate: Gate,
}

impl ContactBook for GatedBook {
    fn create(&self, card: &ContactCard) -> Result<String, ContactBookError> {
        let _inside = self.gate.pass("create");
        self.book.create(card)
    }

    fn update(&self, platform_id: &str, card: &ContactCard) -> Result<(), ContactBookError> {
        let _inside = self.gate.pass("update");
        self.book.update(platform_id, card)
    }

    fn delete(&self, platform_ids: &[String]) -> Vec<DeleteOutcome> {
        let _inside = self.gate.pass("delete");
        self.book.delete(platform_ids)
    }

    fn get(&self, platform_id: &str) -> Result<Option<BookContact>, ContactBookError> {
        let _inside = self.gate.pass("get");
        self.book.get(platform_id)
    }

    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, ContactBookError> {
        let _inside = self.gate.pass("list");
        self.book.list(scope)
    }

    fn find_by_phone(&self, e164: &str) -> Result<Vec<BookContact>, ContactBookError> {
        let _inside = self.gate.pass("find_by_phone");
        self.book.find_by_phone(e164)
    }
}

/// A phone's device facts and WhatsApp directory behind a gate.
pub struct GatedPhone {
    pub snapshot: DeviceSnapshot,
    pub video_row: Option<i64>,
    pub gate: Gate,
}

impl DeviceFacts for GatedPhone {
    fn snapshot(&self) -> DeviceSnapshot {
        let _inside = self.gate.pass("snapshot");
        self.snapshot.clone()
    }
}

impl WhatsAppDirectory for GatedPhone {
    fn video_call_row(&self, _contact_platform_id: &str, _app: WhatsAppApp) -> Option<i64> {
        let _inside = self.gate.pass("video_call_row");
        self.video_row
    }
}
