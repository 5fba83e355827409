//! The providers this desk connects to: one entry per connector module, saying how to
//! reach the provider (its environments, the ways it signs in, whether the app has a
//! sandbox of it built in) and how to open a [`Provider`] from neutral credentials.
//! Profiles, Settings and the shell ask here; none of them names a provider.

pub use crate::connection::{ConnectorInfo, Credentials, Environment, is_https_or_loopback};
use crate::{CoreError, Provider};
use std::sync::Arc;

/// Opens a provider at a base URL with credentials.
type Open = fn(&str, &Credentials) -> Result<Arc<dyn Provider>, CoreError>;

/// A connector: how to describe and open one provider.
struct Connector {
    id: &'static str,
    info: fn() -> ConnectorInfo,
    open: Open,
    /// What it declares (forms, products, capabilities).
    spec: fn() -> kyc_model::ProviderSpec,
    /// The credentials of its built-in sandbox (not secrets: they open a local demo).
    builtin: Option<fn() -> Credentials>,
}

/// The provider of connections saved before connections named one (the desk then
/// served Dinie only), and how those files spelled its environments.
pub const BEFORE_PROVIDERS: &str = "dinie";
/// See [`BEFORE_PROVIDERS`].
pub const LEGACY_SANDBOX: &str = "dinieSandbox";
/// See [`BEFORE_PROVIDERS`].
pub const LEGACY_PRODUCTION: &str = "dinieProduction";

/// Every connector of this version. Adding a provider adds one line here.
const CONNECTORS: &[Connector] = &[
    Connector {
        id: "dinie",
        info: crate::dinie::connector,
        open: crate::dinie::connect,
        spec: crate::dinie::spec,
        builtin: Some(crate::dinie::builtin_sandbox_credentials),
    },
    Connector {
        id: "cartevo",
        info: crate::cartevo::connector,
        open: crate::cartevo::connect,
        spec: crate::cartevo::spec,
        builtin: Some(crate::cartevo::builtin_sandbox_credentials),
    },
    Connector {
        id: "wallets",
        info: crate::wallets::connector,
        open: crate::wallets::connect,
        spec: crate::wallets::spec,
        builtin: Some(crate::wallets::builtin_sandbox_credentials),
    },
];

fn find(id: &str) -> Result<&'static Connector, CoreError> {
    CONNECTORS
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| CoreError::Profile(format!("this version cannot connect to {id:?}")))
}

/// Every provider this version connects to.
pub fn all() -> Vec<ConnectorInfo> {
    CONNECTORS.iter().map(|c| (c.info)()).collect()
}

/// How to reach the provider `id`, if this version knows it.
pub fn info(id: &str) -> Option<ConnectorInfo> {
    find(id).ok().map(|c| (c.info)())
}

/// What the provider `id` declares (forms, products, capabilities), if this version knows it.
pub fn spec(id: &str) -> Option<kyc_model::ProviderSpec> {
    find(id).ok().map(|c| (c.spec)())
}

/// A provider at `base_url` with `credentials`. Refuses plain http to another machine
/// before anything is sent.
pub fn open(provider: &str, base_url: &str, credentials: &Credentials) -> Result<Arc<dyn Provider>, CoreError> {
    if !is_https_or_loopback(base_url) {
        return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
            "baseUrl",
            "invalid_url",
            "use an https:// address (http:// only on this machine)",
        )]));
    }
    (find(provider)?.open)(base_url, credentials)
}

/// The credentials of a provider's built-in sandbox.
pub fn builtin_sandbox_credentials(provider: &str) -> Result<Credentials, CoreError> {
    let builtin =
        find(provider)?.builtin.ok_or_else(|| CoreError::Profile(format!("{provider} has no built-in sandbox")))?;
    Ok(builtin())
}

/// Checks that a provider answers with these credentials: one authenticated list call
/// (for client credentials, the token request comes first). Nothing is stored.
pub async fn test_connection(provider: &str, base_url: &str, credentials: &Credentials) -> Result<(), CoreError> {
    open(provider, base_url, credentials)?.list_page(None, 1).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::AuthMethod;

    #[test]
    fn only_https_or_this_machines_http_is_allowed() {
        for ok in ["https://api.dinie.com.br/api/v3", "http://127.0.0.1:8787/x", "http://localhost/", "http://[::1]:9/"]
        {
            assert!(is_https_or_loopback(ok), "{ok}");
        }
        for bad in [
            "http://api.dinie.com.br/",
            "http://10.0.0.1/",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "nonsense",
        ] {
            assert!(!is_https_or_loopback(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_connection_test_refuses_plain_http_to_another_machine_before_sending() {
        // Nothing may reach another machine over plain http. (A remote host cannot be
        // reached from the tests, so the check must hold before any request is made.)
        let creds = AuthMethod::Bearer.with_secret("t");
        let Err(CoreError::Invalid(e)) = test_connection("dinie", "http://api.dinie.com.br/api/v3", &creds).await
        else {
            panic!("plain http to another machine must be refused before sending")
        };
        assert_eq!(e[0].field, "baseUrl");
    }

    #[test]
    fn every_connector_declares_how_to_reach_it() {
        for c in all() {
            assert_eq!(info(&c.id).as_ref(), Some(&c));
            assert!(!c.auth_methods.is_empty(), "{}", c.id);
            for e in &c.environments {
                assert!(e.base_url.starts_with("https://"), "{}: {}", c.id, e.base_url);
            }
        }
        assert!(info("nobody").is_none());
        assert!(matches!(builtin_sandbox_credentials("nobody"), Err(CoreError::Profile(_))));
    }
}
