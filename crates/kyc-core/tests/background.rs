//! The background schedule survives a round that panics.
//!
//! The provider here wraps the real Dinie connector over the real sandbox, and panics
//! on its first calls to list changes: a stand-in for a bug or a hostile answer the
//! client did not catch (the sandbox cannot make our code panic, so the panic is
//! injected; everything else is real).

mod common;

use common::*;
use futures::future::BoxFuture;
use kyc_core::events::CoreEvent;
use kyc_core::provider::{DocumentUpload, Progress};
use kyc_core::{CoreError, Desk, Page, ProfileInfo, Provider};
use kyc_model::{Customer, DocumentInfo, FormValues, Product, ProviderSpec};
use kyc_sandbox::Seed;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use time::OffsetDateTime;

struct PanicsFirst {
    inner: Arc<dyn Provider>,
    panics_left: AtomicU32,
}

impl PanicsFirst {
    fn maybe_panic(&self) {
        if self.panics_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            panic!("injected: a bug in a background round");
        }
    }
}

impl Provider for PanicsFirst {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn list_page(&self, cursor: Option<String>, n: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.maybe_panic();
        self.inner.list_page(cursor, n)
    }
    fn changes_page(&self, cursor: Option<String>, n: u32) -> BoxFuture<'_, Result<Page, CoreError>> {
        self.maybe_panic();
        self.inner.changes_page(cursor, n)
    }
    fn get_customer<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Customer, CoreError>> {
        self.inner.get_customer(id)
    }
    fn describe(&self) -> &ProviderSpec {
        self.inner.describe()
    }
    fn register<'a>(
        &'a self,
        r: &'a FormValues,
        files: Vec<kyc_core::FormFile>,
        k: &'a str,
        p: Option<kyc_core::Progress>,
    ) -> BoxFuture<'a, Result<(Customer, bool), CoreError>> {
        self.inner.register(r, files, k, p)
    }
    fn correct<'a>(&'a self, id: &'a str, c: &'a FormValues, k: &'a str) -> BoxFuture<'a, Result<Customer, CoreError>> {
        self.inner.correct(id, c, k)
    }
    fn upload<'a>(
        &'a self,
        id: &'a str,
        item: &'a str,
        document: DocumentUpload,
        k: &'a str,
        p: Option<Progress>,
    ) -> BoxFuture<'a, Result<DocumentInfo, CoreError>> {
        self.inner.upload(id, item, document, k, p)
    }
    fn start_biometrics<'a>(
        &'a self,
        id: &'a str,
        k: &'a str,
    ) -> BoxFuture<'a, Result<(String, OffsetDateTime), CoreError>> {
        self.inner.start_biometrics(id, k)
    }
    fn products<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CoreError>> {
        self.inner.products(id)
    }
}

#[tokio::test]
async fn a_panicking_round_is_reported_and_the_schedule_goes_on() {
    let sb = sandbox(Seed::Demo(30)).await;
    let dir = tempfile::tempdir().unwrap();
    let client = dinie_api::Client::new(dinie_api::ClientConfig::new(
        sb.base_url(),
        dinie_api::Auth::bearer(kyc_sandbox::DEFAULT_TOKEN),
    ))
    .unwrap();
    let provider =
        PanicsFirst { inner: Arc::new(kyc_core::dinie::DinieProvider::new(client)), panics_left: AtomicU32::new(2) };
    let store = kyc_store::Store::open(&dir.path().join("cache.sqlite")).await.unwrap();
    let events: Events = Arc::default();
    let sink = events.clone();
    let profile = ProfileInfo { name: "t".into(), base_url: sb.base_url(), is_demo: true, webhooks: false };
    let d = Desk::new(
        Arc::new(provider),
        store,
        profile,
        dir.path().join("documents"),
        Arc::new(move |e| sink.lock().unwrap().push(e)),
    );
    let schedule = d.start_background(Duration::from_millis(20));

    // Two rounds panic; the schedule backs off, says so, goes on and syncs.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while d.store().count_customers().await.unwrap() < 30 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the schedule stopped after a panic: {:?}",
            events.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Each failing round was told, and a normal round after the last one said so.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let told = || -> Vec<bool> {
        events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                CoreEvent::Background { failing, .. } => Some(*failing),
                _ => None,
            })
            .collect()
    };
    while told().last() != Some(&false) {
        assert!(tokio::time::Instant::now() < deadline, "recovery never told: {:?}", told());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(told().iter().filter(|f| **f).count(), 2, "{:?}", told());
    schedule.abort();
}
