//! Names of the events the shell emits. The UI listens to the same strings
//! (`ui/src/ipc.ts`); their payloads are generated types.

/// Payload `SyncProgress`, after every synced page.
pub const SYNC_PROGRESS: &str = "sync-progress";
/// Payload `ErrorView`, when a background sync fails.
pub const SYNC_FAILED: &str = "sync-failed";
/// No payload: cached customers changed, re-read them.
pub const CUSTOMERS_CHANGED: &str = "customers-changed";
