//! Helpers: a desk over a real sandbox and a real SQLite file, collecting its events.
#![allow(dead_code)]

use kyc_core::events::CoreEvent;
use kyc_core::{Desk, ProfileInfo};
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub type Events = Arc<Mutex<Vec<CoreEvent>>>;

pub async fn sandbox(seed: Seed) -> Sandbox {
    sandbox_with(seed, |_| {}).await
}

pub async fn sandbox_with(seed: Seed, tweak: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut cfg = SandboxConfig { seed, review_delay: Duration::from_millis(100), ..Default::default() };
    tweak(&mut cfg);
    Sandbox::start_local(cfg).await.unwrap()
}

pub async fn desk_at(base_url: &str, dir: &Path) -> (Desk, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let profile = ProfileInfo { name: "test".into(), base_url: base_url.to_owned(), is_demo: true, webhooks: false };
    let mut auth = kyc_core::dinie::Auth::bearer(kyc_sandbox::DEFAULT_TOKEN);
    if base_url.is_empty() {
        auth = kyc_core::dinie::Auth::bearer("x");
    }
    // Encrypted, as the app opens caches.
    let key = kyc_store::CacheKey::from_bytes([42; 32]);
    let desk = Desk::open_dinie(profile, auth, dir, Some(&key), Arc::new(move |e| sink.lock().unwrap().push(e)))
        .await
        .unwrap();
    (desk, events)
}

pub async fn desk(sb: &Sandbox, dir: &Path) -> (Desk, Events) {
    desk_at(&sb.base_url(), dir).await
}

pub async fn admin(sb: &Sandbox, path: &str, body: serde_json::Value) -> serde_json::Value {
    let r = reqwest::Client::new().post(format!("{}{path}", sb.admin_url())).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or_default()
}

/// Every cached customer (up to 500), by name.
pub fn everything() -> kyc_core::views::CustomerListQuery {
    kyc_core::views::CustomerListQuery {
        offset: 0,
        limit: 500,
        sort: kyc_core::views::CustomerSort::Name,
        ..Default::default()
    }
}

/// The notices among the events collected so far.
pub fn notices(events: &Events) -> Vec<kyc_core::notices::Notice> {
    events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            CoreEvent::Notices { notices } => Some(notices.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

pub async fn stats(sb: &Sandbox) -> serde_json::Value {
    reqwest::get(format!("{}/stats", sb.admin_url())).await.unwrap().json().await.unwrap()
}
