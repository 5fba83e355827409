//! The events the shell emits, typed: each declared in `surface.rs` with its name and
//! payload, so `events::SYNC_PROGRESS.emit(app, &progress)` takes only a `SyncProgress`.

use kyc_core::ErrorView;
use kyc_core::events::{CoreEvent, OutboxSummary};
use kyc_core::export::JobProgress;
use kyc_core::notices::Notice;
use kyc_core::sync::SyncProgress;
use kyc_core::views::{CustomerDetail, CustomerRow, ProfileView};
use std::marker::PhantomData;
use tauri::{AppHandle, Emitter};

include!("surface.rs");

/// An event the shell emits: its name, and the type of its payload.
pub struct Event<T>(&'static str, PhantomData<fn(&T)>);

impl<T: serde::Serialize + Clone> Event<T> {
    /// Sends it to the window (a closed window is not an error worth reporting).
    pub fn emit(&self, app: &AppHandle, payload: &T) {
        let _ = app.emit(self.0, payload);
    }
}

macro_rules! make_events {
    (
        commands { $($commands:tt)* }
        events {
            $( $(#[doc = $doc:literal])* $ev:ident = $name:literal : $ty:ty $(as $ts:literal)? ; )*
        }
    ) => {
        $(
            $(#[doc = $doc])*
            pub const $ev: Event<$ty> = Event($name, PhantomData);
        )*
    };
}

with_ipc_surface!(make_events);
