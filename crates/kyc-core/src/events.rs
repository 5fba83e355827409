//! What the core tells the UI, as it happens. The shell forwards these as Tauri
//! events; tests collect them.

use crate::sync::SyncProgress;
use serde::Serialize;
use ts_rs::TS;

/// The outbox at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxSummary {
    /// Writes waiting to be sent.
    pub pending: u32,
    /// Writes the API refused (need the user).
    pub failed: u32,
}

/// Something the UI may want to show.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export)]
pub enum CoreEvent {
    /// A sync wrote a page (or finished).
    SyncProgress(SyncProgress),
    /// These cached customers changed. Said inside the core: a desk's sink receives
    /// [`CoreEvent::CustomersUpdated`] (and [`CoreEvent::CustomerDetail`]) instead, with
    /// the customers as the cache now has them.
    CustomersChanged {
        /// Their ids.
        ids: Vec<String>,
    },
    /// Customers that changed, as the list shows them.
    CustomersUpdated {
        /// Their rows, read from the cache after the change.
        customers: Vec<crate::views::CustomerRow>,
    },
    /// The customer the window shows (see `Desk::watch`) changed: all the detail
    /// screen shows of them, read from the cache after the change.
    CustomerDetail {
        /// The detail.
        detail: Box<crate::views::CustomerDetail>,
    },
    /// The outbox changed.
    OutboxChanged(OutboxSummary),
    /// Bytes of a queued upload sent so far (the outbox entry `seq`).
    #[serde(rename_all = "camelCase")]
    UploadProgress {
        /// The upload's place in the outbox.
        seq: u32,
        /// The kyc item it is for.
        item_type: String,
        /// The file's name.
        filename: String,
        /// Bytes sent.
        #[ts(type = "number")]
        sent: u64,
        /// File size.
        #[ts(type = "number")]
        total: u64,
    },
    /// Things staff should hear about (a desktop notification each, or one summary).
    Notices {
        /// In the order they happened.
        notices: Vec<crate::notices::Notice>,
    },
    /// The API became reachable, or stopped being.
    Connectivity {
        /// Whether the API answers.
        online: bool,
    },
    /// The background schedule (sending the outbox, refreshing, syncing) had a round
    /// fail unexpectedly, or runs again after such failures.
    #[serde(rename_all = "camelCase")]
    Background {
        /// Whether its rounds are failing.
        failing: bool,
        /// When it tries again, in seconds (0 when running normally).
        #[ts(type = "number")]
        retry_in_secs: u64,
    },
    /// The API refused this connection's credentials (an expired or revoked token, a
    /// changed client secret) while sending queued writes: they all wait, none is
    /// refused, until the secret is entered again in Settings.
    CredentialsRefused {
        /// The API's answer (message, request id).
        error: crate::ErrorView,
    },
}

/// Where events go.
pub trait EventSink: Send + Sync {
    /// Delivers one event. Must not block.
    fn emit(&self, event: CoreEvent);
}

/// Drops every event (for tools and tests that do not listen).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _: CoreEvent) {}
}

impl<F: Fn(CoreEvent) + Send + Sync> EventSink for F {
    fn emit(&self, event: CoreEvent) {
        self(event);
    }
}
