//! What the desk accepts as a document, whatever the provider: PDF, JPEG or PNG, known
//! by their first bytes (never by a file's name), at most 10 MB.

/// The largest document accepted: 10 MB (10 × 1024 × 1024 bytes).
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The content type of a PDF, JPEG or PNG from its first bytes; `None` for anything else.
pub fn sniff_document(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_known_by_their_bytes() {
        assert_eq!(sniff_document(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff_document(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff_document(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        for other in [&b"GIF89a"[..], b"", b"%PD", b"<html>"] {
            assert_eq!(sniff_document(other), None);
        }
    }
}
