//! Where secrets live: the OS keychain (one entry per profile secret and per cache key),
//! or memory for unit tests of the code around it.

use crate::CoreError;
use std::collections::HashMap;
use std::sync::Mutex;

/// The keychain service under which profile secrets are stored.
pub const KEYCHAIN_SERVICE: &str = "br.com.kycdesk.app";

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
