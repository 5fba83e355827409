//! `kyc-sandbox`: run a sandbox alone, Dinie-compatible (the default),
//! Cartevo-compatible (`--provider cartevo`) or Juicyway-wallets-compatible
//! (`--provider wallets`).

use kyc_sandbox::{Flavour, Sandbox, SandboxConfig, Seed, WebhookEndpoint, webhooks::DEFAULT_SECRET};
use std::net::SocketAddr;
use std::time::Duration;

const USAGE: &str = "\
kyc-sandbox: a local Dinie V3 Customers API (/api/v3), Cartevo's customers and cards API
(/api/v1) with --provider cartevo, or Juicyway's wallet-as-a-service API (at the root) with
--provider wallets (see the README for the admin calls)

USAGE:
    kyc-sandbox [OPTIONS]

OPTIONS:
    --provider NAME           dinie (default), cartevo or wallets; its defaults apply before
                              the other options, wherever this one is
    --addr ADDR               socket to listen on (default 127.0.0.1:8080; port 0 = any free port)
    --empty                   start with no customers
    --seed N                  start with N demo customers (default 60; cartevo 40; wallets 36)
    --review-delay-ms MS      upload (dinie), registration (cartevo) or creation (wallets) to
                              review outcome or activation (default 2000; wallets 3000)
    --rate-limit-burst N      token bucket size (default 1000; wallets 100)
    --rate-limit-rps N        token bucket refill per second (default 500; wallets 100/60)
    --rate-limit-per-minute N the same as --rate-limit-burst N with a refill of N/60 a second

  dinie and cartevo:
    --client-id ID            client id of POST /auth/token (default sandbox; cartevo client_sandbox)
    --client-secret SECRET    its secret (default sandbox-secret; cartevo sandbox-key)
    --client-key KEY          the same as --client-secret (cartevo's name for it)
    --token-ttl SECONDS       lifetime of issued access tokens (default 3600)

  dinie only:
    --data FILE               keep state in this SQLite file across restarts
    --token TOKEN             static bearer token to accept (default dinie_at_sandbox)
    --offer-delay-ms MS       activation to credit offer (default 3000)
    --webhook URL             deliver webhooks to URL (repeatable)
    --webhook-secret SECRET   whsec_<base64> secret for --webhook (default: the fixture's key)

  wallets only:
    --api-key KEY             the API key to accept, bare or as Bearer (default test_sandbox_key);
                              --token KEY is the same

  all:
    --admin-token TOKEN       bearer token the /_sandbox admin calls need (default: $KYC_SANDBOX_ADMIN_TOKEN,
                              else a random one, printed at start)
    -h, --help                this text
";

/// The flavour `--provider` names (the last one given), default Dinie.
fn provider(args: &[String]) -> Result<Flavour, String> {
    let mut flavour = Flavour::Dinie;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--provider" {
            flavour = match it.next().map(String::as_str) {
                Some("dinie") => Flavour::Dinie,
                Some("cartevo") => Flavour::Cartevo,
                Some("wallets") => Flavour::Wallets,
                Some(other) => return Err(format!("--provider {other:?}: expected dinie, cartevo or wallets")),
                None => return Err("--provider needs a value".into()),
            };
        }
    }
    Ok(flavour)
}

fn parse(args: &[String]) -> Result<(SocketAddr, SandboxConfig), String> {
    let mut addr: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
    let flavour = provider(args)?;
    let mut cfg = match flavour {
        Flavour::Dinie => SandboxConfig::default(),
        Flavour::Cartevo => SandboxConfig::cartevo(),
        Flavour::Wallets => SandboxConfig::wallets(),
    };
    let mut hooks = Vec::new();
    let mut secret = DEFAULT_SECRET.to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if flavour == Flavour::Cartevo
            && matches!(a.as_str(), "--data" | "--token" | "--offer-delay-ms" | "--webhook" | "--webhook-secret")
        {
            return Err(format!("{a} is not supported for cartevo"));
        }
        if flavour == Flavour::Wallets
            && matches!(
                a.as_str(),
                "--data"
                    | "--offer-delay-ms"
                    | "--webhook"
                    | "--webhook-secret"
                    | "--client-id"
                    | "--client-secret"
                    | "--client-key"
                    | "--token-ttl"
            )
        {
            return Err(format!("{a} is not supported for wallets"));
        }
        if flavour != Flavour::Wallets && a == "--api-key" {
            return Err("--api-key is for --provider wallets (dinie takes --token)".into());
        }
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let number =
            |name: &str, v: String| v.parse::<u64>().map_err(|_| format!("{name} {v:?}: expected a whole number"));
        match a.as_str() {
            "--provider" => {
                it.next();
            }
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
            "--token" | "--api-key" => {
                let t = value(a)?;
                if t.trim().is_empty() {
                    return Err(format!("{a} cannot be empty"));
                }
                cfg.token = t;
            }
            "--client-id" => cfg.client_id = value("--client-id")?,
            "--client-secret" | "--client-key" => cfg.client_secret = value(a)?,
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
            "--rate-limit-per-minute" => {
                let n = number("--rate-limit-per-minute", value("--rate-limit-per-minute")?)?;
                cfg = cfg.with_rate_limit_per_minute(u32::try_from(n).unwrap_or(u32::MAX));
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
    let api_key = cfg.token.clone();
    let sandbox = match Sandbox::start(addr, cfg).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kyc-sandbox: cannot start on {addr}: {e}");
            std::process::exit(1);
        }
    };
    println!("kyc-sandbox listening on {}", sandbox.base_url());
    println!("admin calls under {}", sandbox.admin_url());
    if sandbox.flavour() == Flavour::Wallets {
        println!("API key: {}  (send Authorization: <API key>)", api_key);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_provider_chooses_the_flavour_and_its_defaults() {
        let (addr, cfg) = parse(&args("--addr 127.0.0.1:0")).unwrap();
        assert_eq!((addr.port(), cfg.flavour, cfg.client_id.as_str()), (0, Flavour::Dinie, "sandbox"));
        assert_eq!(cfg.seed, Seed::Demo(kyc_sandbox::DEFAULT_DEMO_SIZE));

        let (_, cfg) = parse(&args("--addr 127.0.0.1:9000 --provider cartevo")).unwrap();
        assert_eq!(cfg.flavour, Flavour::Cartevo);
        assert_eq!(cfg.client_id, kyc_sandbox::CARTEVO_CLIENT_ID);
        assert_eq!(cfg.client_secret, kyc_sandbox::CARTEVO_CLIENT_KEY);
        assert_eq!(cfg.seed, Seed::Demo(kyc_sandbox::CARTEVO_DEMO_SIZE));

        // The defaults apply first, wherever --provider is.
        let (_, cfg) = parse(&args("--seed 5 --client-key k2 --provider cartevo --client-id client_x")).unwrap();
        assert_eq!((cfg.seed, cfg.client_id.as_str(), cfg.client_secret.as_str()), (Seed::Demo(5), "client_x", "k2"));
        assert!(cfg.admin_token.is_some());

        let (_, cfg) = parse(&args("--provider dinie --client-key s2")).unwrap();
        assert_eq!((cfg.flavour, cfg.client_secret.as_str()), (Flavour::Dinie, "s2"));
    }

    #[test]
    fn dinie_only_options_and_unknown_providers_are_refused() {
        assert!(parse(&args("--provider nope")).unwrap_err().contains("dinie, cartevo or wallets"));
        assert!(parse(&args("--provider")).unwrap_err().contains("needs a value"));
        for a in ["--data x.sqlite", "--token t", "--webhook http://127.0.0.1:1/h", "--offer-delay-ms 5"] {
            let e = parse(&args(&format!("--provider cartevo {a}"))).unwrap_err();
            assert!(e.contains("not supported for cartevo"), "{a}: {e}");
        }
        assert!(parse(&args("--data x.sqlite")).is_ok(), "dinie keeps --data");
        for a in ["--data x.sqlite", "--webhook http://127.0.0.1:1/h", "--client-id c", "--token-ttl 5"] {
            let e = parse(&args(&format!("--provider wallets {a}"))).unwrap_err();
            assert!(e.contains("not supported for wallets"), "{a}: {e}");
        }
        assert!(parse(&args("--api-key k")).unwrap_err().contains("--provider wallets"));
    }

    #[test]
    fn the_wallets_provider_takes_an_api_key_and_a_rate_per_minute() {
        let (_, cfg) = parse(&args("--provider wallets --addr 127.0.0.1:0")).unwrap();
        assert_eq!(cfg.flavour, Flavour::Wallets);
        assert_eq!((cfg.token.as_str(), cfg.seed), (kyc_sandbox::WALLETS_API_KEY, Seed::Demo(36)));
        assert_eq!((cfg.rate_limit_burst, cfg.review_delay), (100, Duration::from_secs(3)));
        assert!((cfg.rate_limit_per_second - 100.0 / 60.0).abs() < 1e-9);

        let (_, cfg) = parse(&args(
            "--api-key live_k --seed 4 --review-delay-ms 50 --rate-limit-per-minute 30 --provider wallets",
        ))
        .unwrap();
        assert_eq!(
            (cfg.token.as_str(), cfg.seed, cfg.review_delay),
            ("live_k", Seed::Demo(4), Duration::from_millis(50))
        );
        assert_eq!(cfg.rate_limit_burst, 30);
        assert!((cfg.rate_limit_per_second - 0.5).abs() < 1e-9);
        let (_, cfg) = parse(&args("--provider wallets --token t2")).unwrap();
        assert_eq!(cfg.token, "t2");
        assert!(parse(&args("--provider wallets --api-key")).unwrap_err().contains("needs a value"));
    }
}
