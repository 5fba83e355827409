//! `kyc-sandbox`: run the Dinie-compatible sandbox alone.

use kyc_sandbox::{DEFAULT_DEMO_SIZE, DEFAULT_TOKEN, Sandbox, SandboxConfig, Seed};
use std::net::SocketAddr;

const USAGE: &str = "\
kyc-sandbox: a local Dinie V3 Customers API

USAGE:
    kyc-sandbox [--addr 127.0.0.1:8080] [--empty | --seed N] [--token TOKEN]

OPTIONS:
    --addr ADDR     socket to listen on (default 127.0.0.1:8080; port 0 = any free port)
    --empty         start with no customers
    --seed N        start with N demo customers (default 60)
    --token TOKEN   bearer token to accept (default dinie_at_sandbox)
    -h, --help      this text
";

fn parse(args: &[String]) -> Result<(SocketAddr, SandboxConfig), String> {
    let mut addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut cfg = SandboxConfig { token: DEFAULT_TOKEN.into(), seed: Seed::Demo(DEFAULT_DEMO_SIZE) };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "--addr" => {
                let v = value("--addr")?;
                addr = v.parse().map_err(|e| format!("--addr {v:?}: {e} (expected e.g. 127.0.0.1:8080)"))?;
            }
            "--empty" => cfg.seed = Seed::Empty,
            "--seed" => {
                let v = value("--seed")?;
                cfg.seed = Seed::Demo(v.parse().map_err(|_| format!("--seed {v:?}: expected a whole number"))?);
            }
            "--token" => cfg.token = value("--token")?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok((addr, cfg))
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return;
    }
    let (addr, cfg) = match parse(&args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("kyc-sandbox: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let sandbox = match Sandbox::start(addr, cfg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kyc-sandbox: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("kyc-sandbox listening on {}", sandbox.base_url());
    let _ = tokio::signal::ctrl_c().await;
}
