//! `kyc-sandbox`: run the Dinie-compatible sandbox alone.

use kyc_sandbox::{Sandbox, SandboxConfig, Seed, WebhookEndpoint, webhooks::DEFAULT_SECRET};
use std::net::SocketAddr;
use std::time::Duration;

const USAGE: &str = "\
kyc-sandbox: a local Dinie V3 Customers API (see the README for the admin calls)

USAGE:
    kyc-sandbox [OPTIONS]

OPTIONS:
    --addr ADDR               socket to listen on (default 127.0.0.1:8080; port 0 = any free port)
    --empty                   start with no customers
    --seed N                  start with N demo customers (default 60)
    --data FILE               keep state in this SQLite file across restarts
    --token TOKEN             static bearer token to accept (default dinie_at_sandbox)
    --client-id ID            OAuth client id (default sandbox)
    --client-secret SECRET    OAuth client secret (default sandbox-secret)
    --token-ttl SECONDS       lifetime of issued access tokens (default 3600)
    --review-delay-ms MS      upload to review outcome (default 2000)
    --offer-delay-ms MS       activation to credit offer (default 3000)
    --rate-limit-burst N      token bucket size (default 1000)
    --rate-limit-rps N        token bucket refill per second (default 500)
    --webhook URL             deliver webhooks to URL (repeatable)
    --webhook-secret SECRET   whsec_<base64> secret for --webhook (default: the fixture's key)
    --admin-token TOKEN       bearer token the /_sandbox admin calls need (default: $KYC_SANDBOX_ADMIN_TOKEN,
                              else a random one, printed at start)
    -h, --help                this text
";

fn parse(args: &[String]) -> Result<(SocketAddr, SandboxConfig), String> {
    let mut addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let mut cfg = SandboxConfig::default();
    let mut hooks = Vec::new();
    let mut secret = DEFAULT_SECRET.to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let number =
            |name: &str, v: String| v.parse::<u64>().map_err(|_| format!("{name} {v:?}: expected a whole number"));
        match a.as_str() {
            "--addr" => {
                let v = value("--addr")?;
                addr = v.parse().map_err(|e| format!("--addr {v:?}: {e} (expected e.g. 127.0.0.1:8080)"))?;
            }
            "--empty" => cfg.seed = Seed::Empty,
            "--seed" => {
                let n = number("--seed", value("--seed")?)?;
                if n > kyc_sandbox::MAX_COUNT {
                    return Err(format!("--seed {n}: at most {}", kyc_sandbox::MAX_COUNT));
                }
                cfg.seed = Seed::Demo(n as usize);
            }
            "--data" => cfg.data_file = Some(value("--data")?.into()),
            "--token" => cfg.token = value("--token")?,
            "--client-id" => cfg.client_id = value("--client-id")?,
            "--client-secret" => cfg.client_secret = value("--client-secret")?,
            "--token-ttl" => cfg.token_ttl = Duration::from_secs(number("--token-ttl", value("--token-ttl")?)?),
            "--review-delay-ms" => {
                cfg.review_delay = Duration::from_millis(number("--review-delay-ms", value("--review-delay-ms")?)?);
            }
            "--offer-delay-ms" => {
                cfg.offer_delay = Duration::from_millis(number("--offer-delay-ms", value("--offer-delay-ms")?)?);
            }
            "--rate-limit-burst" => {
                cfg.rate_limit_burst = number("--rate-limit-burst", value("--rate-limit-burst")?)?.max(1) as u32;
            }
            "--rate-limit-rps" => {
                cfg.rate_limit_per_second = number("--rate-limit-rps", value("--rate-limit-rps")?)?.max(1) as f64;
            }
            "--webhook" => hooks.push(value("--webhook")?),
            "--webhook-secret" => secret = value("--webhook-secret")?,
            "--admin-token" => {
                let t = value("--admin-token")?;
                if t.trim().is_empty() {
                    return Err("--admin-token cannot be empty".into());
                }
                cfg.admin_token = Some(t);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if kyc_sandbox::webhooks::sign(&secret, "x", 0, "").is_none() {
        return Err("--webhook-secret must be whsec_<base64>".into());
    }
    cfg.webhooks = hooks.into_iter().map(|url| WebhookEndpoint { url, secret: secret.clone() }).collect();
    if cfg.admin_token.is_none() {
        cfg.admin_token = Some(
            std::env::var(kyc_sandbox::ADMIN_TOKEN_ENV)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(kyc_sandbox::random_admin_token),
        );
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
            eprintln!("kyc-sandbox: cannot start on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("kyc-sandbox listening on {}", sandbox.base_url());
    println!("admin calls under {}", sandbox.admin_url());
    if let Some(token) = sandbox.admin_token() {
        println!("admin token: {token}  (send Authorization: Bearer <admin token>)");
    }
    if addr.ip().is_unspecified() {
        println!(
            "warning: listening on every interface ({addr}): the Host check is off and anyone who can reach \
             this machine can use the API and, with the admin token, the admin calls"
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    sandbox.stop().await;
}
