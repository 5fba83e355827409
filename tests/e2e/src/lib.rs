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

    /// The first element matching `css`, waiting up to `timeout` for it to appear.
    pub async fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element, String> {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find_all(css).await?.into_iter().next() {
                return Ok(e);
            }
            if start.elapsed() > timeout {
                return Err(format!("timed out after {timeout:?} waiting for {css}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Clicks the first element matching `css` (waiting up to 30 s for it).
    pub async fn click(&self, css: &str) -> Result<(), String> {
        let e = self.wait_for(css, Duration::from_secs(30)).await?;
        // Scrolled to the middle of its scrolling pane first, as a person would: WebKit's
        // driver scrolls the window, not a pane inside it, and calls an element at a
        // pane's clipped edge not interactable.
        let element = json!({"element-6066-11e4-a52e-4f735466cecf": e.0});
        self.execute("arguments[0].scrollIntoView({block: 'center'})", json!([element])).await?;
        self.call(reqwest::Method::POST, &format!("/element/{}/click", e.0), Some(json!({}))).await.map(|_| ())
    }

    /// Types `text` into the first element matching `css`, as key presses.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let e = self.wait_for(css, Duration::from_secs(30)).await?;
        self.send_keys(&e, text).await
    }

    /// Sends key presses to an element (a path, for a file input).
    pub async fn send_keys(&self, e: &Element, text: &str) -> Result<(), String> {
        self.call(reqwest::Method::POST, &format!("/element/{}/value", e.0), Some(json!({"text": text})))
            .await
            .map(|_| ())
    }

    /// Replaces an input's text as a user would: select all, delete, type.
    pub async fn replace_text(&self, css: &str, text: &str) -> Result<(), String> {
        let e = self.wait_for(css, Duration::from_secs(30)).await?;
        // Control+A, release Control, Backspace (WebDriver key codes), then the text.
        self.send_keys(&e, "\u{E009}a\u{E000}\u{E003}").await?;
        if text.is_empty() { Ok(()) } else { self.send_keys(&e, text).await }
    }

    /// An element's DOM property (`value` of an input, say).
    pub async fn property(&self, css: &str, name: &str) -> Result<String, String> {
        let e = self.wait_for(css, Duration::from_secs(30)).await?;
        let v = self.call(reqwest::Method::GET, &format!("/element/{}/property/{name}", e.0), None).await?;
        Ok(v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
    }

    /// Runs a script in the window (`arguments` holds `args`) and returns its result.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value, String> {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": args}))).await
    }

    /// Drops files onto the element matching `css` as a drag from the file manager
    /// would: `dragenter`, `dragover` and `drop` events carrying a `DataTransfer` with
    /// the files. (WebDriver cannot drive an OS-level drag; this is the same DOM events
    /// the webview would deliver.) `files`: name, MIME type, bytes.
    pub async fn drop_files(&self, css: &str, files: &[(String, &str, Vec<u8>)]) -> Result<(), String> {
        use base64::Engine;
        let files: Vec<Value> = files
            .iter()
            .map(|(name, mime, bytes)| {
                json!({"name": name, "type": mime, "b64": base64::engine::general_purpose::STANDARD.encode(bytes)})
            })
            .collect();
        let script = r#"
            const [css, files] = arguments;
            const zone = document.querySelector(css);
            if (!zone) return "no element " + css;
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name, { type: f.type }));
            }
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
            }
            return dt.files.length;
        "#;
        let v = self.execute(script, json!([css, files])).await?;
        if v.as_u64() == Some(files.len() as u64) { Ok(()) } else { Err(format!("dropping files: {v}")) }
    }

    /// Sends keys to whatever has the focus (WebDriver key codes for special keys).
    pub async fn send_keys_to_focus(&self, text: &str) -> Result<(), String> {
        let v = self.call(reqwest::Method::GET, "/element/active", None).await?;
        let id = v[ELEMENT_KEY].as_str().ok_or("nothing has the focus")?.to_owned();
        self.send_keys(&Element(id), text).await
    }

    /// The `data-testid` of the element with the focus, if it has one.
    pub async fn focused_testid(&self) -> Result<Option<String>, String> {
        let v = self.call(reqwest::Method::GET, "/element/active", None).await?;
        let id = v[ELEMENT_KEY].as_str().ok_or("nothing has the focus")?;
        let a = self.call(reqwest::Method::GET, &format!("/element/{id}/attribute/data-testid"), None).await?;
        Ok(a.as_str().map(str::to_owned))
    }

    /// An element's attribute, `None` when it has none.
    pub async fn attribute(&self, css: &str, name: &str) -> Result<Option<String>, String> {
        let e = self.wait_for(css, Duration::from_secs(30)).await?;
        let v = self.call(reqwest::Method::GET, &format!("/element/{}/attribute/{name}", e.0), None).await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// An element's computed CSS value (`background-color`, say).
    pub async fn css_value(&self, css: &str, property: &str) -> Result<String, String> {
        let e = self.wait_for(css, Duration::from_secs(30)).await?;
        let v = self.call(reqwest::Method::GET, &format!("/element/{}/css/{property}", e.0), None).await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Saves a PNG screenshot of the window.
    pub async fn screenshot(&self, path: &Path) -> Result<(), String> {
        use base64::Engine;
        // WebKitWebDriver answers a screenshot after the page's next presentation update,
        // and a page with nothing changing on screen may not have one: its screenshot
        // call then never returns. A one-pixel, nearly transparent mark added now and
        // removed a moment later makes sure there is one.
        self.execute(
            "const m = document.createElement('div');
             m.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01;background:#000;pointer-events:none';
             document.body.appendChild(m);
             setTimeout(() => m.remove(), 300);",
            json!([]),
        )
        .await?;
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

/// Starts the app on a fresh data dir (a first start), waits for its first sync, and
/// returns the session, the dir (removed on drop) and the built-in sandbox's base URL.
pub async fn first_start() -> Result<(Session, tempfile::TempDir, String), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let arg = dir.path().to_str().ok_or("non-UTF-8 temp dir")?.to_owned();
    let s = Session::start(&["--data-dir", &arg]).await?;
    let ready = async {
        s.wait_for_texts("[data-testid=customer-row]", Duration::from_secs(90), |t| !t.is_empty()).await?;
        let url = s
            .wait_for_texts("[data-testid=profile-url]", Duration::from_secs(10), |t| {
                t.first().is_some_and(|u| u.starts_with("http"))
            })
            .await?;
        Ok::<String, String>(url[0].clone())
    }
    .await;
    match ready {
        Ok(url) => Ok((s, dir, url)),
        Err(e) => {
            s.close().await;
            Err(e)
        }
    }
}

/// Saves a screenshot into `KYC_DESK_SCREENSHOTS`, when it is set (`cargo xtask test`
/// sets it).
pub async fn screenshot(s: &Session, name: &str) -> Result<(), String> {
    match std::env::var("KYC_DESK_SCREENSHOTS") {
        Ok(dir) => s.screenshot(&Path::new(&dir).join(format!("{name}.png"))).await,
        Err(_) => Ok(()),
    }
}
