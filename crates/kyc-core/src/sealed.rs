//! Document copies encrypted at rest: the upload copies waiting in the outbox and the
//! documents kept for the viewer are sealed with XChaCha20-Poly1305 (an AEAD: a file
//! changed on disk fails to open instead of showing altered bytes), under a key derived
//! with HKDF-SHA256 from the profile's cache key, itself in the OS keychain.
//!
//! A sealed file is `KYCDOC1\0`, a random 24-byte nonce, then the ciphertext and its
//! tag. A file without the header is an unsealed copy written by an earlier version;
//! it is read as it is, and sealed in place when the desk opens.

use crate::CoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;

const MAGIC: &[u8; 8] = b"KYCDOC1\0";
const NONCE: usize = 24;

/// Seals and opens a profile's document copies.
#[derive(Clone)]
pub struct DocumentSeal(XChaCha20Poly1305);

impl std::fmt::Debug for DocumentSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DocumentSeal(…)")
    }
}

impl DocumentSeal {
    /// The seal of a profile whose cache is encrypted with `cache_key`.
    pub fn new(cache_key: &kyc_store::CacheKey) -> Self {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"kyc-desk"), cache_key.expose());
        let mut key = [0u8; 32];
        // 32 bytes is always a valid HKDF-SHA256 output length.
        let _ = hk.expand(b"document copies v1", &mut key);
        Self(XChaCha20Poly1305::new((&key).into()))
    }

    /// `plain`, sealed.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, CoreError> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| CoreError::Io(format!("no random source: {e}")))?;
        let sealed = self
            .0
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: MAGIC })
            .map_err(|_| CoreError::Io("cannot seal the document".into()))?;
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plain bytes of a sealed file's contents (or of an unsealed one's, as they
    /// are). A sealed file altered on disk, or sealed with another key, is an error.
    pub fn open(&self, bytes: Vec<u8>) -> Result<Vec<u8>, CoreError> {
        if !is_sealed(&bytes) {
            return Ok(bytes);
        }
        let (nonce, sealed) = bytes[MAGIC.len()..].split_at(NONCE.min(bytes.len() - MAGIC.len()));
        if nonce.len() < NONCE {
            return Err(CoreError::Io("the document copy is damaged (too short)".into()));
        }
        self.0
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: MAGIC })
            .map_err(|_| CoreError::Io("the document copy is damaged or was changed on disk".into()))
    }
}

/// Whether `bytes` are a sealed copy.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Whether the file at `path` is a sealed copy, from its first bytes only.
pub async fn is_sealed_file(path: &Path) -> std::io::Result<bool> {
    use tokio::io::AsyncReadExt;
    let mut head = [0u8; MAGIC.len()];
    let mut f = tokio::fs::File::open(path).await?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..]).await? {
            0 => break,
            k => n += k,
        }
    }
    Ok(is_sealed(&head[..n]))
}

/// Reads a copy as plain bytes: opened with `seal` when there is one.
pub async fn read(path: &Path, seal: Option<&DocumentSeal>) -> Result<Vec<u8>, CoreError> {
    let bytes = tokio::fs::read(path).await.map_err(|e| CoreError::Io(format!("{}: {e}", path.display())))?;
    match seal {
        Some(s) => s.open(bytes),
        None => Ok(bytes),
    }
}

/// Writes `plain` to `path` (sealed when there is a seal), durably and for this user only.
pub async fn write(path: &Path, plain: &[u8], seal: Option<&DocumentSeal>) -> Result<(), CoreError> {
    let bytes = match seal {
        Some(s) => s.seal(plain)?,
        None => plain.to_vec(),
    };
    let io = |e: std::io::Error| CoreError::Io(format!("{}: {e}", path.display()));
    tokio::fs::write(path, &bytes).await.map_err(io)?;
    crate::durable::private_file(path)?;
    crate::durable::sync_file_and_dir(path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_copy_opens_only_with_its_key_and_only_unaltered() {
        let key = kyc_store::CacheKey::from_bytes([9; 32]);
        let seal = DocumentSeal::new(&key);
        let plain = b"%PDF-1.7 RG de Joana Lima, CPF 123.456.789-09".to_vec();
        let sealed = seal.seal(&plain).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(10).any(|w| w == b"Joana Lima"), "nothing readable");
        assert_ne!(seal.seal(&plain).unwrap(), sealed, "a fresh nonce each time");
        assert_eq!(seal.open(sealed.clone()).unwrap(), plain);

        let other = DocumentSeal::new(&kyc_store::CacheKey::from_bytes([8; 32]));
        assert!(other.open(sealed.clone()).is_err(), "another profile's key opens nothing");
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] ^= 1;
        assert!(seal.open(altered).is_err(), "a changed byte is caught");
        assert!(seal.open(sealed[..20].to_vec()).is_err(), "a truncated copy too");
        // A copy an earlier version wrote unsealed is read as it is.
        assert_eq!(seal.open(plain.clone()).unwrap(), plain);
        assert_eq!(format!("{seal:?}"), "DocumentSeal(…)");
    }
}
