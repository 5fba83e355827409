//! The client against servers the sandbox cannot imitate: tiny raw-TCP HTTP servers on
//! 127.0.0.1:0 that capture what the client sends and answer with what a hostile or
//! broken server might: redirects to another origin, endless bodies, absurd
//! `Retry-After` and `expires_in` values.

use dinie_api::retry::RetryPolicy;
use dinie_api::{Auth, Client, ClientConfig, Error, ListCustomers, NewCustomer, RequestOptions};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// What the server answers: a status line and headers, a body, then `filler` more
/// bytes streamed in 64 KiB chunks (for bodies too large to build in memory first).
struct Reply {
    head: String,
    body: Vec<u8>,
    filler: usize,
}

impl Reply {
    fn json(status: &str, body: &Value) -> Self {
        let body = serde_json::to_vec(body).unwrap();
        Self {
            head: format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_test\r\n",
                body.len()
            ),
            body,
            filler: 0,
        }
    }

    fn with_header(mut self, name: &str, value: &str) -> Self {
        self.head.push_str(&format!("{name}: {value}\r\n"));
        self
    }
}

struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    connections: Arc<AtomicUsize>,
}

impl Server {
    fn base_url(&self) -> String {
        format!("http://{}/api/v3", self.addr)
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

/// Starts a server answering every request with `handler`'s reply.
async fn serve(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(handler);
    let (reqs, conns) = (requests.clone(), connections.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            conns.fetch_add(1, Ordering::SeqCst);
            let (handler, reqs) = (handler.clone(), reqs.clone());
            tokio::spawn(async move {
                let _ = connection(stream, handler.as_ref(), &reqs).await;
            });
        }
    });
    Server { addr, requests, connections }
}

async fn connection(
    mut stream: TcpStream,
    handler: &(impl Fn(&Request) -> Reply + ?Sized),
    log: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // Read the head.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        buf.drain(..end + 4);
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let (method, path) = (first.next().unwrap_or_default().to_owned(), first.next().unwrap_or_default().to_owned());
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        while buf.len() < len {
            let mut chunk = [0u8; 8192];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buf.drain(..len).collect();
        let req = Request { method, path, headers, body };
        let reply = handler(&req);
        log.lock().unwrap().push(req);
        stream.write_all(reply.head.as_bytes()).await?;
        stream.write_all(b"\r\n").await?;
        stream.write_all(&reply.body).await?;
        let chunk = vec![b' '; 64 * 1024];
        let mut left = reply.filler;
        while left > 0 {
            let n = left.min(chunk.len());
            stream.write_all(&chunk[..n]).await?;
            left -= n;
        }
        stream.flush().await?;
        if reply.head.to_ascii_lowercase().contains("connection: close") {
            return Ok(());
        }
    }
}

fn empty_list() -> Value {
    json!({"object": "list", "data": [], "has_more": false})
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(1),
        max_backoff: Duration::from_millis(2),
        retry_after_cap: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

fn client(base: String, auth: Auth) -> Client {
    let mut cfg = ClientConfig::new(base, auth);
    cfg.retry = fast_retries();
    cfg.timeout = Duration::from_secs(20);
    Client::new(cfg).unwrap()
}

fn token_server(expires_in: Value) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    move |r: &Request| {
        if r.path.ends_with("/auth/token") {
            Reply::json(
                "200 OK",
                &json!({"access_token": "at_from_server", "token_type": "Bearer", "expires_in": expires_in}),
            )
        } else {
            Reply::json("200 OK", &empty_list())
        }
    }
}

#[tokio::test]
async fn the_token_request_is_the_sdks_json_body_without_basic_auth() {
    let server = serve(token_server(json!(3600))).await;
    let c = client(server.base_url(), Auth::client_credentials("acme-id", "s3cr3t \"quoted\""));
    c.list_customers(&ListCustomers::default()).await.unwrap();

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    let token = &reqs[0];
    assert_eq!((token.method.as_str(), token.path.as_str()), ("POST", "/api/v3/auth/token"));
    assert!(
        token.headers.get("content-type").is_some_and(|v| v.starts_with("application/json")),
        "{:?}",
        token.headers
    );
    assert!(!token.headers.contains_key("authorization"), "no Basic header: {:?}", token.headers);
    let body: Value = serde_json::from_slice(&token.body).expect("a JSON body");
    assert_eq!(
        body,
        json!({"grant_type": "client_credentials", "client_id": "acme-id", "client_secret": "s3cr3t \"quoted\""})
    );
    let call = &reqs[1];
    assert_eq!(call.headers.get("authorization").map(String::as_str), Some("Bearer at_from_server"));
}

#[tokio::test]
async fn a_huge_expires_in_is_capped_not_a_panic() {
    let server = serve(token_server(json!(u64::MAX))).await;
    let c = client(server.base_url(), Auth::client_credentials("id", "secret"));
    c.list_customers(&ListCustomers::default()).await.unwrap();
    c.list_customers(&ListCustomers::default()).await.unwrap();
    assert_eq!(c.stats().token_fetches, 1, "the capped token is still cached");
}

#[tokio::test]
async fn a_huge_retry_after_is_clamped_not_a_panic() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let server = serve(move |_| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::json("429 Too Many Requests", &json!({"title": "Too many", "detail": "slow down", "status": 429}))
                .with_header("retry-after", "1e30")
        } else {
            Reply::json("200 OK", &empty_list())
        }
    })
    .await;
    let c = client(server.base_url(), Auth::bearer("t"));
    c.list_customers(&ListCustomers::default()).await.unwrap();
    assert_eq!((calls.load(Ordering::SeqCst), c.stats().retries), (2, 1));
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_nor_retried() {
    let elsewhere = serve(|_| Reply::json("200 OK", &json!({}))).await;
    let target = format!("http://{}/steal?cpf=12345678909", elsewhere.addr);
    for status in ["307 Temporary Redirect", "308 Permanent Redirect", "302 Found"] {
        let target = target.clone();
        let server = serve(move |_| Reply::json(status, &json!({})).with_header("location", &target)).await;
        let c = client(server.base_url(), Auth::bearer("t"));
        let new = NewCustomer { cpf: "123.456.789-09".into(), ..Default::default() };
        let e = c.create_customer(&new, &RequestOptions::default()).await.unwrap_err();
        let code = &status[..3];
        let api = e.api().unwrap_or_else(|| panic!("{status}: an API error expected, got {e:?}"));
        assert_eq!(api.status.to_string(), code);
        assert!(e.to_string().contains(code) && e.to_string().contains("redirect"), "{e}");
        assert!(!e.to_string().contains("cpf="), "the Location's query is not shown: {e}");
        assert_eq!(server.requests().len(), 1, "{status}: not retried");
    }
    // Also for the token request, which carries the client secret.
    let target2 = format!("http://{}/token", elsewhere.addr);
    let server =
        serve(move |_| Reply::json("307 Temporary Redirect", &json!({})).with_header("location", &target2)).await;
    let c = client(server.base_url(), Auth::client_credentials("id", "secret"));
    let e = c.list_customers(&ListCustomers::default()).await.unwrap_err();
    assert_eq!(e.api().map(|a| a.status), Some(307), "{e:?}");

    assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0, "the other origin received nothing");
    assert!(elsewhere.requests().is_empty());
}

const TWENTY_MIB: usize = 20 * 1024 * 1024;

#[tokio::test]
async fn a_response_over_the_cap_is_refused_without_reading_it_all() {
    // Announced by Content-Length: refused before reading.
    let announced = serve(|_| Reply {
        head: format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {TWENTY_MIB}\r\n"),
        body: b"{\"data\":[".to_vec(),
        filler: TWENTY_MIB - 9,
    })
    .await;
    // Not announced (read until the connection closes): refused once past the cap.
    let endless = serve(|_| Reply {
        head: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n".into(),
        body: b"{\"data\":[".to_vec(),
        filler: TWENTY_MIB,
    })
    .await;
    for server in [&announced, &endless] {
        let c = client(server.base_url(), Auth::bearer("t"));
        let e = c.list_customers(&ListCustomers::default()).await.unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
        assert!(e.to_string().contains("larger than 16 MiB"), "{e}");
        assert_eq!(server.requests().len(), 1, "not retried");
    }
}

#[tokio::test]
async fn a_huge_error_body_is_cut_and_the_status_kept() {
    let server = serve(|_| Reply {
        head: "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\nconnection: close\r\n".into(),
        body: b"boom".to_vec(),
        filler: TWENTY_MIB,
    })
    .await;
    let mut cfg = ClientConfig::new(server.base_url(), Auth::bearer("t"));
    cfg.retry = RetryPolicy { max_retries: 0, ..fast_retries() };
    let c = Client::new(cfg).unwrap();
    let e = c.list_customers(&ListCustomers::default()).await.unwrap_err();
    let api = e.api().unwrap_or_else(|| panic!("an API error expected, got {e:?}"));
    assert_eq!(api.status, 500);
    assert!(api.detail.starts_with("the server answered 500: boom"), "{}", api.detail);
}
