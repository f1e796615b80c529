//! Televisit's UniFFI surface: thin wrappers and `From` conversions over `televisit-core`, and
//! the traits that each platform shell implements. No rule lives here.

mod call;
mod checklist;
mod cleanup;
mod contacts;
mod error;
mod fleet;
mod it;
mod log;
mod managed;
mod patients;
mod platform;
mod policy;
mod relay;

pub use call::*;
pub use checklist::*;
pub use cleanup::*;
pub use contacts::*;
pub use error::TelevisitError;
pub use fleet::*;
pub use it::*;
pub use log::*;
pub use managed::*;
pub use patients::*;
pub use platform::{Clock, SecretStore, SecretStoreError};
pub use policy::*;

use call::{ForeignDevice, ForeignDirectory};
use contacts::ForeignBook;
use patients::patient_ref;
use std::path::Path;
use std::sync::Arc;

uniffi::setup_scaffolding!();

type Result<T, E = TelevisitError> = std::result::Result<T, E>;

/// One clinician's Televisit on this device: the encrypted store and what is kept in it.
#[derive(uniffi::Object)]
pub struct Televisit(televisit_core::Televisit, platform::ForeignSecrets);

#[uniffi::export]
impl Televisit {
    /// Opens (or on first use creates) the store at `path`; its key lives in `secrets`.
    #[uniffi::constructor]
    pub fn open(path: String, secrets: Arc<dyn SecretStore>) -> Result<Arc<Self>> {
        Self::open_with_clock(path, secrets, None)
    }

    /// As `open`, with a clock the caller controls (for tests); `None` is the device's clock.
    #[uniffi::constructor]
    pub fn open_with_clock(
        path: String,
        secrets: Arc<dyn SecretStore>,
        clock: Option<Arc<dyn Clock>>,
    ) -> Result<Arc<Self>> {
        Self::open_with(path, secrets, clock, &Default::default())
    }

    /// As `open`, for iOS (and any Apple platform): SQLite's 32-byte header stays in plaintext
    /// (`cipher_plaintext_header_size = 32`, the salt kept beside the key; ADR 9 says why it is
    /// kept). A store made this way opens only this way.
    ///
    /// `fresh_install`: the app's own first-run flag (kept where the platform deletes it with
    /// the app) is missing. iOS keeps Keychain items across a reinstall: a key found then with
    /// no database is the previous installation's, and a new store is made (logged) instead of
    /// reporting the database missing forever.
    #[uniffi::constructor(default(fresh_install = false))]
    pub fn open_for_apple_platforms(
        path: String,
        secrets: Arc<dyn SecretStore>,
        fresh_install: bool,
    ) -> Result<Arc<Self>> {
        let options = televisit_core::StoreOptions { fresh_install, ..televisit_core::StoreOptions::apple() };
        Self::open_with(path, secrets, None, &options)
    }

    /// True when this open made a new store (and its key), also after a reinstall.
    pub fn was_created(&self) -> bool {
        self.0.opened().is_new()
    }

    pub fn log_append(&self, entry: NewLogEntry) -> Result<LogEntry> {
        Ok(self.0.log_append(&entry.try_into()?)?.into())
    }

    pub fn log_list(&self, query: LogQuery) -> Result<Vec<LogEntry>> {
        let entries = self.0.log_list(&query.try_into()?)?;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    pub fn log_verify(&self) -> Result<Verification> {
        Ok(self.0.log_verify()?.into())
    }

    /// The sequence number the head kept beyond the database says the log reaches: what a
    /// rolled-back or cut log is missing up to.
    pub fn log_protected_head(&self) -> Result<Option<u64>> {
        Ok(self.0.log_protected_head()?)
    }

    /// The log's checkpoint now: its size and the public chain's hash (as the device report carries it).
    pub fn log_checkpoint(&self) -> Result<LogCheckpoint> {
        let cp = self.0.log_checkpoint()?;
        Ok(LogCheckpoint { size: cp.n, hash: cp.h })
    }

    pub fn log_purge_older_than(&self, days: i64) -> Result<PurgeReport> {
        Ok(self.0.log_purge_older_than(days)?)
    }

    pub fn integrity_check(&self) -> Result<IntegrityReport> {
        Ok(self.0.integrity_check()?.into())
    }

    pub fn policy(&self) -> Result<Policy> {
        Ok(self.0.policy()?)
    }

    /// A policy set by hand, for an unenrolled (development or demo) device; an enrolled device
    /// refuses it and takes only signed policies (`applySignedPolicy`, managed configuration).
    pub fn set_policy(&self, policy: Policy) -> Result<()> {
        Ok(self.0.set_unsigned_policy(&self.1, &policy)?)
    }

    pub fn patient_add(&self, patient: NewPatient) -> Result<Patient> {
        Ok(self.0.patient_add(&patient.into())?.into())
    }

    pub fn patient_update(&self, id: String, change: PatientUpdate) -> Result<Patient> {
        Ok(self.0.patient_update(&patient_ref(&id)?, &change.into())?.into())
    }

    pub fn patient_archive(&self, id: String) -> Result<Patient> {
        Ok(self.0.patient_archive(&patient_ref(&id)?)?.into())
    }

    pub fn patient(&self, id: String) -> Result<Patient> {
        Ok(self.0.patient(&patient_ref(&id)?)?.into())
    }

    /// The day's list: today's visits first by time, done and archived out of the way, each
    /// labelled so that namesakes are told apart.
    pub fn day_list(&self, device: Arc<dyn DeviceFacts>, include_archived: bool) -> Result<Vec<ListedPatient>> {
        Ok(self.0.day_list(&ForeignDevice(device), include_archived)?.into_iter().map(Into::into).collect())
    }

    pub fn patients(&self, include_archived: bool) -> Result<Vec<Patient>> {
        Ok(self.0.patients(include_archived)?.into_iter().map(Into::into).collect())
    }

    pub fn consent_record(
        &self,
        id: String,
        method: ConsentMethod,
        text_version: String,
        by: Actor,
    ) -> Result<ConsentState> {
        Ok(self.0.consent_record(&patient_ref(&id)?, method, &text_version, by)?.into())
    }

    /// The patient was asked and said no.
    pub fn consent_decline(
        &self,
        id: String,
        method: ConsentMethod,
        text_version: String,
        by: Actor,
    ) -> Result<ConsentState> {
        Ok(self.0.consent_decline(&patient_ref(&id)?, method, &text_version, by)?.into())
    }

    pub fn consent_revoke(&self, id: String, by: Actor) -> Result<ConsentState> {
        Ok(self.0.consent_revoke(&patient_ref(&id)?, by)?.into())
    }

    /// Creates the patient's contact, or puts it right if it was renamed, renumbered or deleted.
    pub fn ensure_contact(&self, book: Arc<dyn ContactBook>, id: String) -> Result<EnsuredContact> {
        Ok(self.0.ensure_contact(&ForeignBook(book), &patient_ref(&id)?)?)
    }

    pub fn mark_visit_done(&self, id: String) -> Result<()> {
        Ok(self.0.mark_visit_done(&patient_ref(&id)?)?)
    }

    pub fn contact_records(&self) -> Result<Vec<ContactRecord>> {
        Ok(self.0.contact_records()?.into_iter().map(Into::into).collect())
    }

    pub fn looks_like_patient_contact(&self, display_name: String) -> Result<bool> {
        Ok(self.0.looks_like_patient_contact(&display_name)?)
    }

    /// The dry run; `rules` default to the policy's.
    pub fn cleanup_plan(&self, book: Arc<dyn ContactBook>, rules: Option<CleanupRules>) -> Result<CleanupPlan> {
        Ok(self.0.cleanup_plan(&ForeignBook(book), rules)?.into())
    }

    pub fn cleanup_apply(
        &self,
        book: Arc<dyn ContactBook>,
        plan: CleanupPlan,
        confirmed_lookalikes: Vec<String>,
    ) -> Result<CleanupReport> {
        Ok(self.0.cleanup_apply(&ForeignBook(book), &plan.try_into()?, &confirmed_lookalikes)?.into())
    }

    /// The platform's authentication succeeded: the app is unlocked until the inactivity timeout.
    pub fn unlock_succeeded(&self) {
        self.0.unlock_succeeded()
    }

    /// A real failure only (a wrong credential), never a cancelled or interrupted prompt. At the
    /// policy's limit the wipe starts now: the shell then closes the store and finishes it.
    pub fn unlock_failed(&self) -> Result<it::FailedUnlock> {
        Ok(self.0.unlock_failed(&self.1)?)
    }

    pub fn lock(&self) {
        self.0.lock()
    }

    /// Whether the app is unlocked now; a yes counts as activity.
    pub fn touch(&self) -> Result<bool> {
        Ok(self.0.touch()?)
    }

    pub fn acknowledge_disclosure(&self) -> Result<()> {
        Ok(self.0.acknowledge_disclosure()?)
    }

    pub fn disclosure_acknowledged(&self) -> Result<bool> {
        Ok(self.0.disclosure_acknowledged()?)
    }

    /// Current, due or never; with the phone's facts, a new WhatsApp version also makes it due.
    pub fn checklist_status(&self, device: Option<Arc<dyn DeviceFacts>>) -> Result<ChecklistStatus> {
        let device = device.map(ForeignDevice);
        Ok(self.0.checklist_status(device.as_ref().map(|d| d as &dyn televisit_core::DeviceFacts))?)
    }

    /// Starts the checklist for `platform`, or resumes the run in progress.
    pub fn checklist_start(&self, platform: Platform, device: Arc<dyn DeviceFacts>) -> Result<ChecklistRun> {
        Ok(self.0.checklist_start(platform, &ForeignDevice(device))?.into())
    }

    pub fn checklist_answer(&self, item_id: String, value: String) -> Result<ChecklistRun> {
        Ok(self.0.checklist_answer(&item_id, &value)?.into())
    }

    pub fn checklist_run(&self) -> Result<Option<ChecklistRun>> {
        Ok(self.0.checklist_run()?.map(Into::into))
    }

    /// A re-confirmation's attestation that nothing else changed since the last result.
    pub fn checklist_attest_unchanged(&self) -> Result<ChecklistRun> {
        Ok(self.0.checklist_attest_unchanged()?.into())
    }

    pub fn checklist_finish(&self) -> Result<ChecklistResult> {
        Ok(self.0.checklist_finish()?.into())
    }

    pub fn preflight(&self, book: Arc<dyn ContactBook>, device: Arc<dyn DeviceFacts>, id: String) -> Result<Preflight> {
        Ok(self.0.preflight(&ForeignBook(book), &ForeignDevice(device), &patient_ref(&id)?)?.into())
    }

    /// What Call does first: the pre-flight, with the contact made or put right when it is the
    /// only thing in the way, and the pre-flight run again.
    pub fn prepare_call(
        &self,
        book: Arc<dyn ContactBook>,
        device: Arc<dyn DeviceFacts>,
        id: String,
    ) -> Result<Preflight> {
        Ok(self.0.prepare_call(&ForeignBook(book), &ForeignDevice(device), &patient_ref(&id)?)?.into())
    }

    /// The attempts that open the video call; fails with `CallBlocked` when a check blocks.
    pub fn launch_plan(
        &self,
        book: Arc<dyn ContactBook>,
        device: Arc<dyn DeviceFacts>,
        directory: Option<Arc<dyn WhatsAppDirectory>>,
        id: String,
        platform: Platform,
        message: Option<MessageRequest>,
    ) -> Result<LaunchPlan> {
        let directory = directory.map(ForeignDirectory);
        let directory = directory.as_ref().map(|d| d as &dyn televisit_core::WhatsAppDirectory);
        let message = message.map(televisit_core::MessageRequest::from);
        let plan = self.0.launch_plan(
            &ForeignBook(book),
            &ForeignDevice(device),
            directory,
            &patient_ref(&id)?,
            platform,
            message.as_ref(),
        )?;
        Ok(plan.into())
    }

    pub fn record_launch(
        &self,
        id: String,
        attempt: AttemptKind,
        app: Option<WhatsAppApp>,
        succeeded: bool,
    ) -> Result<()> {
        Ok(self.0.record_launch(&patient_ref(&id)?, attempt, app, succeeded)?)
    }

    pub fn render_message(&self, request: MessageRequest) -> Result<RenderedMessage> {
        Ok(self.0.render_message(&request.into())?.into())
    }

    pub fn metrics(&self, days: u32) -> Result<Vec<DayMetrics>> {
        Ok(self.0.metrics(days)?)
    }

    /// Enrolls with an organisation's code (from MDM managed configuration, a QR code or text).
    pub fn enroll(&self, code: String) -> Result<EnrollmentInfo> {
        let enrollment = self.0.enroll(&self.1, &code)?;
        let (_, device_key) =
            self.0.enrollment(&self.1)?.ok_or_else(|| TelevisitError::Storage("the enrollment was not kept".into()))?;
        Ok(EnrollmentInfo::new(enrollment, device_key))
    }

    pub fn enrollment(&self) -> Result<Option<EnrollmentInfo>> {
        Ok(self.0.enrollment(&self.1)?.map(|(e, key)| EnrollmentInfo::new(e, key)))
    }

    /// Applies a policy signed by the organisation; an older version is refused.
    pub fn apply_signed_policy(&self, policy: String) -> Result<Policy> {
        Ok(self.0.apply_signed_policy(&self.1, &policy)?)
    }

    /// Verifies a wipe command and marks the wipe pending; then close this store and call
    /// `resume_pending_wipe`. Each refusal is a distinct `WipeRefused` message, and is logged.
    pub fn receive_wipe(&self, command: String) -> Result<WipeCommandInfo> {
        Ok(self.0.receive_wipe(&self.1, &command)?.into())
    }

    /// Failed unlocks, offline too long, a compromised device: clear, blocked, or a local wipe started.
    pub fn evaluate_triggers(&self, device: Arc<dyn DeviceFacts>) -> Result<Triggers> {
        Ok(self.0.evaluate_triggers(&self.1, &ForeignDevice(device))?.into())
    }

    /// Applies what MDM delivered (enrollment code, signed policy, wipe command), idempotently:
    /// call it at every start and on every change. When `wipe_started`, drop this object and
    /// call `resume_pending_wipe`.
    pub fn apply_managed_config(&self, values: std::collections::HashMap<String, String>) -> Result<ManagedReport> {
        Ok(self.0.apply_managed_config(&self.1, &values)?)
    }

    /// The log's entries since IT last confirmed archiving (all of them with `whole`), signed by
    /// the device key and sealed (age) to the organisation's export key, with the range it holds.
    pub fn export_log(&self, whole: bool) -> Result<LogExport> {
        Ok(self.0.export_log(&self.1, whole)?.into())
    }
}

impl Televisit {
    fn open_with(
        path: String,
        secrets: Arc<dyn SecretStore>,
        clock: Option<Arc<dyn Clock>>,
        options: &televisit_core::StoreOptions,
    ) -> Result<Arc<Self>> {
        let secrets = platform::ForeignSecrets(secrets);
        let clock: Arc<dyn televisit_core::Clock> = match clock {
            Some(clock) => Arc::new(platform::ForeignClock(clock)),
            None => Arc::new(televisit_core::SystemClock),
        };
        let core = televisit_core::Televisit::open(Path::new(&path), &secrets, clock, options)?;
        // The log's head kept beyond the database: a finding shows in every verify.
        core.protect_log_head(Arc::new(secrets.clone()))?;
        Ok(Arc::new(Televisit(core, secrets)))
    }
}
