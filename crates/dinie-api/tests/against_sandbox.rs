//! The client against the real sandbox over loopback HTTP.

use dinie_api::retry::RetryPolicy;
use dinie_api::{Auth, Client, ClientConfig, Error, ListCustomers, Order, Sort};
use futures::TryStreamExt;
use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use std::time::Duration;

async fn sandbox(n: usize) -> Sandbox {
    Sandbox::start_local(SandboxConfig { seed: Seed::Demo(n), ..Default::default() }).await.unwrap()
}

fn client(base: &str, token: &str) -> Client {
    Client::new(ClientConfig::new(base, Auth::bearer(token))).unwrap()
}

#[tokio::test]
async fn pages_follow_the_cursor_until_has_more_is_false() {
    let sb = sandbox(123).await;
    let c = client(&sb.base_url(), kyc_sandbox::DEFAULT_TOKEN);
    let params =
        ListCustomers { limit: Some(10), sort: Some(Sort::CreatedAt), order: Some(Order::Asc), ..Default::default() };
    let pages: Vec<_> = c.customer_pages(params).try_collect().await.unwrap();
    assert_eq!(pages.len(), 13);
    assert!(pages[..12].iter().all(|p| p.has_more && p.data.len() == 10));
    assert!(!pages[12].has_more);
    let ids: Vec<_> = pages.iter().flat_map(|p| p.data.iter().map(|c| c.id.clone())).collect();
    assert_eq!(ids.len(), 123);
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 123, "no customer twice");
    let created: Vec<_> = pages.iter().flat_map(|p| p.data.iter().map(|c| c.created_at)).collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "ascending order requested");
}

#[tokio::test]
async fn retrieves_one_customer_with_its_kyc_array() {
    let sb = sandbox(5).await;
    let c = client(&sb.base_url(), kyc_sandbox::DEFAULT_TOKEN);
    let first = c.list_customers(&ListCustomers::default()).await.unwrap().data.remove(0);
    let got = c.get_customer(&first.id).await.unwrap();
    assert_eq!(got.id, first.id);
    assert_eq!(got.name, first.name);
    assert!(got.kyc.len() >= 5, "every profile requires at least five items");
}

#[tokio::test]
async fn api_errors_carry_code_detail_param_and_request_id() {
    let sb = sandbox(1).await;
    let bad_token = client(&sb.base_url(), "dinie_at_wrong");
    let e = bad_token.list_customers(&ListCustomers::default()).await.unwrap_err();
    let api = e.api().expect("an API error");
    assert_eq!((api.status, api.code.as_deref()), (401, Some("unauthorized")));
    assert_eq!(api.problem_type.as_deref(), Some("https://docs.dinie.com/errors/authentication-failed"));
    assert!(api.request_id.as_deref().is_some_and(|r| r.starts_with("req_")));
    assert!(!e.to_string().contains("dinie_at_wrong"), "a token never appears in an error");

    let c = client(&sb.base_url(), kyc_sandbox::DEFAULT_TOKEN);
    let e = c.get_customer("cust_missing").await.unwrap_err();
    assert_eq!(e.api().unwrap().code.as_deref(), Some("not_found"));

    let e = c.list_customers(&ListCustomers { limit: Some(101), ..Default::default() }).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!((api.status, api.param.as_deref()), (400, Some("limit")));
    assert!(api.detail.contains("1 to 100"));
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error_after_retries() {
    // Bind then drop a listener: the port is closed, so connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cfg = ClientConfig::new(format!("http://127.0.0.1:{port}/api/v3"), Auth::bearer("t"));
    cfg.retry =
        RetryPolicy { base: Duration::from_millis(1), max_backoff: Duration::from_millis(2), ..RetryPolicy::default() };
    let c = Client::new(cfg).unwrap();
    let e = c.list_customers(&ListCustomers::default()).await.unwrap_err();
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(e.is_unreachable());
    assert!(e.to_string().to_lowercase().contains("refused"), "the cause is shown: {e}");
}

#[test]
fn a_bad_base_url_is_refused_up_front() {
    let e = Client::new(ClientConfig::new("ftp://example.com", Auth::bearer("t"))).unwrap_err();
    assert!(matches!(e, Error::InvalidBaseUrl(_)));
    assert!(format!("{:?}", Auth::bearer("dinie_at_secret")).contains("***"), "Debug hides secrets");
    assert!(!format!("{:?}", Auth::bearer("dinie_at_secret")).contains("dinie_at_secret"));
}
