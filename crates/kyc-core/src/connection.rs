//! The words of a connection, shared by connectors, profiles and the connector modules:
//! how a profile signs in, its credentials, a provider's environments and what it says
//! of how to reach it, and which addresses the app may talk to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a profile authenticates (the secret itself is in the keychain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "method", rename_all = "camelCase")]
#[ts(export)]
pub enum AuthMethod {
    /// A static bearer token.
    Bearer,
    /// A client id and its secret (OAuth2 client credentials, or a client key); the
    /// secret is the client secret.
    #[serde(rename_all = "camelCase")]
    ClientCredentials {
        /// The client id (not a secret).
        client_id: String,
    },
    /// An API key sent with every request.
    ApiKey,
}

impl AuthMethod {
    /// The method's name, as connectors list the ones they take.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::ClientCredentials { .. } => "clientCredentials",
            Self::ApiKey => "apiKey",
        }
    }

    /// The credentials this method makes with `secret`.
    pub fn with_secret(&self, secret: &str) -> Credentials {
        Credentials { auth: self.clone(), secret: secret.to_owned() }
    }
}

/// A profile's credentials: its authentication method and the secret read from the
/// keychain (or typed, for a connection test). Never printed.
#[derive(Clone)]
pub struct Credentials {
    /// How it signs in.
    pub auth: AuthMethod,
    /// The token, client secret or API key.
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("auth", &self.auth).field("secret", &"<redacted>").finish()
    }
}

/// One of a provider's published APIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Environment {
    /// `sandbox` or `production`.
    pub key: String,
    /// Its base URL, with the version prefix.
    pub base_url: String,
}

/// How to reach a provider, for Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectorInfo {
    /// Stable id, kept in profiles: `dinie`, …
    pub id: String,
    /// Its name as shown.
    pub name: String,
    /// Its sandbox and production APIs.
    pub environments: Vec<Environment>,
    /// The ways it signs in: `bearer`, `clientCredentials`, `apiKey`.
    pub auth_methods: Vec<String>,
    /// Whether the app has a sandbox of it built in (a profile of its own).
    pub builtin_sandbox: bool,
}

/// Whether the app may talk to (or open) `url`: `https` anywhere, `http` only on this
/// machine (the built-in or a local sandbox). API base URLs and biometric links both
/// follow this rule.
pub fn is_https_or_loopback(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}
