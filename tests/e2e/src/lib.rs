//! A small WebDriver client for driving the built KYC Desk app in a real window
//! through `tauri-driver` (which drives WebKitWebDriver on Linux).
//!
//! The tests expect what `cargo xtask test` sets up: a display (Xvfb), tauri-driver
//! listening at `WEBDRIVER_URL` (default `http://127.0.0.1:4444`), and the absolute
//! path of the built app in `KYC_DESK_APP`.

use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session holding one running app window.
pub struct Session {
    http: reqwest::Client,
    base: String,
}

/// A found element.
#[derive(Debug, Clone)]
pub struct Element(String);

fn fail(what: &str, v: &Value) -> String {
    format!("WebDriver {what} failed: {}", v.get("value").unwrap_or(v))
}

impl Session {
    /// Starts the app at `KYC_DESK_APP` with `args`, through the WebDriver at
    /// `WEBDRIVER_URL`.
    pub async fn start(args: &[&str]) -> Result<Self, String> {
        let app = std::env::var("KYC_DESK_APP").map_err(|_| {
            "KYC_DESK_APP is not set: run the end-to-end tests through `cargo xtask test`, which builds the app, \
             starts Xvfb and tauri-driver, and sets it"
                .to_owned()
        })?;
        if !Path::new(&app).is_file() {
            return Err(format!("KYC_DESK_APP={app} is not a file"));
        }
        let driver = std::env::var("WEBDRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".into());
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().map_err(|e| e.to_string())?;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app, "args": args}
        }}});
        let resp: Value = http
            .post(format!("{driver}/session"))
            .json(&caps)
            .send()
            .await
            .map_err(|e| format!("cannot reach tauri-driver at {driver}: {e}"))?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let id = resp["value"]["sessionId"].as_str().ok_or_else(|| fail("new session", &resp))?;
        Ok(Self { http, base: format!("{driver}/session/{id}") })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let v: Value = rb.send().await.map_err(|e| e.to_string())?.json().await.map_err(|e| e.to_string())?;
        if v["value"].get("error").is_some() {
            return Err(fail(path, &v));
        }
        Ok(v["value"].clone())
    }

    /// Every element matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v =
            self.call(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css}))).await?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_owned()))).collect())
            .unwrap_or_default())
    }

    /// An element's rendered text.
    pub async fn text(&self, e: &Element) -> Result<String, String> {
        let v = self.call(reqwest::Method::GET, &format!("/element/{}/text", e.0), None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for e in self.find_all(css).await? {
            out.push(self.text(&e).await?);
        }
        Ok(out)
    }

    /// Waits until `cond` holds of the texts matching `css`, returning them.
    pub async fn wait_for_texts(
        &self,
        css: &str,
        timeout: Duration,
        cond: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<String>, String> {
        let start = Instant::now();
        loop {
            // An element can go stale between finding it and reading it while React
            // re-renders; that is retried like an unmet condition, and reported on timeout.
            let last = match self.texts(css).await {
                Ok(texts) if cond(&texts) => return Ok(texts),
                Ok(texts) => format!("last saw {texts:?}"),
                Err(e) => format!("last error: {e}"),
            };
            if start.elapsed() > timeout {
                return Err(format!("timed out after {timeout:?} waiting on {css}; {last}"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Saves a PNG screenshot of the window.
    pub async fn screenshot(&self, path: &Path) -> Result<(), String> {
        use base64::Engine;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(path, png).map_err(|e| e.to_string())
    }

    /// Closes the app.
    pub async fn close(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}
