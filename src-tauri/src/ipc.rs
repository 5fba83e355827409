//! Names of the events the shell emits. The UI listens to the same strings
//! (`ui/src/ipc.ts`); their payloads are generated types.

/// Payload `SyncProgress`, after every synced page.
pub const SYNC_PROGRESS: &str = "sync-progress";
/// Payload `ErrorView`, when a background sync fails.
pub const SYNC_FAILED: &str = "sync-failed";
/// Payload: the ids of cached customers that changed; re-read them.
pub const CUSTOMERS_CHANGED: &str = "customers-changed";
/// Payload `OutboxSummary`: writes pending and failed.
pub const OUTBOX_CHANGED: &str = "outbox-changed";
/// Payload: `true` when the API answers again, `false` when it stopped answering.
pub const CONNECTIVITY: &str = "connectivity";
/// Payload `CoreEvent` of type `uploadProgress`: bytes of an upload sent so far.
pub const UPLOAD_PROGRESS: &str = "upload-progress";
/// Payload `Notice[]`: customers who became active, items rejected; the UI shows them
/// and words the desktop notification.
pub const NOTICES: &str = "notices";
/// Payload `ProfileView`: another connection is in use; re-read everything.
pub const PROFILE_CHANGED: &str = "profile-changed";
/// Payload `ErrorView`: the API refused the connection's credentials while sending
/// queued writes; they wait until the secret is entered again.
pub const CREDENTIALS_REFUSED: &str = "credentials-refused";
/// Payload `CoreEvent` of type `background`: background rounds are failing (and when
/// they run again), or run normally again.
pub const BACKGROUND: &str = "background";
