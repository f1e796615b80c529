//! The desktop's stand-in for the phone's contact book: a folder of vCard 4.0 files (RFC 6350),
//! one contact a file, as a vdir or a CardDAV collection keeps them. Televisit writes
//! `<uuid>.vcf` files; the uuid is the contact's platform id. Every write goes to a 0600
//! temporary file in the same folder, is synced, then renamed over the target, so a crash leaves
//! the old card or the new one, never half of either.
//!
//! Televisit's contacts carry its marker (`televisit:<patient id>`) in a NOTE and the category
//! `Televisit`. Files other apps or people put in the folder are read (cleanup looks for
//! hand-made lookalikes among them) but never changed; a file that is not a readable vCard is
//! skipped when listing and never deleted. A file whose name is not `<uuid>.vcf` gets the
//! platform id `hex:<its file name in hex>`, so that it can still be named for deletion.
//!
//! Errors carry what failed and the I/O error's kind only: never a name, a number, a file name
//! or a card's text.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use televisit_core::contacts::is_televisit_marker;
use televisit_core::{BookContact, ContactBook, ContactBookError, ContactCard, DeleteOutcome, ListScope};
use vcard4::parameter::{Parameters, TelephoneType, TypeParameter, ValueType};
use vcard4::property::{TextListProperty, TextOrUriProperty, UriProperty};
use vcard4::{Vcard, VcardBuilder};

/// The category Televisit's contacts are filed under (iOS: its group).
pub const CATEGORY: &str = "Televisit";
const PRODID: &str = "-//Televisit//Desktop shell//EN";
const EXTENSION: &str = ".vcf";
const HEX_ID: &str = "hex:";
/// Larger files are not contacts anyone typed in; they are skipped rather than read whole.
const MAX_FILE_BYTES: u64 = 4 << 20;

pub struct VcardContactBook {
    dir: PathBuf,
}

impl VcardContactBook {
    /// Opens (creating if need be) the contacts folder, owner-only (0700).
    pub fn open(dir: &Path) -> Result<Self, ContactBookError> {
        fs::create_dir_all(dir).map_err(|e| io_error("create the contacts folder", &e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| io_error("protect the contacts folder", &e))?;
        Ok(VcardContactBook { dir: dir.to_owned() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds (or would hold) a contact; `None` for an id this book never gives out.
    pub fn file_of(&self, platform_id: &str) -> Option<PathBuf> {
        let name = match platform_id.strip_prefix(HEX_ID) {
            Some(hex_name) => {
                let name = String::from_utf8(hex::decode(hex_name).ok()?).ok()?;
                // Only a plain .vcf name inside the folder: no separators, no dot files, no `..`.
                let plain = !name.contains(['/', '\0']) && !name.starts_with('.') && has_vcf_extension(&name);
                if !plain || uuid_stem(&name).is_some() {
                    return None;
                }
                name
            }
            None => {
                let name = format!("{platform_id}{EXTENSION}");
                uuid_stem(&name)?;
                name
            }
        };
        Some(self.dir.join(name))
    }

    /// Reads one file: `Ok(None)` when it is not there.
    fn read(&self, path: &Path) -> Result<Option<Vcard>, ContactBookError> {
        let text = match read_capped(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error("read a contact file", &e)),
        };
        parse(&text).map(Some).ok_or_else(|| ContactBookError::Failed("a contact file is not a readable vCard".into()))
    }

    /// Every readable card in the folder with its platform id, in file-name order.
    fn all(&self) -> Result<Vec<(String, Vcard)>, ContactBookError> {
        let entries = fs::read_dir(&self.dir).map_err(|e| io_error("read the contacts folder", &e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error("read the contacts folder", &e))?;
            let Ok(name) = entry.file_name().into_string() else { continue };
            // Only regular files: a symlink could point anywhere, a folder is not a contact.
            let regular = entry.file_type().is_ok_and(|t| t.is_file());
            if regular && !name.starts_with('.') && has_vcf_extension(&name) {
                files.push(name);
            }
        }
        files.sort();
        let mut cards = Vec::new();
        for name in files {
            let id = platform_id_for(&name);
            // Unreadable or damaged files are skipped, not fatal: one bad card must not hide the rest.
            if let Ok(Some(card)) = self.read(&self.dir.join(&name)) {
                cards.push((id, card));
            }
        }
        Ok(cards)
    }

    /// Writes `card` to `path` through a synced 0600 temporary file and a rename.
    fn write(&self, path: &Path, card: &Vcard) -> Result<(), ContactBookError> {
        let staged = self.dir.join(format!(".{}.tmp", uuid::Uuid::new_v4()));
        let result = (|| {
            let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&staged)?;
            file.write_all(card.to_string().as_bytes())?;
            file.sync_all()?;
            fs::rename(&staged, path)
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&staged);
            return Err(io_error("write a contact file", &e));
        }
        // The rename is durable once the folder itself is synced.
        if let Ok(dir) = fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

impl ContactBook for VcardContactBook {
    fn create(&self, card: &ContactCard) -> Result<String, ContactBookError> {
        check_card(card)?;
        let id = uuid::Uuid::new_v4().hyphenated().to_string();
        let mut vcard = VcardBuilder::new(card.display_name.clone())
            .categories(vec![CATEGORY.to_owned()])
            .note(card.marker.clone())
            .prod_id(PRODID.to_owned())
            .finish();
        vcard.tel.push(tel_property(&card.phone));
        vcard.uid = format!("urn:uuid:{id}").parse::<vcard4::Uri>().ok().map(TextOrUriProperty::from);
        let path = self.file_of(&id).ok_or_else(|| ContactBookError::Failed("a new contact id was refused".into()))?;
        self.write(&path, &vcard)?;
        Ok(id)
    }

    /// Puts Televisit's fields right (name, number, marker, category) and keeps whatever else the
    /// card holds. A structured name (N) is dropped: contacts apps show it before FN.
    fn update(&self, platform_id: &str, card: &ContactCard) -> Result<(), ContactBookError> {
        check_card(card)?;
        let path = self.file_of(platform_id).ok_or(ContactBookError::NotFound)?;
        let mut vcard = self.read(&path)?.ok_or(ContactBookError::NotFound)?;
        vcard.formatted_name = vec![card.display_name.clone().into()];
        vcard.name = None;
        vcard.tel = vec![tel_property(&card.phone)];
        vcard.note.retain(|note| marker_in(&note.value).is_none());
        vcard.note.push(card.marker.clone().into());
        if !vcard.categories.iter().any(|c| c.value.iter().any(|v| v == CATEGORY)) {
            vcard.categories.push(TextListProperty::new_comma(vec![CATEGORY.to_owned()]));
        }
        self.write(&path, &vcard)
    }

    fn delete(&self, platform_ids: &[String]) -> Vec<DeleteOutcome> {
        platform_ids
            .iter()
            .map(|id| {
                let Some(path) = self.file_of(id) else { return DeleteOutcome::NotFound };
                match fs::symlink_metadata(&path) {
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return DeleteOutcome::NotFound,
                    Ok(meta) if !meta.is_file() => {
                        return DeleteOutcome::Failed("the contact's path is not a regular file".into())
                    }
                    _ => {}
                }
                match fs::remove_file(&path) {
                    Ok(()) => {
                        if let Ok(dir) = fs::File::open(&self.dir) {
                            let _ = dir.sync_all();
                        }
                        DeleteOutcome::Deleted
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => DeleteOutcome::NotFound,
                    Err(e) => DeleteOutcome::Failed(format!("could not delete the contact file ({})", e.kind())),
                }
            })
            .collect()
    }

    fn get(&self, platform_id: &str) -> Result<Option<BookContact>, ContactBookError> {
        let Some(path) = self.file_of(platform_id) else { return Ok(None) };
        Ok(self.read(&path)?.map(|card| book_contact(platform_id.to_owned(), &card)))
    }

    fn list(&self, scope: ListScope) -> Result<Vec<BookContact>, ContactBookError> {
        Ok(self
            .all()?
            .into_iter()
            .map(|(id, card)| book_contact(id, &card))
            .filter(|c| scope == ListScope::All || is_televisit_marker(c.marker.as_deref()))
            .collect())
    }

    fn find_by_phone(&self, e164: &str) -> Result<Vec<BookContact>, ContactBookError> {
        let wanted = normalise_phone(e164);
        Ok(self.list(ListScope::All)?.into_iter().filter(|c| c.phones.contains(&wanted)).collect())
    }
}

/// The platform id of a file in the folder (see the module's notes).
fn platform_id_for(file_name: &str) -> String {
    match uuid_stem(file_name) {
        Some(stem) => stem.to_owned(),
        None => format!("{HEX_ID}{}", hex::encode(file_name)),
    }
}

/// `<uuid>` when the name is `<uuid>.vcf` in the lower-case hyphenated form.
fn uuid_stem(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(EXTENSION)?;
    let parsed = uuid::Uuid::try_parse(stem).ok()?;
    (parsed.hyphenated().to_string() == stem).then_some(stem)
}

fn has_vcf_extension(name: &str) -> bool {
    name.len() > EXTENSION.len() && name.to_ascii_lowercase().ends_with(EXTENSION)
}

fn read_capped(path: &Path) -> io::Result<String> {
    let file = fs::File::open(path)?;
    if file.metadata()?.len() > MAX_FILE_BYTES {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "too large"));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES).read_to_string(&mut text)?;
    Ok(text)
}

/// The first card of a file (a vdir file holds one).
fn parse(text: &str) -> Option<Vcard> {
    vcard4::parse(text).ok()?.into_iter().next()
}

fn book_contact(platform_id: String, card: &Vcard) -> BookContact {
    BookContact {
        platform_id,
        display_name: card.formatted_name.first().map(|f| f.value.clone()).unwrap_or_default(),
        phones: card
            .tel
            .iter()
            .map(|tel| match tel {
                TextOrUriProperty::Text(text) => normalise_phone(&text.value),
                TextOrUriProperty::Uri(uri) => normalise_phone(&uri.value.to_string()),
            })
            .filter(|p| !p.is_empty())
            .collect(),
        marker: card.note.iter().find_map(|note| marker_in(&note.value)),
    }
}

/// Televisit's marker in a NOTE: a line that starts `televisit:`, up to the first space.
fn marker_in(note: &str) -> Option<String> {
    note.lines()
        .map(str::trim)
        .find(|line| line.starts_with("televisit:"))
        .and_then(|line| line.split_whitespace().next())
        .map(str::to_owned)
}

/// A TEL value as E.164 would have it: no `tel:` scheme, spaces, dashes, dots or brackets.
pub fn normalise_phone(value: &str) -> String {
    let value = value.trim();
    let value = match value.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("tel:") => &value[4..],
        _ => value,
    };
    value.chars().filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')')).collect()
}

/// `TEL;VALUE=uri;TYPE=cell:tel:+14155550123`, as RFC 6350 recommends.
fn tel_property(e164: &str) -> TextOrUriProperty {
    match format!("tel:{e164}").parse::<vcard4::Uri>() {
        Ok(uri) => {
            let mut parameters = Parameters::default();
            parameters.value = Some(ValueType::Uri);
            parameters.types = Some(vec![TypeParameter::Telephone(TelephoneType::Cell)]);
            TextOrUriProperty::Uri(UriProperty { group: None, value: uri, parameters: Some(parameters) })
        }
        Err(_) => TextOrUriProperty::from(e164.to_owned()),
    }
}

/// A card the folder could not read back is refused before it is written.
fn check_card(card: &ContactCard) -> Result<(), ContactBookError> {
    let fields = [&card.display_name, &card.phone, &card.marker];
    if fields.iter().any(|f| f.trim().is_empty()) {
        return Err(ContactBookError::Failed("a contact needs a name, a number and Televisit's marker".into()));
    }
    if fields.iter().any(|f| f.chars().any(char::is_control)) {
        return Err(ContactBookError::Failed("a contact's name or number holds control characters".into()));
    }
    Ok(())
}

fn io_error(what: &str, err: &io::Error) -> ContactBookError {
    match err.kind() {
        io::ErrorKind::PermissionDenied => {
            ContactBookError::PermissionDenied(format!("could not {what} ({})", err.kind()))
        }
        kind => ContactBookError::Failed(format!("could not {what} ({kind})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(name: &str, phone: &str) -> ContactCard {
        ContactCard {
            display_name: name.to_owned(),
            phone: phone.to_owned(),
            marker: "televisit:pt_0123456789abcdef0123456789abcdef".to_owned(),
        }
    }

    fn book() -> (tempfile::TempDir, VcardContactBook) {
        let dir = tempfile::tempdir().unwrap();
        let book = VcardContactBook::open(&dir.path().join("contacts")).unwrap();
        (dir, book)
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    const HAND_MADE: &str =
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Patient Maria Lopez\r\nTEL;TYPE=cell:+1 (202) 555-0199\r\n\
                             NOTE:met at the clinic\r\nEND:VCARD\r\n";

    #[test]
    fn a_created_contact_is_a_vcard_4_file_named_by_its_id() {
        let (_dir, book) = book();
        let id = book.create(&card("Patient Zoë O'Brien-Nguyễn", "+447700900123")).unwrap();
        let path = book.dir().join(format!("{id}.vcf"));
        assert_eq!(book.file_of(&id).unwrap(), path);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(book.dir()), 0o700);

        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{text}");
        assert!(text.contains("TEL;VALUE=uri;TYPE=cell:tel:+447700900123\r\n"), "{text}");
        let parsed = vcard4::parse(&text).unwrap().remove(0);
        assert_eq!(parsed.formatted_name[0].value, "Patient Zoë O'Brien-Nguyễn");
        assert_eq!(parsed.note[0].value, "televisit:pt_0123456789abcdef0123456789abcdef");
        assert_eq!(parsed.categories[0].value, vec![CATEGORY.to_owned()]);
        assert_eq!(parsed.uid.as_ref().unwrap().to_string(), format!("urn:uuid:{id}"));

        let got = book.get(&id).unwrap().unwrap();
        assert_eq!(got.display_name, "Patient Zoë O'Brien-Nguyễn");
        assert_eq!(got.phones, vec!["+447700900123".to_owned()]);
        assert_eq!(got.marker.as_deref(), Some("televisit:pt_0123456789abcdef0123456789abcdef"));
        // Nothing is left behind by the atomic write.
        assert_eq!(fs::read_dir(book.dir()).unwrap().count(), 1);
    }

    #[test]
    fn awkward_names_come_back_exactly() {
        let (_dir, book) = book();
        for name in [
            "Patient A\\nB",
            "Patient Lee, Jr; MD: x",
            "Patient Trailing\\",
            "Patient O'Brien-Nguyễn Ðặng Thị Hồng Nhung Ðặng Thị Hồng Nhung Ðặng Thị",
            "Patient שרה כהן",
            "Patient 👨‍👩‍👧 Smith",
        ] {
            let id = book.create(&card(name, "+447700900123")).unwrap();
            assert_eq!(book.get(&id).unwrap().unwrap().display_name, name);
        }
    }

    #[test]
    fn lists_owned_and_all_skipping_what_is_not_a_card() {
        let (_dir, book) = book();
        let ours = book.create(&card("Patient Susan Smith", "+447700900123")).unwrap();
        let hand = "7d0f6c1e-5b7a-4c1e-9d2b-0a1b2c3d4e5f";
        fs::write(book.dir().join(format!("{hand}.vcf")), HAND_MADE).unwrap();
        fs::write(book.dir().join("broken.vcf"), "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Patient Half").unwrap();
        fs::write(book.dir().join("notes.txt"), "not a contact").unwrap();
        fs::write(book.dir().join(".draft.vcf"), HAND_MADE).unwrap();
        fs::create_dir(book.dir().join("folder.vcf")).unwrap();

        let owned = book.list(ListScope::Owned).unwrap();
        assert_eq!(owned.iter().map(|c| c.platform_id.as_str()).collect::<Vec<_>>(), vec![ours.as_str()]);
        let all = book.list(ListScope::All).unwrap();
        let mut ids: Vec<_> = all.iter().map(|c| c.platform_id.clone()).collect();
        ids.sort();
        let mut expected = vec![ours.clone(), hand.to_owned()];
        expected.sort();
        assert_eq!(ids, expected);
        let made = all.iter().find(|c| c.platform_id == hand).unwrap();
        assert_eq!(made.display_name, "Patient Maria Lopez");
        assert_eq!(made.marker, None, "a note that is not Televisit's marker is no marker");
        assert_eq!(made.phones, vec!["+12025550199".to_owned()]);

        // Reading a damaged card is an error that quotes nothing of it; listing left it alone.
        let broken = format!("{HEX_ID}{}", hex::encode("broken.vcf"));
        let err = book.get(&broken).unwrap_err().to_string();
        assert!(!err.contains("Half") && !err.contains("broken"), "{err}");
        assert!(book.dir().join("broken.vcf").exists());
    }

    #[test]
    fn finds_by_phone_whatever_the_formatting() {
        let (_dir, book) = book();
        let ours = book.create(&card("Patient Susan Smith", "+12025550199")).unwrap();
        let hand = "7d0f6c1e-5b7a-4c1e-9d2b-0a1b2c3d4e5f";
        fs::write(book.dir().join(format!("{hand}.vcf")), HAND_MADE).unwrap();
        let uri = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Mum\r\nTEL;VALUE=uri:tel:+1-202-555-0199\r\nEND:VCARD\r\n";
        fs::write(book.dir().join("mum.vcf"), uri).unwrap();
        let found = book.find_by_phone("+12025550199").unwrap();
        assert_eq!(found.len(), 3);
        assert!(found.iter().any(|c| c.platform_id == ours));
        assert!(book.find_by_phone("+12025550100").unwrap().is_empty());
        assert_eq!(normalise_phone(" TEL:+44 (0)7700.900-123 "), "+4407700900123");
    }

    #[test]
    fn update_puts_televisits_fields_right_and_keeps_the_rest() {
        let (_dir, book) = book();
        let id = book.create(&card("Patient Susan Smith", "+447700900123")).unwrap();
        let path = book.file_of(&id).unwrap();
        // Someone edits the card on the phone: a new name and number, an email, a structured name.
        let edited = fs::read_to_string(&path)
            .unwrap()
            .replace("FN:Patient Susan Smith", "FN:Susie\r\nN:Smith;Susie;;;\r\nEMAIL:s@example.org")
            .replace("tel:+447700900123", "tel:+447700900999");
        fs::write(&path, edited).unwrap();
        assert_eq!(book.get(&id).unwrap().unwrap().display_name, "Susie");

        book.update(&id, &card("Patient Susan Smith", "+447700900123")).unwrap();
        let parsed = vcard4::parse(fs::read_to_string(&path).unwrap()).unwrap().remove(0);
        assert_eq!(parsed.formatted_name.len(), 1);
        assert_eq!(parsed.formatted_name[0].value, "Patient Susan Smith");
        assert_eq!(parsed.name, None);
        assert_eq!(parsed.email[0].value, "s@example.org");
        assert_eq!(parsed.note.len(), 1, "one marker, not two");
        assert_eq!(parsed.categories.len(), 1);
        assert_eq!(parsed.uid.as_ref().unwrap().to_string(), format!("urn:uuid:{id}"));
        assert_eq!(book.get(&id).unwrap().unwrap().phones, vec!["+447700900123".to_owned()]);
        assert_eq!(mode(&path), 0o600);

        fs::remove_file(&path).unwrap();
        assert_eq!(book.update(&id, &card("Patient Susan Smith", "+447700900123")), Err(ContactBookError::NotFound));
        assert_eq!(book.get(&id).unwrap(), None);
    }

    #[test]
    fn delete_answers_for_each_id_and_goes_on_after_a_failure() {
        let (_dir, book) = book();
        let a = book.create(&card("Patient Susan Smith", "+447700900123")).unwrap();
        let b = book.create(&card("Patient Lee Ng", "+447700900124")).unwrap();
        let folder = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
        fs::create_dir(book.dir().join(format!("{folder}.vcf"))).unwrap();
        fs::write(book.dir().join("Patient Maria Lopez.vcf"), HAND_MADE).unwrap();
        let hand = book.list(ListScope::All).unwrap().into_iter().find(|c| c.platform_id.starts_with(HEX_ID)).unwrap();

        let ids = vec![
            a.clone(),
            folder.to_owned(),
            "../../etc/passwd".to_owned(),
            format!("{HEX_ID}{}", hex::encode("../escape.vcf")),
            b.clone(),
            a.clone(),
            hand.platform_id.clone(),
        ];
        let outcomes = book.delete(&ids);
        assert_eq!(outcomes.len(), ids.len());
        assert_eq!(outcomes[0], DeleteOutcome::Deleted);
        assert!(matches!(&outcomes[1], DeleteOutcome::Failed(reason) if !reason.contains(folder)));
        assert_eq!(outcomes[2], DeleteOutcome::NotFound);
        assert_eq!(outcomes[3], DeleteOutcome::NotFound);
        assert_eq!(outcomes[4], DeleteOutcome::Deleted);
        assert_eq!(outcomes[5], DeleteOutcome::NotFound, "already gone");
        assert_eq!(outcomes[6], DeleteOutcome::Deleted, "a file with any .vcf name can be named");
        assert!(book.list(ListScope::All).unwrap().is_empty());
        assert!(book.dir().join(format!("{folder}.vcf")).is_dir());
    }

    #[test]
    fn ids_map_only_to_plain_files_in_the_folder() {
        let (_dir, book) = book();
        assert!(book.file_of("3F2A6C1E-0000-4000-8000-000000000000").is_none(), "not the form this book writes");
        assert!(book.file_of("").is_none());
        assert!(book.file_of("../x").is_none());
        assert!(book.file_of(&format!("{HEX_ID}{}", hex::encode(".hidden.vcf"))).is_none());
        assert!(book.file_of(&format!("{HEX_ID}{}", hex::encode("a/b.vcf"))).is_none());
        assert!(book.file_of(&format!("{HEX_ID}zz")).is_none());
        let name = "Maria.VCF";
        assert_eq!(platform_id_for(name), format!("{HEX_ID}{}", hex::encode(name)));
        assert_eq!(book.file_of(&platform_id_for(name)).unwrap(), book.dir().join(name));
    }

    #[test]
    fn cards_that_could_not_be_read_back_are_refused_without_quoting_them() {
        let (_dir, book) = book();
        let err = book.create(&card("Patient Susan\u{7}Smith", "+447700900123")).unwrap_err().to_string();
        assert!(!err.contains("Susan"), "{err}");
        assert!(book.create(&card("Patient Susan Smith", " ")).is_err());
        assert_eq!(fs::read_dir(book.dir()).unwrap().count(), 0);
    }

    /// The book against the core's own rules: created once, then unchanged, then put right.
    #[test]
    fn ensure_contact_round_trips_through_the_folder() {
        use televisit_core::{EnsureAction, NewPatient, StoreOptions, SystemClock, Televisit};
        let dir = tempfile::tempdir().unwrap();
        let secrets = crate::file_secrets::FileSecretStore::new(&dir.path().join("secrets")).unwrap();
        let tv = Televisit::open(
            &dir.path().join("t.db"),
            &secrets,
            std::sync::Arc::new(SystemClock),
            &StoreOptions::default(),
        )
        .unwrap();
        let book = VcardContactBook::open(&dir.path().join("contacts")).unwrap();
        let patient = tv
            .patient_add(&NewPatient {
                given_name: "Zoë\u{200B}".into(),
                family_name: "O'Brien-Nguyễn".into(),
                phone: "+1 415 555 0132".into(),
                visit_at: None,
            })
            .unwrap();
        let made = tv.ensure_contact(&book, &patient.id).unwrap();
        assert_eq!(made.action, EnsureAction::Created);
        assert_eq!(tv.ensure_contact(&book, &patient.id).unwrap().action, EnsureAction::Unchanged);

        let path = book.file_of(&made.platform_id).unwrap();
        let renamed = fs::read_to_string(&path).unwrap().replace("FN:Patient Zoë", "FN:Zoë");
        fs::write(&path, renamed).unwrap();
        let repaired = tv.ensure_contact(&book, &patient.id).unwrap();
        assert_eq!((repaired.action, &repaired.platform_id), (EnsureAction::Repaired, &made.platform_id));

        fs::remove_file(&path).unwrap();
        let again = tv.ensure_contact(&book, &patient.id).unwrap();
        assert_eq!(again.action, EnsureAction::Repaired);
        assert_ne!(again.platform_id, made.platform_id);
        assert_eq!(book.get(&again.platform_id).unwrap().unwrap().display_name, "Patient Zoë O'Brien-Nguyễn");
    }
}
