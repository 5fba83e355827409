//! Connection profiles: which provider and API the app talks to, and how it
//! authenticates.
//!
//! Each profile names its provider (see [`crate::connectors`]) and points at the
//! provider's sandbox, its production API, a custom base URL, or the sandbox built
//! into the app (the default on first start), with the authentication methods the
//! provider takes (a bearer token, client credentials, an API key). Profiles live in
//! `<data dir>/profiles.json`, which never holds a secret: the secret of each profile is
//! one entry in the OS keychain (service [`KEYCHAIN_SERVICE`], user `profile:<id>`).
//! Removing a profile removes its secret and its cache. Each profile has its own cache,
//! so sandbox and production data never mix.

use crate::CoreError;
use crate::connection::is_https_or_loopback;
pub use crate::connection::{AuthMethod, Credentials};
use crate::connectors;
pub use crate::secrets::{KEYCHAIN_SERVICE, Keychain, MemorySecrets, SecretStore};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ts_rs::TS;

/// The built-in sandbox profile's id.
pub const BUILTIN_ID: &str = "builtin-sandbox";

/// The provider of profiles saved before profiles named one.
fn saved_before_providers() -> String {
    connectors::BEFORE_PROVIDERS.into()
}

/// What a profile points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ProfileKind {
    /// The sandbox inside the app, with demo data.
    BuiltinSandbox,
    /// The provider's own sandbox.
    Sandbox,
    /// The provider's production API.
    Production,
    /// Any other base URL.
    Custom,
}

/// Read by name; profiles saved before profiles named their provider spell the
/// environments with the provider's name (the connector's legacy spellings).
impl<'de> Deserialize<'de> for ProfileKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "builtinSandbox" => Ok(Self::BuiltinSandbox),
            "sandbox" => Ok(Self::Sandbox),
            "production" => Ok(Self::Production),
            s if connectors::LEGACY_SANDBOX == s => Ok(Self::Sandbox),
            s if connectors::LEGACY_PRODUCTION == s => Ok(Self::Production),
            "custom" => Ok(Self::Custom),
            other => {
                Err(serde::de::Error::unknown_variant(other, &["builtinSandbox", "sandbox", "production", "custom"]))
            }
        }
    }
}

impl ProfileKind {
    /// The provider environment it names (`sandbox`, `production`), if any.
    fn environment(self) -> Option<&'static str> {
        match self {
            Self::Sandbox => Some("sandbox"),
            Self::Production => Some("production"),
            Self::BuiltinSandbox | Self::Custom => None,
        }
    }
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
    /// The provider it connects to (`dinie`, …).
    #[serde(default = "saved_before_providers")]
    pub provider: String,
    /// What it points at.
    pub kind: ProfileKind,
    /// API base URL with the version prefix; empty for the built-in sandbox (its port is
    /// chosen at start).
    pub base_url: String,
    /// How it authenticates.
    pub auth: AuthMethod,
}

/// The connection profiles, for Settings.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfilesView {
    /// Every profile (secrets are in the keychain, never here).
    pub profiles: Vec<Profile>,
    /// The one in use.
    pub active_id: String,
    /// Profiles whose secret is not in the keychain: Settings asks for it again.
    pub missing_secrets: Vec<String>,
    /// The providers a profile can connect to, and how.
    pub providers: Vec<crate::connection::ConnectorInfo>,
}

/// A profile as typed in Settings. The secret goes to the OS keychain and nowhere else.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewProfile {
    /// Name shown to staff.
    pub name: String,
    /// The provider (`dinie`, …).
    #[serde(default = "saved_before_providers")]
    pub provider: String,
    /// The provider's sandbox or production, or a custom URL.
    pub kind: ProfileKind,
    /// The API base URL, for a custom profile.
    #[serde(default)]
    pub base_url: String,
    /// How it authenticates.
    pub auth: AuthMethod,
    /// The token, client secret or API key; empty (editing) keeps the stored one.
    pub secret: String,
}

impl std::fmt::Debug for NewProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewProfile")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl NewProfile {
    /// The base URL it points at: the provider's own for its sandbox and production,
    /// the typed one (trimmed, no trailing `/`) for a custom profile; empty when the
    /// provider has no such environment.
    pub fn resolved_url(&self) -> String {
        match self.kind.environment() {
            Some(env) => connectors::info(&self.provider)
                .and_then(|c| c.environments.into_iter().find(|e| e.key == env))
                .map(|e| e.base_url)
                .unwrap_or_default(),
            None => self.base_url.trim().trim_end_matches('/').to_owned(),
        }
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
        provider: saved_before_providers(),
        kind: ProfileKind::BuiltinSandbox,
        base_url: String::new(),
        auth: AuthMethod::Bearer,
    }
}

/// The built-in sandbox profile of each provider whose sandbox the app carries (the
/// first provider's keeps [`BUILTIN_ID`], which older files know).
fn builtins() -> Vec<Profile> {
    let mut out = vec![builtin()];
    for c in connectors::all().into_iter().filter(|c| c.builtin_sandbox && c.id != saved_before_providers()) {
        let auth = connectors::builtin_sandbox_credentials(&c.id).map(|cr| cr.auth).unwrap_or(AuthMethod::Bearer);
        out.push(Profile {
            id: format!("builtin-{}", c.id),
            name: format!("Built-in sandbox ({})", c.name),
            provider: c.id,
            kind: ProfileKind::BuiltinSandbox,
            base_url: String::new(),
            auth,
        });
    }
    out
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
        let mut file = match parse(&path) {
            Ok(Some(f)) => f,
            Ok(None) => first_start(),
            Err(why) => {
                tracing::error!(%why, "profiles.json is damaged; using the last good copy");
                let _ = std::fs::rename(&path, data_dir.join("profiles.json.corrupt"));
                parse(&backup).ok().flatten().unwrap_or_else(first_start)
            }
        };
        // Every provider's built-in sandbox is offered, including those added by a
        // version newer than the file.
        for b in builtins() {
            if !file.profiles.iter().any(|p| p.kind == ProfileKind::BuiltinSandbox && p.provider == b.provider) {
                file.profiles.push(b);
            }
        }
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
    pub fn add(&mut self, new: &NewProfile) -> Result<Profile, CoreError> {
        let secret = new.secret.as_str();
        let (name, base_url) = checked(new, Some(secret))?;
        let (provider, kind, auth) = (new.provider.clone(), new.kind, new.auth.clone());
        let slug: String =
            name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let id = format!("{}-{}", slug.trim_matches('-'), &crate::new_idempotency_key()[..8]);
        let profile = Profile { id: id.clone(), name, provider, kind, base_url, auth };
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
    pub fn update(&mut self, id: &str, new: &NewProfile) -> Result<Profile, CoreError> {
        let (secret, auth) = (new.secret.as_str(), new.auth.clone());
        let index = self.index_of(id)?;
        let old = self.file.profiles[index].clone();
        if old.kind == ProfileKind::BuiltinSandbox {
            return Err(CoreError::Profile("the built-in sandbox cannot be changed".into()));
        }
        // Its cache and queued writes are that provider's: another provider is another
        // connection.
        if old.provider != new.provider {
            return Err(CoreError::Invalid(vec![kyc_model::FieldError::new(
                "provider",
                "unchangeable",
                "a connection keeps its provider: add a new connection for another one",
            )]));
        }
        let method_changed = std::mem::discriminant(&old.auth) != std::mem::discriminant(&auth);
        let stored = self.secrets.get(id)?;
        let typed = !secret.trim().is_empty();
        let (name, base_url) = checked(new, typed.then_some(secret))?;
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
        let profile =
            Profile { id: id.to_owned(), name, provider: new.provider.clone(), kind: new.kind, base_url, auth };
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
    ) -> Result<Credentials, CoreError> {
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
        if self.file.profiles.iter().any(|p| p.id == id && p.kind == ProfileKind::BuiltinSandbox) {
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

    /// Every profile that has a cache, with its key: what reading them all at once
    /// (the work queue, the list across connections) needs; and whether that is all of
    /// them (a profile whose key the keychain would not give is left out, with a warning).
    pub fn connections(&self) -> (Vec<crate::fleet::Connection>, bool) {
        let mut complete = true;
        let found = self
            .list()
            .iter()
            .filter_map(|p| {
                let cache = self.profile_dir(&p.id).join("cache.sqlite");
                if !cache.exists() {
                    return None;
                }
                let key = self
                    .cache_key(p)
                    .inspect_err(|e| tracing::warn!(profile = %p.id, error = %e, "no key for a connection's cache"))
                    .map_err(|_| complete = false)
                    .ok()?;
                Some(crate::fleet::Connection {
                    profile_id: p.id.clone(),
                    name: p.name.clone(),
                    provider: p.provider.clone(),
                    cache,
                    key,
                })
            })
            .collect();
        (found, complete)
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

    /// The key of the workspace (notes, tags, saved views), kept in the keychain as
    /// `workspace/cache-key` and made on first use; `None` (unencrypted, with a warning)
    /// only where there is no keychain at all.
    pub fn workspace_key(&self) -> Option<kyc_store::CacheKey> {
        let id = "workspace/cache-key";
        match self.secrets.get(id) {
            Ok(Some(hex)) => {
                if let Some(key) = kyc_store::CacheKey::from_hex(&hex) {
                    return Some(key);
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "no keychain: the workspace stays unencrypted");
                return None;
            }
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).ok()?;
        let key = kyc_store::CacheKey::from_bytes(bytes);
        match self.secrets.set(id, &key.to_hex()) {
            Ok(()) => Some(key),
            Err(e) => {
                tracing::warn!(error = %e, "could not keep the workspace key: it stays unencrypted");
                None
            }
        }
    }

    /// The API credentials of a profile, read from the keychain (the built-in
    /// sandbox's are its connector's, not a secret).
    pub fn credentials_for(&self, p: &Profile) -> Result<Credentials, CoreError> {
        if p.kind == ProfileKind::BuiltinSandbox {
            return connectors::builtin_sandbox_credentials(&p.provider);
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
    kyc_model::FieldError::new("secret", "required", "the token, client secret or API key is required")
}

fn address_changed() -> CoreError {
    CoreError::Invalid(vec![kyc_model::FieldError::new(
        "secret",
        "address_changed",
        "the address changed: type the secret again (a saved secret is only sent to the address it was saved for)",
    )])
}

/// A profile's fields checked all at once, every bad one named: its trimmed name and
/// its base URL (the provider's own for its sandbox and production). `secret` is `None`
/// when the stored one is kept.
fn checked(new: &NewProfile, secret: Option<&str>) -> Result<(String, String), CoreError> {
    use kyc_model::FieldError;
    let mut errors = Vec::new();
    if new.name.trim().is_empty() {
        errors.push(FieldError::new("name", "required", "give the profile a name"));
    }
    let Some(connector) = connectors::info(&new.provider) else {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "provider",
            "unknown",
            format!("this version cannot connect to {:?}", new.provider),
        )]));
    };
    if new.kind == ProfileKind::BuiltinSandbox {
        return Err(CoreError::Profile("there is only one built-in sandbox profile".into()));
    }
    let base_url = new.resolved_url();
    if base_url.is_empty() && new.kind != ProfileKind::Custom {
        errors.push(FieldError::new("kind", "unsupported", format!("{} has no such environment", connector.name)));
    } else if !is_https_or_loopback(&base_url) {
        errors.push(FieldError::new(
            "baseUrl",
            "invalid_url",
            "use an https:// address (http:// only on this machine)",
        ));
    }
    if !connector.auth_methods.iter().any(|m| m == new.auth.name()) {
        errors.push(FieldError::new(
            "auth",
            "unsupported",
            format!("{} does not take this way of signing in", connector.name),
        ));
    }
    if secret.is_some_and(|s| s.trim().is_empty()) {
        errors.push(FieldError::new("secret", "required", "the token, client secret or API key is required"));
    }
    if let AuthMethod::ClientCredentials { client_id } = &new.auth
        && client_id.trim().is_empty()
    {
        errors.push(FieldError::new("clientId", "required", "the client id is required"));
    }
    if errors.is_empty() { Ok((new.name.trim().to_owned(), base_url)) } else { Err(CoreError::Invalid(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dinie::{PRODUCTION_URL, SANDBOX_URL};

    /// A Dinie profile as typed in Settings.
    fn new(name: &str, kind: ProfileKind, base_url: &str, auth: AuthMethod, secret: &str) -> NewProfile {
        NewProfile {
            name: name.into(),
            provider: "dinie".into(),
            kind,
            base_url: base_url.into(),
            auth,
            secret: secret.into(),
        }
    }

    #[test]
    fn profiles_keep_secrets_out_of_their_file_and_remove_them_with_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        assert_eq!(p.active().kind, ProfileKind::BuiltinSandbox, "first start: the built-in sandbox");
        let prod = p
            .add(&new(
                "Produção",
                ProfileKind::Production,
                "",
                AuthMethod::ClientCredentials { client_id: "acme".into() },
                "s3cr3t-value",
            ))
            .unwrap();
        assert_eq!(prod.base_url, PRODUCTION_URL);
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
        let creds = reloaded.credentials_for(reloaded.active()).unwrap();
        assert_eq!((creds.auth.name(), creds.secret.as_str()), ("clientCredentials", "s3cr3t-value"));

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
        let a = p
            .add(&new("Parceiro", ProfileKind::Custom, "https://a.example/api/v3", AuthMethod::Bearer, "old"))
            .unwrap();

        // Renamed, no secret typed: the stored one stays.
        let r =
            p.update(&a.id, &new("Parceiro", ProfileKind::Custom, "https://a.example/api/v3/", AuthMethod::Bearer, ""));
        assert_eq!(r.unwrap().name, "Parceiro");
        assert_eq!(secrets.get(&a.id).unwrap().as_deref(), Some("old"));
        // Moved to another address with no secret typed: refused, the saved secret
        // belongs to the old address.
        let Err(CoreError::Invalid(e)) =
            p.update(&a.id, &new("Parceiro A", ProfileKind::Sandbox, "", AuthMethod::Bearer, ""))
        else {
            panic!("moving a profile must need its secret again")
        };
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("secret", "address_changed"));
        let find = |p: &Profiles| p.list().iter().find(|x| x.id == a.id).cloned().unwrap();
        assert_eq!(find(&p).base_url, "https://a.example/api/v3", "nothing changed");
        let b = p.update(&a.id, &new("Parceiro A", ProfileKind::Sandbox, "", AuthMethod::Bearer, "moved")).unwrap();
        assert_eq!((b.name.as_str(), b.base_url.as_str()), ("Parceiro A", SANDBOX_URL));
        assert_eq!(secrets.get(&a.id).unwrap().as_deref(), Some("moved"));
        assert_eq!(find(&Profiles::load(dir.path(), secrets.clone()).unwrap()), b, "saved");

        // A new secret typed: it replaces the old one.
        p.update(&a.id, &new("Parceiro A", ProfileKind::Sandbox, "", AuthMethod::Bearer, "new")).unwrap();
        assert_eq!(secrets.get(&a.id).unwrap().as_deref(), Some("new"));

        // Another method needs its own secret; so does a profile whose secret was lost.
        let cc = AuthMethod::ClientCredentials { client_id: "acme".into() };
        let Err(CoreError::Invalid(e)) = p.update(&a.id, &new("Parceiro A", ProfileKind::Sandbox, "", cc.clone(), ""))
        else {
            panic!("a secret is required")
        };
        assert_eq!(e[0].field, "secret");
        secrets.delete(&a.id).unwrap();
        assert_eq!(p.missing_secrets(), std::slice::from_ref(&a.id));
        assert!(p.update(&a.id, &new("Parceiro A", ProfileKind::Sandbox, "", AuthMethod::Bearer, "")).is_err());
        p.update(&a.id, &new("Parceiro A", ProfileKind::Sandbox, "", cc, "client-secret")).unwrap();
        assert!(p.missing_secrets().is_empty());
        let file = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
        assert!(!file.contains("client-secret") && !file.contains("new"), "no secret in the file");

        // Testing an edit without retyping uses the stored secret, at the saved address
        // only; a new profile must type one.
        assert!(p.auth_to_test(Some(&a.id), SANDBOX_URL, &AuthMethod::Bearer, "").is_ok());
        assert!(p.auth_to_test(None, SANDBOX_URL, &AuthMethod::Bearer, "").is_err());
        assert!(p.update(BUILTIN_ID, &new("x", ProfileKind::Custom, "https://x", AuthMethod::Bearer, "t")).is_err());
    }

    #[test]
    fn a_stored_secret_is_only_sent_to_the_origin_it_was_saved_for() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        let prod = p.add(&new("Produção", ProfileKind::Production, "", AuthMethod::Bearer, "prod-token")).unwrap();
        let stored = |r: Result<Credentials, CoreError>| r.ok().map(|c| c.secret);
        // Same origin (another path on it too): the stored token may be used.
        assert_eq!(
            stored(p.auth_to_test(Some(&prod.id), PRODUCTION_URL, &AuthMethod::Bearer, "")).as_deref(),
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

    #[test]
    fn a_profiles_file_saved_before_profiles_named_providers_reads_as_dinie() {
        let dir = tempfile::tempdir().unwrap();
        // As the release of 2026-11-24 wrote it.
        std::fs::write(
            dir.path().join("profiles.json"),
            r#"{"active": "prod-1", "profiles": [
                {"id": "builtin-sandbox", "name": "Built-in sandbox", "kind": "builtinSandbox", "baseUrl": "", "auth": {"method": "bearer"}},
                {"id": "prod-1", "name": "Produção", "kind": "dinieProduction", "baseUrl": "https://api.dinie.com.br/api/v3",
                 "auth": {"method": "clientCredentials", "clientId": "acme"}},
                {"id": "sb-1", "name": "Testes", "kind": "dinieSandbox", "baseUrl": "https://sandbox.api.dinie.com.br/api/v3",
                 "auth": {"method": "bearer"}}]}"#,
        )
        .unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        secrets.set("prod-1", "kept").unwrap();
        let p = Profiles::load(dir.path(), secrets).unwrap();
        assert_eq!(p.list().len(), 3 + builtins().len() - 1, "no profile lost, and each built-in sandbox offered");
        assert!(p.list()[..3].iter().all(|x| x.provider == "dinie"));
        assert_eq!((p.active().id.as_str(), p.active().kind), ("prod-1", ProfileKind::Production));
        assert_eq!(p.list()[2].kind, ProfileKind::Sandbox);
        let creds = p.credentials_for(p.active()).unwrap();
        assert_eq!((creds.auth.name(), creds.secret.as_str()), ("clientCredentials", "kept"));
        // The built-in sandbox opens with its connector's own credentials.
        assert_eq!(p.credentials_for(&p.list()[0]).unwrap().secret, "dinie_at_sandbox");
    }

    #[test]
    fn a_connection_keeps_its_provider() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Profiles::load(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        let a = p.add(&new("A", ProfileKind::Sandbox, "", AuthMethod::Bearer, "t")).unwrap();
        let mut other = new("A", ProfileKind::Sandbox, "", AuthMethod::Bearer, "t2");
        other.provider = "someone-else".into();
        let Err(CoreError::Invalid(e)) = p.update(&a.id, &other) else { panic!("its cache is the first provider's") };
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("provider", "unchangeable"));
    }

    #[test]
    fn a_profile_takes_only_what_its_provider_offers() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Profiles::load(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        let mut key = new("Chave", ProfileKind::Sandbox, "", AuthMethod::ApiKey, "k");
        let Err(CoreError::Invalid(e)) = p.add(&key) else { panic!("Dinie takes no API key") };
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("auth", "unsupported"));
        key.provider = "nobody".into();
        let Err(CoreError::Invalid(e)) = p.add(&key) else { panic!("an unknown provider is refused") };
        assert_eq!(e[0].field, "provider");
    }

    #[test]
    fn a_damaged_profiles_file_never_blocks_start() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecrets::default());
        let mut p = Profiles::load(dir.path(), secrets.clone()).unwrap();
        let a = p.add(&new("Produção", ProfileKind::Production, "", AuthMethod::Bearer, "t")).unwrap();
        p.set_active(&a.id).unwrap();
        let path = dir.path().join("profiles.json");

        // Torn by a power cut: the last good copy is used, the bad one kept aside.
        let good = std::fs::read(&path).unwrap();
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        let loaded = Profiles::load(dir.path(), secrets.clone()).unwrap();
        assert_eq!(loaded.list().len(), 1 + builtins().len(), "the profile added before the last save survives");
        assert!(dir.path().join("profiles.json.corrupt").exists());

        // Nothing good at all: the built-in sandbox, never a refusal to start.
        std::fs::write(&path, b"\0\0\0").unwrap();
        std::fs::write(dir.path().join("profiles.json.bak"), b"{\"active\": 3}").unwrap();
        let loaded = Profiles::load(dir.path(), secrets).unwrap();
        assert_eq!((loaded.list().len(), loaded.active().id.as_str()), (builtins().len(), BUILTIN_ID));
    }

    #[test]
    fn every_built_in_sandbox_is_offered_and_stays() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Profiles::load(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        let cartevo = p.list().iter().find(|x| x.provider == "cartevo").cloned().expect("Cartevo's built-in sandbox");
        assert_eq!(cartevo.kind, ProfileKind::BuiltinSandbox);
        let creds = p.credentials_for(&cartevo).unwrap();
        assert_eq!(creds.auth, AuthMethod::ClientCredentials { client_id: "client_sandbox".into() });
        assert!(p.remove(&cartevo.id).is_err(), "a built-in sandbox cannot be removed");
        p.set_active(&cartevo.id).unwrap();
        let again = Profiles::load(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        assert_eq!(again.active().id, cartevo.id, "chosen, and remembered");
        assert_eq!(again.list().iter().filter(|x| x.provider == "cartevo").count(), 1, "offered once");
    }

    #[test]
    fn a_bad_profile_names_every_bad_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Profiles::load(dir.path(), Arc::new(MemorySecrets::default())).unwrap();
        let Err(CoreError::Invalid(errors)) = p.add(&new(
            " ",
            ProfileKind::Custom,
            "http://example.com",
            AuthMethod::ClientCredentials { client_id: "".into() },
            "",
        )) else {
            panic!("invalid expected")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "baseUrl", "secret", "clientId"]);
        assert!(
            p.add(&new("Local", ProfileKind::Custom, "http://127.0.0.1:8080/api/v3", AuthMethod::Bearer, "t")).is_ok()
        );
    }
}
