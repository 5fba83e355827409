//! Connection profiles: which API the app talks to and how it authenticates.
//!
//! The built-in local sandbox (the default on first start), Dinie's sandbox, Dinie
//! production, and custom base URLs, each with a bearer token or client credentials.
//! Profiles live in `<data dir>/profiles.json`, which never holds a secret: the token
//! or client secret of each profile is one entry in the OS keychain (service
//! [`KEYCHAIN_SERVICE`], user `profile:<id>`). Removing a profile removes its secret and
//! its cache. Each profile has its own cache, so sandbox and production data never mix.

use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// The keychain service under which profile secrets are stored.
pub const KEYCHAIN_SERVICE: &str = "br.com.kycdesk.app";

/// The built-in sandbox profile's id.
pub const BUILTIN_ID: &str = "builtin-sandbox";

/// Dinie's sandbox API.
pub const DINIE_SANDBOX_URL: &str = "https://sandbox.api.dinie.com.br/api/v3";
/// Dinie's production API.
pub const DINIE_PRODUCTION_URL: &str = "https://api.dinie.com.br/api/v3";

/// What a profile points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ProfileKind {
    /// The sandbox inside the app, with demo data.
    BuiltinSandbox,
    /// Dinie's sandbox.
    DinieSandbox,
    /// Dinie production.
    DinieProduction,
    /// Any other base URL.
    Custom,
}

/// How a profile authenticates (the secret itself is in the keychain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "method", rename_all = "camelCase")]
#[ts(export)]
pub enum AuthMethod {
    /// A static bearer token.
    Bearer,
    /// OAuth2 client credentials; the secret is the client secret.
    #[serde(rename_all = "camelCase")]
    ClientCredentials {
        /// The client id (not a secret).
        client_id: String,
    },
}

/// A connection profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Profile {
    /// Stable id (also the cache folder's name).
    pub id: String,
    /// Name shown to staff.
    pub name: String,
    /// What it points at.
    pub kind: ProfileKind,
    /// API base URL with the version prefix; empty for the built-in sandbox (its port is
    /// chosen at start).
    pub base_url: String,
    /// How it authenticates.
    pub auth: AuthMethod,
}

/// Where secrets are kept.
pub trait SecretStore: Send + Sync {
    /// The secret of a profile, if stored.
    fn get(&self, profile_id: &str) -> Result<Option<String>, CoreError>;
    /// Stores (or replaces) it.
    fn set(&self, profile_id: &str, secret: &str) -> Result<(), CoreError>;
    /// Removes it (no error when there was none).
    fn delete(&self, profile_id: &str) -> Result<(), CoreError>;
}

/// The OS keychain: Keychain Services on macOS, Credential Manager on Windows, the
/// Secret Service (GNOME Keyring, KWallet) on Linux.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self { service: KEYCHAIN_SERVICE.to_owned() }
    }
}

impl Keychain {
    /// A keychain under another service name (tests use their own, to stay apart).
    pub fn with_service(service: &str) -> Self {
        Self { service: service.to_owned() }
    }

    fn entry(&self, profile_id: &str) -> Result<keyring::Entry, CoreError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(CoreError::Keychain(format!("the OS keychain is not available ({e})")));
        }
        keyring::Entry::new(&self.service, &format!("profile:{profile_id}"))
            .map_err(|e| CoreError::Keychain(e.to_string()))
    }
}

impl SecretStore for Keychain {
    fn get(&self, profile_id: &str) -> Result<Option<String>, CoreError> {
        match self.entry(profile_id)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(CoreError::Keychain(e.to_string())),
        }
    }

    fn set(&self, profile_id: &str, secret: &str) -> Result<(), CoreError> {
        self.entry(profile_id)?.set_password(secret).map_err(|e| CoreError::Keychain(e.to_string()))
    }

    fn delete(&self, profile_id: &str) -> Result<(), CoreError> {
        match self.entry(profile_id)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(CoreError::Keychain(e.to_string())),
        }
    }
}

/// Secrets in memory, for unit tests of code around the keychain. (The integration
/// tests use the real keychain.)
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, id: &str) -> Result<Option<String>, CoreError> {
        Ok(self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(id).cloned())
    }
    fn set(&self, id: &str, secret: &str) -> Result<(), CoreError> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_owned(), secret.to_owned());
        Ok(())
    }
    fn delete(&self, id: &str) -> Result<(), CoreError> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(id);
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProfilesFile {
    active: String,
    profiles: Vec<Profile>,
}

/// The profiles of one data dir.
pub struct Profiles {
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
    file: ProfilesFile,
}

impl std::fmt::Debug for Profiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Profiles").field("data_dir", &self.data_dir).field("profiles", &self.file.profiles).finish()
    }
}

fn builtin() -> Profile {
    Profile {
        id: BUILTIN_ID.into(),
        name: "Built-in sandbox".into(),
        kind: ProfileKind::BuiltinSandbox,
        base_url: String::new(),
        auth: AuthMethod::Bearer,
    }
}

impl Profiles {
    /// Loads the profiles of `data_dir`; on first start, just the built-in sandbox.
    ///
    /// A `profiles.json` that cannot be read as profiles (a disk fault, an edit by hand)
    /// never blocks start: the last good copy (`profiles.json.bak`, kept by every save)
    /// is used, and failing that the built-in sandbox alone; the bad file is kept aside
    /// as `profiles.json.corrupt` for support to look at.
    pub fn load(data_dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<Self, CoreError> {
        let path = data_dir.join("profiles.json");
        let backup = data_dir.join("profiles.json.bak");
        let parse = |p: &Path| -> Result<Option<ProfilesFile>, String> {
            match std::fs::read(p) {
                Ok(bytes) => serde_json::from_slice::<ProfilesFile>(&bytes)
                    .ok()
                    .filter(|f| f.profiles.iter().any(|p| p.id == BUILTIN_ID))
                    .map(Some)
                    .ok_or_else(|| format!("{} is not a profiles file", p.display())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("{}: {e}", p.display())),
            }
        };
        let first_start = || ProfilesFile { active: BUILTIN_ID.into(), profiles: vec![builtin()] };
        let file = match parse(&path) {
            Ok(Some(f)) => f,
            Ok(None) => first_start(),
            Err(why) => {
                tracing::error!(%why, "profiles.json is damaged; using the last good copy");
                let _ = std::fs::rename(&path, data_dir.join("profiles.json.corrupt"));
                parse(&backup).ok().flatten().unwrap_or_else(first_start)
            }
        };
        Ok(Self { data_dir: data_dir.to_owned(), secrets, file })
    }

    /// Saves the profiles durably (flushed, renamed, folder flushed), the file it
    /// replaces kept as `profiles.json.bak`.
    fn save(&self) -> Result<(), CoreError> {
        crate::durable::private_dir(&self.data_dir)?;
        let path = self.data_dir.join("profiles.json");
        let json = serde_json::to_vec_pretty(&self.file).map_err(|e| CoreError::Io(e.to_string()))?;
        if path.exists() {
            let backup = self.data_dir.join("profiles.json.bak");
            if std::fs::copy(&path, &backup).is_ok() {
                crate::durable::private_file(&backup)?;
            }
        }
        crate::durable::write_atomic(&path, &json)
    }

    /// Every profile.
    pub fn list(&self) -> &[Profile] {
        &self.file.profiles
    }

    /// The profile in use.
    pub fn active(&self) -> &Profile {
        self.file.profiles.iter().find(|p| p.id == self.file.active).unwrap_or(&self.file.profiles[0])
    }

    /// Switches to another profile.
    pub fn set_active(&mut self, id: &str) -> Result<(), CoreError> {
        self.index_of(id)?;
        self.file.active = id.to_owned();
        self.save()
    }

    /// Adds a profile and stores its secret in the keychain (the secret goes nowhere else).
    pub fn add(
        &mut self,
        name: &str,
        kind: ProfileKind,
        base_url: &str,
        auth: AuthMethod,
        secret: &str,
    ) -> Result<Profile, CoreError> {
        let (name, base_url) = checked(name, kind, base_url, &auth, Some(secret))?;
        let slug: String =
            name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let id = format!("{}-{}", slug.trim_matches('-'), &crate::new_idempotency_key()[..8]);
        let profile = Profile { id: id.clone(), name, kind, base_url, auth };
        self.secrets.set(&id, secret)?;
        self.file.profiles.push(profile.clone());
        if let Err(e) = self.save() {
            let _ = self.secrets.delete(&id);
            self.file.profiles.retain(|p| p.id != id);
            return Err(e);
        }
        Ok(profile)
    }

    /// Changes a profile in place: its name, address and authentication, and its secret
    /// when `secret` is not empty (empty keeps the one in the keychain). A new secret is
    /// required when the authentication method changes or the keychain has lost it.
    pub fn update(
        &mut self,
        id: &str,
        name: &str,
        kind: ProfileKind,
        base_url: &str,
        auth: AuthMethod,
        secret: &str,
    ) -> Result<Profile, CoreError> {
        let index = self.index_of(id)?;
        let old = self.file.profiles[index].clone();
        if old.kind == ProfileKind::BuiltinSandbox {
            return Err(CoreError::Profile("the built-in sandbox cannot be changed".into()));
        }
        let method_changed = std::mem::discriminant(&old.auth) != std::mem::discriminant(&auth);
        let stored = self.secrets.get(id)?;
        let typed = !secret.trim().is_empty();
        let (name, base_url) = checked(name, kind, base_url, &auth, typed.then_some(secret))?;
        // A stored secret is only ever sent to the origin it was saved for: moving the
        // profile to another address needs the secret typed again.
        let moved = !same_origin(&old.base_url, &base_url);
        if !typed && stored.is_some() && moved {
            return Err(address_changed());
        }
        let keep = !typed && !method_changed && stored.is_some();
        if !typed && !keep {
            return Err(CoreError::Invalid(vec![secret_required()]));
        }
        let profile = Profile { id: id.to_owned(), name, kind, base_url, auth };
        // What to put back if saving the file fails.
        let previous_secret = if keep { None } else { stored };
        if !keep {
            self.secrets.set(id, secret)?;
        }
        self.file.profiles[index] = profile.clone();
        if let Err(e) = self.save() {
            self.file.profiles[index] = old;
            if let Some(s) = previous_secret {
                let _ = self.secrets.set(id, &s);
            }
            return Err(e);
        }
        Ok(profile)
    }

    /// The credentials for checking a profile as typed: the typed secret, or the one
    /// the keychain holds for `id` when none was typed (editing without retyping it).
    ///
    /// A stored secret is only used for the origin (scheme, host, port) it was saved
    /// for: testing the profile at another address needs the secret typed again, so no
    /// edit of the address can send a saved secret somewhere else.
    pub fn auth_to_test(
        &self,
        id: Option<&str>,
        base_url: &str,
        auth: &AuthMethod,
        secret: &str,
    ) -> Result<dinie_api::Auth, CoreError> {
        if !secret.is_empty() {
            return Ok(auth.with_secret(secret));
        }
        let Some(saved) = id.and_then(|id| self.file.profiles.iter().find(|p| p.id == id)) else {
            return Err(CoreError::Invalid(vec![secret_required()]));
        };
        if !same_origin(&saved.base_url, base_url) {
            return Err(address_changed());
        }
        let stored = self.secrets.get(&saved.id)?.ok_or_else(|| CoreError::Invalid(vec![secret_required()]))?;
        Ok(auth.with_secret(&stored))
    }

    /// Which profiles have no secret in the keychain (they cannot be opened until it is
    /// entered again). The built-in sandbox needs none.
    pub fn missing_secrets(&self) -> Vec<String> {
        self.file
            .profiles
            .iter()
            .filter(|p| p.kind != ProfileKind::BuiltinSandbox)
            .filter(|p| !matches!(self.secrets.get(&p.id), Ok(Some(_))))
            .map(|p| p.id.clone())
            .collect()
    }

    fn index_of(&self, id: &str) -> Result<usize, CoreError> {
        self.file.profiles.iter().position(|p| p.id == id).ok_or_else(|| CoreError::Profile(format!("no profile {id}")))
    }

    /// Removes a profile, its keychain entry and its cache. The built-in sandbox stays.
    pub fn remove(&mut self, id: &str) -> Result<(), CoreError> {
        if id == BUILTIN_ID {
            return Err(CoreError::Profile("the built-in sandbox cannot be removed".into()));
        }
        self.index_of(id)?;
        self.secrets.delete(id)?;
        self.secrets.delete(&cache_key_id(id))?;
        self.file.profiles.retain(|p| p.id != id);
        if self.file.active == id {
            self.file.active = BUILTIN_ID.into();
        }
        self.save()?;
        let dir = self.profile_dir(id);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| CoreError::Io(format!("{}: {e}", dir.display())))?;
        }
        Ok(())
    }

    /// The folder of a profile's cache and documents.
    pub fn profile_dir(&self, id: &str) -> PathBuf {
        self.data_dir.join("profiles").join(id)
    }

    /// The key a profile's cache is encrypted with: kept in the OS keychain beside the
    /// profile's secret (made on first use), never on disk and never logged.
    ///
    /// The built-in sandbox holds only demo data: when the keychain cannot be reached
    /// its cache stays unencrypted (`None`) rather than the app refusing to start.
    pub fn cache_key(&self, p: &Profile) -> Result<Option<kyc_store::CacheKey>, CoreError> {
        let id = cache_key_id(&p.id);
        let stored = match self.secrets.get(&id) {
            Ok(s) => s,
            Err(e) if p.kind == ProfileKind::BuiltinSandbox => {
                tracing::warn!(error = %e, "no keychain: the demo cache stays unencrypted");
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if let Some(key) = stored.as_deref().and_then(kyc_store::CacheKey::from_hex) {
            return Ok(Some(key));
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| CoreError::Keychain(format!("no random source for a cache key: {e}")))?;
        let key = kyc_store::CacheKey::from_bytes(bytes);
        self.secrets.set(&id, &key.to_hex())?;
        Ok(Some(key))
    }

    /// The API credentials of a profile, read from the keychain.
    pub fn auth_for(&self, p: &Profile) -> Result<dinie_api::Auth, CoreError> {
        if p.kind == ProfileKind::BuiltinSandbox {
            return Ok(dinie_api::Auth::bearer(kyc_sandbox_token()));
        }
        let secret = self.secrets.get(&p.id)?.ok_or_else(|| {
            CoreError::Keychain(format!(
                "no secret for profile {:?} in the keychain: enter it again in Settings",
                p.name
            ))
        })?;
        Ok(p.auth.with_secret(&secret))
    }
}

impl AuthMethod {
    /// The API credentials this method makes with `secret`.
    pub fn with_secret(&self, secret: &str) -> dinie_api::Auth {
        match self {
            Self::Bearer => dinie_api::Auth::bearer(secret),
            Self::ClientCredentials { client_id } => dinie_api::Auth::client_credentials(client_id.clone(), secret),
        }
    }
}

/// The keychain name of a profile's cache key (beside its secret, `profile:<id>`).
fn cache_key_id(profile_id: &str) -> String {
    format!("{profile_id}/cache-key")
}

/// Whether two API addresses share an origin (scheme, host and port). Unparsable
/// addresses share nothing.
fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin().is_tuple() && a.origin() == b.origin(),
        _ => false,
    }
}

fn secret_required() -> kyc_model::FieldError {
    kyc_model::FieldError::new("secret", "required", "the token or client secret is required")
}

fn address_changed() -> CoreError {
    CoreError::Invalid(vec![kyc_model::FieldError::new(
        "secret",
        "address_changed",
        "the address changed: type the token or client secret again (a saved secret is only sent to the address it was saved for)",
    )])
}

/// A profile's fields checked all at once, every bad one named: its trimmed name and
/// its base URL (fixed for Dinie's own). `secret` is `None` when the stored one is kept.
fn checked(
    name: &str,
    kind: ProfileKind,
    base_url: &str,
    auth: &AuthMethod,
    secret: Option<&str>,
) -> Result<(String, String), CoreError> {
    use kyc_model::FieldError;
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError::new("name", "required", "give the profile a name"));
    }
    let base_url = match kind {
        ProfileKind::DinieSandbox => DINIE_SANDBOX_URL.to_owned(),
        ProfileKind::DinieProduction => DINIE_PRODUCTION_URL.to_owned(),
        ProfileKind::Custom => base_url.trim().trim_end_matches('/').to_owned(),
        ProfileKind::BuiltinSandbox => {
            return Err(CoreError::Profile("there is only one built-in sandbox profile".into()));
        }
    };
    if !is_https_or_loopback(&base_url) {
        errors.push(FieldError::new(
            "baseUrl",
            "invalid_url",
            "use an https:// address (http:// only on this machine)",
        ));
    }
    if secret.is_some_and(|s| s.trim().is_empty()) {
        errors.push(FieldError::new("secret", "required", "the token or client secret is required"));
    }
    if let AuthMethod::ClientCredentials { client_id } = auth
        && client_id.trim().is_empty()
    {
        errors.push(FieldError::new("clientId", "required", "the client id is required"));
    }
    if errors.is_empty() { Ok((name.trim().to_owned(), base_url)) } else { Err(CoreError::Invalid(errors)) }
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

/// Checks that an API answers with these credentials: one authenticated list call
/// (for client credentials, the token request comes first). Nothing is stored.
pub async fn test_connection(base_url: &str, auth: dinie_api::Auth) -> Result<(), CoreError> {
    if !is_https_or_loopback(base_url) {
        return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
            "baseUrl",
            "invalid_url",
            "use an https:// address (http:// only on this machine)",
        )]));
    }
    let cfg = dinie_api::ClientConfig::new(base_url, auth);
    let client = dinie_api::Client::new(cfg)?;
    let params = dinie_api::ListCustomers { limit: Some(1), ..Default::default() };
    client.list_customers(&params).await?;
    Ok(())
}

/// The built-in sandbox's token: not a secret (it only opens the local demo server).
fn kyc_sandbox_token() -> &'static str {
    "dinie_at_sandbox"
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn profiles_keep_secrets_out_of_their_file_and_remove_them_with_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        assert_eq!(p.active().kind, ProfileKind::BuiltinSandbox, "first start: the built-in sandbox");
        let prod = p
            .add(
                "Produção",
                ProfileKind::DinieProduction,
                "",
                AuthMethod::ClientCredentials { client_id: "acme".into() },
                "s3cr3t-value",
            )
            .unwrap();
        assert_eq!(prod.base_url, DINIE_PRODUCTION_URL);
        let file = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
        assert!(!file.contains("s3cr3t-value"), "no secret on disk outside the keychain");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!((mode(dir.path()), mode(&dir.path().join("profiles.json"))), (0o700, 0o600));
        }
        assert_eq!(secrets.get(&prod.id).unwrap().as_deref(), Some("s3cr3t-value"));
        p.set_active(&prod.id).unwrap();
        std::fs::create_dir_all(p.profile_dir(&prod.id)).unwrap();

        let reloaded = Profiles::load(dir.path(), secrets.clone()).unwrap();
        assert_eq!(reloaded.active().id, prod.id);
        assert!(matches!(reloaded.auth_for(reloaded.active()).unwrap(), dinie_api::Auth::ClientCredentials { .. }));

        // Its cache key: made once, kept in the keychain, the same on every open.
        let key = p.cache_key(&prod).unwrap().unwrap();
        assert_eq!(p.cache_key(&prod).unwrap(), Some(key.clone()));
        assert_eq!(secrets.get(&cache_key_id(&prod.id)).unwrap(), Some(key.to_hex()));
        assert!(!std::fs::read_to_string(dir.path().join("profiles.json")).unwrap().contains(&key.to_hex()));

        p.remove(&prod.id).unwrap();
        assert_eq!(secrets.get(&prod.id).unwrap(), None, "the keychain entry goes with the profile");
        assert_eq!(secrets.get(&cache_key_id(&prod.id)).unwrap(), None, "and its cache key");
        assert!(!p.profile_dir(&prod.id).exists(), "and its cache");
        assert_eq!(p.active().id, BUILTIN_ID);
        assert!(p.remove(BUILTIN_ID).is_err());
    }

    #[test]
    fn editing_a_profile_keeps_or_replaces_its_secret() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        let a = p.add("Parceiro", ProfileKind::Custom, "https://a.example/api/v3", AuthMethod::Bearer, "old").unwrap();

        // Renamed, no secret typed: the stored one stays.
        let r = p.update(&a.id, "Parceiro", ProfileKind::Custom, "https://a.example/api/v3/", AuthMethod::Bearer, "");
        assert_eq!(r.unwrap().name, "Parceiro");
        assert_eq!(secrets.get(&a.id).unwrap().as_deref(), Some("old"));
        // Moved to another address with no secret typed: refused, the saved secret
        // belongs to the old address.
        let Err(CoreError::Invalid(e)) =
            p.update(&a.id, "Parceiro A", ProfileKind::DinieSandbox, "", AuthMethod::Bearer, "")
        else {
            panic!("moving a profile must need its secret again")
        };
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("secret", "address_changed"));
        assert_eq!(p.list()[1].base_url, "https://a.example/api/v3", "nothing changed");
        let b = p.update(&a.id, "Parceiro A", ProfileKind::DinieSandbox, "", AuthMethod::Bearer, "moved").unwrap();
        assert_eq!((b.name.as_str(), b.base_url.as_str()), ("Parceiro A", DINIE_SANDBOX_URL));
        assert_eq!(secrets.get(&a.id).unwrap().as_deref(), Some("moved"));
        assert_eq!(Profiles::load(dir.path(), secrets.clone()).unwrap().list()[1], b, "saved");

        // A new secret typed: it replaces the old one.
        p.update(&a.id, "Parceiro A", ProfileKind::DinieSandbox, "", AuthMethod::Bearer, "new").unwrap();
        assert_eq!(secrets.get(&a.id).unwrap().as_deref(), Some("new"));

        // Another method needs its own secret; so does a profile whose secret was lost.
        let cc = AuthMethod::ClientCredentials { client_id: "acme".into() };
        let Err(CoreError::Invalid(e)) = p.update(&a.id, "Parceiro A", ProfileKind::DinieSandbox, "", cc.clone(), "")
        else {
            panic!("a secret is required")
        };
        assert_eq!(e[0].field, "secret");
        secrets.delete(&a.id).unwrap();
        assert_eq!(p.missing_secrets(), std::slice::from_ref(&a.id));
        assert!(p.update(&a.id, "Parceiro A", ProfileKind::DinieSandbox, "", AuthMethod::Bearer, "").is_err());
        p.update(&a.id, "Parceiro A", ProfileKind::DinieSandbox, "", cc, "client-secret").unwrap();
        assert!(p.missing_secrets().is_empty());
        let file = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
        assert!(!file.contains("client-secret") && !file.contains("new"), "no secret in the file");

        // Testing an edit without retyping uses the stored secret, at the saved address
        // only; a new profile must type one.
        assert!(p.auth_to_test(Some(&a.id), DINIE_SANDBOX_URL, &AuthMethod::Bearer, "").is_ok());
        assert!(p.auth_to_test(None, DINIE_SANDBOX_URL, &AuthMethod::Bearer, "").is_err());
        assert!(p.update(BUILTIN_ID, "x", ProfileKind::Custom, "https://x", AuthMethod::Bearer, "t").is_err());
    }

    #[test]
    fn a_stored_secret_is_only_sent_to_the_origin_it_was_saved_for() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        let prod = p.add("Produção", ProfileKind::DinieProduction, "", AuthMethod::Bearer, "prod-token").unwrap();
        let stored = |r: Result<dinie_api::Auth, CoreError>| match r {
            Ok(dinie_api::Auth::Bearer(t)) => Some(t.expose().to_owned()),
            _ => None,
        };
        // Same origin (another path on it too): the stored token may be used.
        assert_eq!(
            stored(p.auth_to_test(Some(&prod.id), DINIE_PRODUCTION_URL, &AuthMethod::Bearer, "")).as_deref(),
            Some("prod-token")
        );
        // Another scheme, host or port: never, whatever the address looks like.
        for elsewhere in [
            "http://api.dinie.com.br/api/v3",
            "https://api.dinie.com.br:8443/api/v3",
            "https://evil.example/api/v3",
            "https://api.dinie.com.br.evil.example/api/v3",
            "http://127.0.0.1:9/api/v3",
            "not a url",
        ] {
            let Err(CoreError::Invalid(e)) = p.auth_to_test(Some(&prod.id), elsewhere, &AuthMethod::Bearer, "") else {
                panic!("the stored secret must not be offered to {elsewhere}")
            };
            assert_eq!(e[0].field, "secret", "{elsewhere}");
        }
        // A typed secret goes where it was typed for.
        assert_eq!(
            stored(p.auth_to_test(Some(&prod.id), "https://evil.example", &AuthMethod::Bearer, "typed")).as_deref(),
            Some("typed")
        );
    }

    #[tokio::test]
    async fn a_connection_test_refuses_plain_http_to_another_machine_before_sending() {
        // A listener that would receive the token: nothing may reach it over plain http
        // unless it is this machine. (A remote host cannot be reached from the tests, so
        // the check must hold before any request is made.)
        let Err(CoreError::Invalid(e)) =
            test_connection("http://api.dinie.com.br/api/v3", dinie_api::Auth::bearer("t")).await
        else {
            panic!("plain http to another machine must be refused before sending")
        };
        assert_eq!(e[0].field, "baseUrl");
    }

    #[test]
    fn a_damaged_profiles_file_never_blocks_start() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        let a = p.add("Produção", ProfileKind::DinieProduction, "", AuthMethod::Bearer, "t").unwrap();
        p.set_active(&a.id).unwrap();
        let path = dir.path().join("profiles.json");

        // Torn by a power cut: the last good copy is used, the bad one kept aside.
        let good = std::fs::read(&path).unwrap();
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        let loaded = Profiles::load(dir.path(), secrets.clone()).unwrap();
        assert_eq!(loaded.list().len(), 2, "the profile added before the last save survives");
        assert!(dir.path().join("profiles.json.corrupt").exists());

        // Nothing good at all: the built-in sandbox, never a refusal to start.
        std::fs::write(&path, b"\0\0\0").unwrap();
        std::fs::write(dir.path().join("profiles.json.bak"), b"{\"active\": 3}").unwrap();
        let loaded = Profiles::load(dir.path(), secrets).unwrap();
        assert_eq!((loaded.list().len(), loaded.active().id.as_str()), (1, BUILTIN_ID));
    }

    #[test]
    fn a_bad_profile_names_every_bad_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Profiles::load(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        let Err(CoreError::Invalid(errors)) = p.add(
            " ",
            ProfileKind::Custom,
            "http://example.com",
            AuthMethod::ClientCredentials { client_id: "".into() },
            "",
        ) else {
            panic!("invalid expected")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "baseUrl", "secret", "clientId"]);
        assert!(p.add("Local", ProfileKind::Custom, "http://127.0.0.1:8080/api/v3", AuthMethod::Bearer, "t").is_ok());
    }
}
