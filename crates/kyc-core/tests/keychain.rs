//! Profiles against the real OS keychain (Secret Service via gnome-keyring in CI;
//! `cargo xtask test` runs the suite inside a D-Bus session with an unlocked keyring).

use kyc_core::profiles::{AuthMethod, Keychain, NewProfile, ProfileKind, Profiles, SecretStore};

fn dinie_sandbox(name: &str, secret: &str) -> NewProfile {
    NewProfile {
        name: name.into(),
        provider: "dinie".into(),
        kind: ProfileKind::Sandbox,
        base_url: String::new(),
        auth: AuthMethod::Bearer,
        secret: secret.into(),
    }
}
use std::sync::Arc;

#[test]
fn a_profile_secret_lives_in_the_os_keychain_and_goes_with_the_profile() {
    // A service of its own, so the test never touches real profiles.
    let service = format!("br.com.kycdesk.test-{}", &kyc_core::new_idempotency_key()[..8]);
    let keychain = Arc::new(Keychain::with_service(&service));
    let dir = tempfile::tempdir().unwrap();
    let mut profiles = Profiles::load(dir.path(), keychain.clone()).unwrap();
    let p = profiles
        .add(&dinie_sandbox("Dinie sandbox", "dinie_at_real_secret_123"))
        .unwrap_or_else(|e| panic!("the OS keychain must be reachable (run through `cargo xtask test`): {e}"));

    // Read back through a fresh handle: it is in the keychain, not in memory.
    let fresh = Keychain::with_service(&service);
    assert_eq!(fresh.get(&p.id).unwrap().as_deref(), Some("dinie_at_real_secret_123"));
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("dinie_at_real_secret_123"),
            "secret on disk in {}",
            entry.display()
        );
    }
    assert_eq!(profiles.credentials_for(&p).unwrap().secret, "dinie_at_real_secret_123");

    // A rotated token entered again in Settings replaces the entry in place; a rename
    // without retyping it keeps it.
    profiles.update(&p.id, &dinie_sandbox("Dinie sandbox", "rotated_456")).unwrap();
    assert_eq!(fresh.get(&p.id).unwrap().as_deref(), Some("rotated_456"));
    profiles.update(&p.id, &dinie_sandbox("Sandbox da Dinie", "")).unwrap();
    assert_eq!(fresh.get(&p.id).unwrap().as_deref(), Some("rotated_456"));
    assert!(profiles.missing_secrets().is_empty());

    // The cache's encryption key lives in the keychain too, never in the data dir.
    let key = profiles.cache_key(&p).unwrap().expect("a cache key");
    assert_eq!(fresh.get(&format!("{}/cache-key", p.id)).unwrap(), Some(key.to_hex()));
    assert_eq!(profiles.cache_key(&p).unwrap(), Some(key), "the same key on every open");

    profiles.remove(&p.id).unwrap();
    assert_eq!(fresh.get(&format!("{}/cache-key", p.id)).unwrap(), None);
    assert_eq!(fresh.get(&p.id).unwrap(), None, "removing the profile removes its keychain entry");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}
