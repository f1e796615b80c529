//! A contact book in memory for tests, with failures that tests switch on.

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use televisit_core::{BookContact, ContactBook, ContactBookError, ContactCard, DeleteOutcome, ListScope};

#[derive(Default)]
pub struct MemoryBook {
    pub contacts: Mutex<BTreeMap<String, BookContact>>,
    next: Mutex<u32>,
    /// Deleting these ids fails.
    pub fail_delete: Mutex<HashSet<String>>,
    /// Every write is refused, as when the contacts permission was withdrawn.
    pub refuse_writes: Mutex<bool>,
    /// Listing is refused too, as before the contacts permission was ever granted.
    pub refuse_reads: Mutex<bool>,
}

impl MemoryBook {
    pub fn add_by_hand(&self, name: &str, phone: &str) -> String {
        let id = self.next_id();
        let contact = BookContact {
            platform_id: id.clone(),
            display_name: name.into(),
            phones: vec![phone.into()],
            marker: None,
        };
        self.contacts.lock().unwrap().insert(id.clone(), contact);
        id
    }

    pub fn by_id(&self, id: &str) -> Option<BookContact> {
        self.contacts.lock().unwrap().get(id).cloned()
    }

    pub fn edit(&self, id: &str, edit: impl FnOnce(&mut BookContact)) {
        edit(self.contacts.lock().unwrap().get_mut(id).unwrap());
    }

    pub fn remove_by_hand(&self, id: &str) {
        self.contacts.lock().unwrap().remove(id);
    }

    fn next_id(&self) -> String {
        let mut next = self.next.lock().unwrap();
        *next += 1;
        format!("raw-{next}")
    }
}

impl ContactBook for MemoryBook {
    fn create(&self, card: &ContactCard) -> Result<String, ContactBookError> {
        if *self.refuse_writes.lock().unwrap() {
            return Err(ContactBookError::PermissionDenied("contacts access withdrawn".into()));
        }
        let id = self.next_id();
        let contact = BookContact {
            platform_id: id.clone(),
            display_name: card.display_name.clone(),
            phones: vec![card.phone.clone()],
            marker: Some(card.marker.clone()),
        };
        self.contacts.lock().unwrap().insert(id.clone(), contact);
        Ok(id)
    }

    fn update(&self, platform_id: &str, card: &ContactCard) -> Result<(), ContactBookError> {
        let mut contacts = self.contacts.lock().unwrap();
        let contact = contacts.get_mut(platform_id).ok_or(ContactBookError::NotFound)?;
        contact.display_name = card.display_name.clone();
        contact.phones = vec![card.phone.clone()];
        contact.marker = Some(card.marker.clone());
        Ok(())
    }

    fn delete(&self, platform_ids: &[String]) -> Vec<DeleteOutcome> {
        let failing = self.fail_delete.lock().unwrap().clone();
        let mut contacts = self.contacts.lock().unwrap();
        platform_ids
            .iter()
            .map(|id| {
                if failing.contains(id) {
                    DeleteOutcome::Failed("the contacts provider is busy".into())
                } else if contacts.remove(id).is_some() {
                    DeleteOutcome::Deleted
                } else {
                    DeleteOutcome::NotFound
                }
            })
            .collect()
    }

    fn get(&self, platform_id: &str) -> Result<Option<BookContact>, ContactBookError> {
        Ok(self.by_id(platform_id))
    }

    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, ContactBookError> {
        if *self.refuse_reads.lock().unwrap() {
            return Err(ContactBookError::PermissionDenied("contacts access not granted".into()));
        }
        let contacts = self.contacts.lock().unwrap();
        Ok(contacts.values().filter(|c| scope == ListScope::All || c.marker.is_some()).cloned().collect())
    }

    fn find_by_phone(&self, e164: &str) -> Result<Vec<BookContact>, ContactBookError> {
        Ok(self.contacts.lock().unwrap().values().filter(|c| c.phones.iter().any(|p| p == e164)).cloned().collect())
    }
}
