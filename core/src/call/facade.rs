//! `Televisit`'s calls for a video call. The phone's own parts (its contacts, its WhatsApp
//! directory, its device facts) are asked with the store unlocked: they can take seconds (an
//! address book on a large phone), and `touch`, the list and the log must not wait for them.

use super::{
    AttemptKind, CallContext, Check, CheckStatus, Checked, LaunchPlan, MessageRequest, Platform, Preflight,
    RenderedMessage, CONTACT_CHECKS,
};
use crate::contacts::ContactBook;
use crate::device::{DeviceFacts, WhatsAppApp, WhatsAppDirectory};
use crate::error::{Error, Result};
use crate::log::PatientRef;

/// Times the pre-flight looks again, unserialised, when a contact-making call changed the
/// patient's record while the book was asked; then it holds those calls off and looks once more.
const OPTIMISTIC_LOOKS: usize = 2;

impl crate::Televisit {
    /// Each check before a call: pass, warn or block, with its reason code.
    pub fn preflight(&self, book: &dyn ContactBook, device: &dyn DeviceFacts, id: &PatientRef) -> Result<Preflight> {
        let policy = self.policy()?;
        let unlocked = self.touch()?;
        let snapshot = device.snapshot();
        let ctx = CallContext { policy: &policy, device: &snapshot, unlocked, now: self.clock.now() };
        let mut checked = self.checked_preflight(book, &ctx, id)?.preflight;
        if let Err(blocked) = self.clinical() {
            let message = format!("This device is blocked by your organisation's policy ({blocked}).");
            checked.checks.push(Check { code: "device_blocked", status: CheckStatus::Block, message });
        }
        Ok(checked)
    }

    /// The pre-flight's reads: the record read, the book asked with the store unlocked, then the
    /// store read again and the record compared with the one the book was asked about, so that
    /// the answer is never about a contact the record no longer names.
    fn checked_preflight(&self, book: &dyn ContactBook, ctx: &CallContext<'_>, id: &PatientRef) -> Result<Checked> {
        for look in 0..=OPTIMISTIC_LOOKS {
            // Only contact-making calls change the record; held off, they cannot change it again.
            let _serialised = (look == OPTIMISTIC_LOOKS).then(|| self.contacts_gate());
            let recorded = super::recorded_contact(&self.store().conn, id)?;
            let looked = super::look_up(book, recorded)?;
            let checked = super::preflight(&self.store(), ctx, id, looked)?;
            if let Some(checked) = checked {
                return Ok(checked);
            }
        }
        Err(Error::Storage("the patient's contact record changed during the pre-flight".into()))
    }

    /// What Call does first, on every shell: the pre-flight, and when the patient's contact (missing,
    /// or changed on the phone) is the only thing in the way, the contact made or put right and
    /// the pre-flight run again. A contact is never made for a call something else blocks (no
    /// consent, say): the clinician sees that first.
    pub fn prepare_call(&self, book: &dyn ContactBook, device: &dyn DeviceFacts, id: &PatientRef) -> Result<Preflight> {
        let first = self.preflight(book, device, id)?;
        let contact_in_the_way =
            first.checks.iter().any(|c| CONTACT_CHECKS.contains(&c.code) && c.status != CheckStatus::Pass);
        let other_blocks =
            first.checks.iter().any(|c| c.status == CheckStatus::Block && !CONTACT_CHECKS.contains(&c.code));
        if !contact_in_the_way || other_blocks {
            return Ok(first);
        }
        self.ensure_contact(book, id)?;
        self.preflight(book, device, id)
    }

    /// The ordered attempts that open the video call, after a pre-flight that must not block.
    pub fn launch_plan(
        &self,
        book: &dyn ContactBook,
        device: &dyn DeviceFacts,
        directory: Option<&dyn WhatsAppDirectory>,
        id: &PatientRef,
        platform: Platform,
        message: Option<&MessageRequest>,
    ) -> Result<LaunchPlan> {
        self.clinical()?;
        let policy = self.policy()?;
        let unlocked = self.touch()?;
        let snapshot = device.snapshot();
        let ctx = CallContext { policy: &policy, device: &snapshot, unlocked, now: self.clock.now() };
        let checked = self.checked_preflight(book, &ctx, id)?;
        super::launch_plan(&ctx, checked, directory, platform, message)
    }

    /// Logs how one attempt of a plan went.
    pub fn record_launch(
        &self,
        id: &PatientRef,
        attempt: AttemptKind,
        app: Option<WhatsAppApp>,
        succeeded: bool,
    ) -> Result<()> {
        super::record_launch(&mut self.store(), self.clock.now(), id, attempt, app, succeeded)
    }

    /// A template filled in and linted, for the screen's preview.
    pub fn render_message(&self, request: &MessageRequest) -> Result<RenderedMessage> {
        super::templates::render(request.template, &request.values)
    }

    pub fn acknowledge_disclosure(&self) -> Result<()> {
        super::acknowledge_disclosure(&mut self.store(), self.clock.now())
    }

    pub fn disclosure_acknowledged(&self) -> Result<bool> {
        super::disclosure_acknowledged(&self.store())
    }
}
