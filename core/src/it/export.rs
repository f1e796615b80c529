//! The sealed activity-log export: the protocol's export JSON (`televisit_protocol::export`),
//! sealed with age (X25519) to the organisation's export recipient. IT opens it with
//! `televisit-admin log open` or, being plain age, with the `age` tool itself.

use crate::error::{Error, Result};
pub use televisit_protocol::export::{Export, ExportedEntry, Source, FORMAT};

pub(crate) fn seal(source: Source<'_>, recipient: &str) -> Result<Vec<u8>> {
    let recipient: age::x25519::Recipient =
        recipient.parse().map_err(|_| Error::invalid("export recipient", "is not an age X25519 recipient"))?;
    let json = televisit_protocol::export::to_json(source);
    age::encrypt(&recipient, &json).map_err(|_| Error::Storage("sealing the export failed".into()))
}
