//! The sandbox against Dinie's official Python SDK (PyPI `dinie-sdk` 1.1.0): the
//! script `python_sdk/interop.py` drives the real SDK against a sandbox on loopback
//! and prints what it saw as JSON.
//!
//! The SDK lives in a venv that `cargo xtask test` creates (`<target>/python-venv`) and
//! names in `KYC_PYTHON_SDK`. Run through plain `cargo test`, this test looks for that
//! venv under the target directory and fails, saying how to make it, when it is absent.

use kyc_sandbox::{Sandbox, SandboxConfig, Seed};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The SDK version this test pins (and `cargo xtask test` installs).
const SDK_VERSION: &str = "1.1.0";

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) { venv.join("Scripts").join("python.exe") } else { venv.join("bin").join("python") }
}

/// The venv's python: `KYC_PYTHON_SDK`, else `<target>/python-venv`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("KYC_PYTHON_SDK") {
        let p = PathBuf::from(p);
        assert!(p.exists(), "KYC_PYTHON_SDK names {}, which does not exist", p.display());
        return p;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("workspace root").to_path_buf();
    let mut tried = Vec::new();
    for target in std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).into_iter().chain([root.join("target")]) {
        let p = venv_python(&target.join("python-venv"));
        if p.exists() {
            return p;
        }
        tried.push(p.display().to_string());
    }
    panic!(
        "the official Python SDK (dinie-sdk {SDK_VERSION}) is not installed: run this test through \
         `cargo xtask test`, which creates target/python-venv and sets KYC_PYTHON_SDK, or make the venv \
         yourself: `python3 -m venv target/python-venv && target/python-venv/bin/pip install \
         dinie-sdk=={SDK_VERSION}` (looked for {})",
        tried.join(", ")
    );
}

/// Runs `python script args…`, at most two minutes; its stdout.
fn run_python(python: &Path, script: &Path, args: &[&str]) -> String {
    let mut child = Command::new(python)
        .arg(script)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("wait for python").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the Python SDK script did not finish within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("python output");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the script failed ({}):\n{stderr}\n{stdout}", out.status);
    stdout.into_owned()
}

/// The error a check raised, with its traceback shown when it unexpectedly passed.
fn raised<'a>(results: &'a Value, check: &str) -> &'a Value {
    let r = &results[check];
    assert_eq!(r["ok"], false, "{check}: an SDK error expected, got {r:#}");
    &r["error"]
}

fn succeeded<'a>(results: &'a Value, check: &str) -> &'a Value {
    let r = &results[check];
    assert_eq!(r["ok"], true, "{check} failed: {}\n{}", r["error"], r["traceback"].as_str().unwrap_or_default());
    &r["value"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_works_against_the_sandbox() {
    let python = python();
    let sb = Sandbox::start_local(SandboxConfig { seed: Seed::Empty, ..SandboxConfig::default() }).await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python_sdk/interop.py");
    let base = sb.base_url();
    let out = tokio::task::spawn_blocking(move || {
        run_python(&python, &script, &[&base, kyc_sandbox::DEFAULT_CLIENT_ID, kyc_sandbox::DEFAULT_CLIENT_SECRET])
    })
    .await
    .unwrap();
    let results: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    assert_eq!(results["sdk_version"], SDK_VERSION, "the venv holds another dinie-sdk");

    // The SDK's token request (a JSON body) is accepted with the default credentials.
    let token = succeeded(&results, "token");
    assert_eq!(token["token_prefix"], "dinie_at_", "{token}");

    // An unknown customer: the SDK's NotFoundError, from a 404 problem body.
    let e = raised(&results, "unknown_customer");
    assert_eq!((e["class"].as_str(), e["status"].as_u64()), (Some("NotFoundError"), Some(404)), "{e:#}");
    assert_eq!(e["body"]["type"], "https://docs.dinie.com/errors/not-found", "{e:#}");

    // The SDK's rate-limit snapshot holds the sandbox's numbers after a call.
    let rl = succeeded(&results, "rate_limit");
    let (limit, remaining, reset) = (rl["limit"].as_u64(), rl["remaining"].as_u64(), rl["reset_at"].as_f64());
    assert!(
        limit.is_some_and(|l| l > 0) && remaining.is_some_and(|r| Some(r) < limit) && reset.is_some_and(|t| t > 0.0),
        "no rate-limit snapshot after a call: {rl}"
    );

    // A bad CPF: a 422 validation error naming the cpf field.
    let e = raised(&results, "bad_cpf");
    assert_eq!(e["status"], 422, "{e:#}");
    assert!(matches!(e["class"].as_str(), Some("UnprocessableEntityError" | "ValidationError")), "{e:#}");
    let fields: Vec<&str> = e["body"]["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["param"].as_str()).collect())
        .unwrap_or_default();
    assert!(fields.contains(&"cpf"), "the cpf field is named: {e:#}");

    // A wrong client secret: the SDK's authentication error, from the token request.
    let e = raised(&results, "wrong_secret");
    assert_eq!(e["status"], 401, "{e:#}");
    assert!(matches!(e["class"].as_str(), Some("AuthenticationError" | "AuthError")), "{e:#}");
}
