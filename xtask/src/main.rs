//! `cargo xtask`: the README's commands.
//!
//! - `cargo xtask run [-- APP ARGS]`: install what is missing, build the UI and the app,
//!   open KYC Desk on the built-in sandbox.
//! - `cargo xtask test`: install what is missing and run every check and test: formatting,
//!   lints, type checks, UI unit tests, all crates' tests, generated-bindings freshness,
//!   and the end-to-end tests of the built app in a real window.
//! - `cargo xtask bindings`: regenerate the TypeScript types in `ui/src/bindings`.
//! - `cargo xtask bench [--sync N] [--search N]`: the benchmarks, in a release build,
//!   written to `docs/BENCHMARKS.md`.
//!
//! Depends on nothing but the standard library, so it builds in seconds on a fresh
//! machine before anything else is installed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, String>;

/// Debian packages to build and run the app (WebKitGTK and friends).
const BUILD_PACKAGES: &[&str] = &[
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libsoup-3.0-dev",
    "libssl-dev",
    "pkg-config",
    "build-essential",
    "libxdo-dev",
];
/// Debian packages the tests add: a virtual display, the WebKit WebDriver, a keychain.
const TEST_PACKAGES: &[&str] = &["xvfb", "webkit2gtk-driver", "gnome-keyring", "dbus-x11", "procps", "dunst"];
const TAURI_DRIVER_VERSION: &str = "2.1.0";
const MIN_NODE: (u32, u32) = (20, 19);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let started = Instant::now();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("bindings") => bindings(),
        Some("bench") => bench(&args[1..]),
        Some("e2e") => end_to_end(&args[1..], &target_dir().join("e2e").join("screenshots")),
        Some("screenshots") => end_to_end(&[], &root().join("docs").join("screenshots")),
        _ => {
            eprintln!(
                "usage: cargo xtask run [-- APP ARGS] | test | e2e [TEST NAME FILTER] | screenshots | bindings | bench [--sync N] [--search N]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => {
            eprintln!("xtask: done in {}", secs(started.elapsed()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask: FAILED after {}: {e}", secs(started.elapsed()));
            ExitCode::FAILURE
        }
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Runs a step, printing its name and how long it took.
fn step(name: &str, f: impl FnOnce() -> Result) -> Result {
    eprintln!("\n==> {name}");
    let t = Instant::now();
    let r = f();
    eprintln!("<== {name}: {} in {}", if r.is_ok() { "ok" } else { "FAILED" }, secs(t.elapsed()));
    r.map_err(|e| format!("{name}: {e}"))
}

fn sh(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{shown} exited with {status}")) }
}

fn npm() -> Command {
    let mut c = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
    c.current_dir(root().join("ui")).env("NO_UPDATE_NOTIFIER", "1");
    c
}

// ---------------------------------------------------------------- prerequisites

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn missing_debian_packages(pkgs: &[&str]) -> Vec<String> {
    pkgs.iter()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .map(|p| (*p).to_owned())
        .collect()
}

/// Installs missing Debian packages (as root, or through passwordless sudo). Elsewhere
/// (macOS, Windows, other Linux) it checks nothing: the README lists what to install.
fn ensure_debian_packages(pkgs: &[&str]) -> Result {
    if !cfg!(target_os = "linux") || Command::new("dpkg-query").arg("--version").output().is_err() {
        return Ok(());
    }
    let missing = missing_debian_packages(pkgs);
    if missing.is_empty() {
        return Ok(());
    }
    let apt = |args: &[&str]| -> Command {
        let mut c = if is_root() {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.args(["-n", "apt-get"]);
            c
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    if !is_root() && !Command::new("sudo").args(["-n", "true"]).status().is_ok_and(|s| s.success()) {
        return Err(format!(
            "missing Debian packages and no root or passwordless sudo to install them; run:\n  sudo apt-get install -y {}",
            missing.join(" ")
        ));
    }
    eprintln!("installing Debian packages: {}", missing.join(" "));
    sh(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    sh(&mut install)
}

fn ensure_node() -> Result {
    let out = Command::new("node").arg("--version").output().map_err(|_| {
        format!("Node.js {}.{}+ is required (https://nodejs.org) and was not found", MIN_NODE.0, MIN_NODE.1)
    })?;
    let v = String::from_utf8_lossy(&out.stdout);
    let mut parts = v.trim().trim_start_matches('v').split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < MIN_NODE {
        return Err(format!("Node.js {}.{}+ is required; found {}", MIN_NODE.0, MIN_NODE.1, v.trim()));
    }
    Ok(())
}

/// `npm ci` when node_modules is missing or older than the lockfile.
fn ensure_npm_packages() -> Result {
    ensure_node()?;
    let ui = root().join("ui");
    let stamp = ui.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&stamp), modified(&ui.join("package-lock.json"))), (Some(a), Some(b)) if a >= b);
    if fresh {
        return Ok(());
    }
    sh(npm().args(["ci", "--no-audit", "--no-fund"]))
}

fn ensure_tauri_driver() -> Result {
    let installed =
        Command::new("tauri-driver").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if installed {
        return Ok(());
    }
    sh(Command::new(cargo()).args(["install", "tauri-driver", "--locked", "--version", TAURI_DRIVER_VERSION]))
}

/// The official Python SDK, pinned: the sandbox's interop test
/// (crates/kyc-sandbox/tests/python_sdk.rs) drives it against the sandbox.
const PYTHON_SDK: &str = "dinie-sdk==1.1.0";

/// Creates `<target>/python-venv` when missing and installs [`PYTHON_SDK`] into it when
/// it is not there (or another version is); returns the venv's python.
fn ensure_python_sdk() -> Result<PathBuf> {
    let venv = target_dir().join("python-venv");
    let python = if cfg!(windows) { venv.join("Scripts").join("python.exe") } else { venv.join("bin").join("python") };
    if !python.exists() {
        let system = if cfg!(windows) { "python" } else { "python3" };
        sh(Command::new(system).arg("-m").arg("venv").arg(&venv)).map_err(|e| {
            format!("{e}: Python 3 with its venv module is needed (on Debian/Ubuntu: apt-get install python3-venv)")
        })?;
    }
    let (name, version) = PYTHON_SDK.split_once("==").unwrap_or((PYTHON_SDK, ""));
    let shown = Command::new(&python)
        .args(["-m", "pip", "show", "--disable-pip-version-check", name])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let installed = shown.status.success()
        && String::from_utf8_lossy(&shown.stdout).lines().any(|l| l.trim() == format!("Version: {version}"));
    if !installed {
        sh(Command::new(&python).args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", PYTHON_SDK]))?;
    }
    Ok(python)
}

fn prerequisites(packages: &[&str]) -> Result {
    step("prerequisites", || {
        ensure_debian_packages(packages)?;
        ensure_npm_packages()
    })
}

// ---------------------------------------------------------------- building

fn build_ui() -> Result {
    step("build UI (ui/dist)", || sh(npm().args(["run", "build"])))
}

fn app_binary() -> PathBuf {
    target_dir().join("debug").join(if cfg!(windows) { "kyc-desk.exe" } else { "kyc-desk" })
}

/// Builds the app with the UI embedded (the `custom-protocol` feature is on by default).
fn build_app() -> Result {
    step("build app (kyc-desk)", || sh(Command::new(cargo()).current_dir(root()).args(["build", "-p", "kyc-desk"])))
}

// ---------------------------------------------------------------- commands

fn run(args: &[String]) -> Result {
    prerequisites(BUILD_PACKAGES)?;
    build_ui()?;
    build_app()?;
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        return Err("no display: run from a desktop session (or under Xvfb with DISPLAY set)".into());
    }
    let app_args: Vec<&String> = args.iter().skip_while(|a| *a == "--").collect();
    eprintln!("\n==> starting KYC Desk");
    sh(Command::new(app_binary()).args(app_args))
}

fn bench(args: &[String]) -> Result {
    step("benchmarks (release build) → docs/BENCHMARKS.md", || {
        let out = root().join("docs/BENCHMARKS.md");
        let mut cmd = Command::new(cargo());
        cmd.current_dir(root())
            .args(["run", "--release", "--locked", "-p", "kyc-worker", "--", "bench", "--out"])
            .arg(&out)
            .args(args);
        sh(&mut cmd)
    })
}

fn bindings() -> Result {
    step("generate TypeScript bindings into ui/src/bindings", || {
        sh(Command::new(cargo()).current_dir(root()).args([
            "test",
            "--workspace",
            "--exclude",
            "kyc-desk-e2e",
            "export_bindings",
        ]))
    })
}

fn test() -> Result {
    let mut pkgs = BUILD_PACKAGES.to_vec();
    pkgs.extend_from_slice(TEST_PACKAGES);
    prerequisites(&pkgs)?;
    step("tauri-driver", ensure_tauri_driver)?;
    step("UI type check (tsc)", || sh(npm().args(["run", "typecheck"])))?;
    step("UI lint (eslint)", || sh(npm().args(["run", "lint"])))?;
    step("UI unit tests (vitest)", || sh(npm().args(["test"])))?;
    build_ui()?;
    step("cargo fmt --check", || sh(Command::new(cargo()).current_dir(root()).args(["fmt", "--all", "--check"])))?;
    step("cargo clippy", || {
        sh(Command::new(cargo()).current_dir(root()).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    let mut python = PathBuf::new();
    step(&format!("Python venv with {PYTHON_SDK} (target/python-venv)"), || {
        python = ensure_python_sdk()?;
        Ok(())
    })?;
    let fresh_bindings = target_dir().join("bindings-check");
    let _ = std::fs::remove_dir_all(&fresh_bindings);
    step("cargo test (all crates, real OS keychain)", || {
        let cargo = cargo();
        let mut cmd = with_keychain(&[&cargo, "test", "--workspace", "--exclude", "kyc-desk-e2e", "--locked"]);
        sh(cmd.current_dir(root()).env("TS_RS_EXPORT_DIR", &fresh_bindings).env("KYC_PYTHON_SDK", &python))
    })?;
    step("generated bindings are up to date", || compare_dirs(&fresh_bindings, &root().join("ui/src/bindings")))?;
    build_app()?;
    let shots = target_dir().join("e2e").join("screenshots");
    step("end-to-end tests (real app, Xvfb, tauri-driver)", || e2e(&[], &shots))
}

/// Only the end-to-end tests (optionally those whose name contains a filter), after
/// building the UI and the app; screenshots of every screen go to `screenshots`
/// (`cargo xtask screenshots` writes the README's, into docs/screenshots).
fn end_to_end(filter: &[String], screenshots: &Path) -> Result {
    let mut pkgs = BUILD_PACKAGES.to_vec();
    pkgs.extend_from_slice(TEST_PACKAGES);
    prerequisites(&pkgs)?;
    step("tauri-driver", ensure_tauri_driver)?;
    build_ui()?;
    build_app()?;
    step("end-to-end tests (real app, Xvfb, tauri-driver)", || e2e(filter, screenshots))
}

/// `args` as a command that, on Linux, runs inside its own D-Bus session with an
/// unlocked gnome-keyring: the Secret Service the keychain tests use, as a desktop has.
fn with_keychain(args: &[&str]) -> Command {
    if !cfg!(target_os = "linux") {
        let mut c = Command::new(args[0]);
        c.args(&args[1..]);
        return c;
    }
    // The daemon keeps its keyrings and control socket in a directory of its own under
    // target/, emptied each run: a login keyring left in $HOME with another password, or
    // the desktop's own running daemon, would otherwise answer with an unlock prompt
    // that nobody can see ("prompt dismissed").
    let dir = target_dir().join("keychain");
    let mut c = Command::new("dbus-run-session");
    c.env("KYC_KEYCHAIN_DIR", &dir).args([
        "--",
        "sh",
        "-c",
        r#"set -e
D="$KYC_KEYCHAIN_DIR"
rm -rf "$D"; mkdir -p "$D/data" "$D/run"; chmod 700 "$D" "$D/data" "$D/run"
printf %s kyc-desk-ci | XDG_DATA_HOME="$D/data" XDG_RUNTIME_DIR="$D/run" \
    gnome-keyring-daemon --unlock --components=secrets >"$D/daemon.log" 2>&1
set +e
exec "$@""#,
        "sh",
    ]);
    c.args(args);
    c
}

fn compare_dirs(fresh: &Path, committed: &Path) -> Result {
    let list = |d: &Path| -> Result<Vec<(String, Vec<u8>)>> {
        let mut v: Vec<_> = std::fs::read_dir(d)
            .map_err(|e| format!("{}: {e}", d.display()))?
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap_or_default()))
            .collect();
        v.sort();
        Ok(v)
    };
    let (a, b) = (list(fresh)?, list(committed)?);
    if a == b {
        return Ok(());
    }
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let stale: Vec<_> = a.iter().filter(|x| !b.contains(x)).map(|(n, _)| n.clone()).collect();
    Err(format!(
        "ui/src/bindings is stale (differs: {stale:?}; generated {:?}, committed {:?}); run `cargo xtask bindings` and commit",
        names(&a),
        names(&b)
    ))
}

// ---------------------------------------------------------------- end-to-end

/// Kills a background process when dropped.
struct Background(Child, &'static str);

impl Drop for Background {
    fn drop(&mut self) {
        // The whole process group when it has one of its own (the driver, its D-Bus
        // session and keyring daemon); the process alone otherwise.
        #[cfg(unix)]
        {
            let pid = self.0.id().to_string();
            let _ = Command::new("kill").args(["-TERM", "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
            // SIGTERM lets Xvfb remove its lock and socket (SIGKILL would leave them).
            let _ = Command::new("kill").args(["-TERM", &pid]).stderr(Stdio::null()).status();
            let t = Instant::now();
            while t.elapsed() < Duration::from_secs(3) && matches!(self.0.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
        eprintln!("stopped {}", self.1);
    }
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) -> Result {
    let t = Instant::now();
    while !ok() {
        if t.elapsed() > timeout {
            return Err(format!("{what} did not come up within {}", secs(timeout)));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

fn start_xvfb() -> Result<(String, Background)> {
    // A display is taken when its lock names a live process; a lock left by a server
    // that was killed is stale, and Xvfb replaces it.
    let taken = |n: u32| {
        std::fs::read_to_string(format!("/tmp/.X{n}-lock"))
            .ok()
            .and_then(|pid| pid.trim().parse::<u32>().ok())
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists())
    };
    let n = (99..200).find(|&n| !taken(n)).ok_or("no free X display number")?;
    let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
    let display = format!(":{n}");
    let child = Command::new("Xvfb")
        .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start Xvfb: {e}"))?;
    let guard = Background(child, "Xvfb");
    wait_until("Xvfb", Duration::from_secs(15), || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists())?;
    Ok((display, guard))
}

/// Writes a dunst configuration whose one rule runs a script for every notification,
/// appending `summary<TAB>body` to a log the tests read; returns the log's path (empty).
fn notification_server(dir: &Path) -> Result<PathBuf> {
    let log = dir.join("notifications.log");
    let script = dir.join("notify-log.sh");
    let io = |e: std::io::Error| e.to_string();
    std::fs::write(&log, "").map_err(io)?;
    // dunst passes appname, summary, body, icon and urgency as arguments.
    std::fs::write(&script, "#!/bin/sh\nprintf '%s\\t%s\\n' \"$2\" \"$3\" >> \"$KYC_NOTIFY_LOG\"\n").map_err(io)?;
    #[cfg(unix)]
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).map_err(io)?;
    let rc = format!(
        "[global]\n    timeout = 2\n\n[log_every_notification]\n    summary = \"*\"\n    script = {}\n",
        script.display()
    );
    std::fs::write(dir.join("dunstrc"), rc).map_err(io)?;
    Ok(log)
}

/// 32 random bytes from the kernel, in hex: the built-in sandbox's admin token for one
/// end-to-end run.
fn random_hex_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn e2e(filter: &[String], screenshots: &Path) -> Result {
    if !cfg!(target_os = "linux") {
        return Err("the end-to-end tests drive WebKitWebDriver and run on Linux only".into());
    }
    // The app's built-in sandbox takes its admin token from this variable (inherited
    // through tauri-driver), and the tests send it on their `/_sandbox` calls.
    let admin_token = random_hex_token()?;
    let (display, _xvfb) = start_xvfb()?;
    let port = free_port()?;
    let native_port = free_port()?;
    let log_dir = target_dir().join("e2e");
    std::fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
    let driver_log = std::fs::File::create(log_dir.join("tauri-driver.log")).map_err(|e| e.to_string())?;
    let notify_log = notification_server(&log_dir)?;
    // The app saves connection secrets in the OS keychain: the driver (and the app it
    // starts) run in a D-Bus session with an unlocked gnome-keyring, as on a desktop,
    // and a real notification server (dunst) that logs what it is asked to show.
    let driver_cmd = format!(
        "dunst -config \"$KYC_DUNSTRC\" >\"$KYC_DUNST_LOG\" 2>&1 & exec tauri-driver --port {port} --native-port {native_port}"
    );
    let mut driver = with_keychain(&["sh", "-c", &driver_cmd]);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut driver, 0);
    let driver = driver
        .env("DISPLAY", &display)
        .env("KYC_DUNSTRC", log_dir.join("dunstrc"))
        .env("KYC_DUNST_LOG", log_dir.join("dunst.log"))
        .env("KYC_NOTIFY_LOG", &notify_log)
        .env("KYC_SANDBOX_ADMIN_TOKEN", &admin_token)
        // Without these a headless WebKit can show a blank window with no error.
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .stdout(driver_log.try_clone().map_err(|e| e.to_string())?)
        .stderr(driver_log)
        .spawn()
        .map_err(|e| format!("cannot start tauri-driver: {e}"))?;
    let _driver = Background(driver, "tauri-driver (and its D-Bus session)");
    wait_until("tauri-driver", Duration::from_secs(20), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok())?;
    sh(Command::new(cargo())
        .current_dir(root())
        .env("KYC_DESK_APP", app_binary())
        .env("WEBDRIVER_URL", format!("http://127.0.0.1:{port}"))
        .env("KYC_DESK_SCREENSHOTS", screenshots)
        .env("KYC_NOTIFY_LOG", &notify_log)
        .env("KYC_SANDBOX_ADMIN_TOKEN", &admin_token)
        .env("DISPLAY", &display)
        // One app window at a time: the tests share one driver.
        .args(["test", "-p", "kyc-desk-e2e", "--locked", "--", "--test-threads=1"])
        .args(filter))
    .map_err(|e| format!("{e} (driver log: {})", log_dir.join("tauri-driver.log").display()))
}
