//! Helpers for tests that check a generated PDF (feature `testing`).
//!
//! They read any PDF, not only this crate's, through `pdf-extract` (and the
//! `lopdf` it re-exports). Errors are returned as messages, which is all a
//! test needs. Not meant for production code.

use pdf_extract::{Document, Object};

/// The text of every page, in order, as `pdf-extract` lays it out (words
/// on one baseline joined by spaces, lines by newlines).
pub fn extract_pages(pdf: &[u8]) -> Result<Vec<String>, String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).map_err(|e| e.to_string())
}

/// The text of the whole document (the pages' text, concatenated).
pub fn extract_text(pdf: &[u8]) -> Result<String, String> {
    Ok(extract_pages(pdf)?.concat())
}

/// Number of pages.
pub fn page_count(pdf: &[u8]) -> Result<usize, String> {
    let document = Document::load_mem(pdf).map_err(|e| e.to_string())?;
    Ok(document.get_pages().len())
}

/// Number of image XObjects (`/Type /XObject /Subtype /Image` streams).
pub fn image_count(pdf: &[u8]) -> Result<usize, String> {
    let document = Document::load_mem(pdf).map_err(|e| e.to_string())?;
    Ok(document
        .objects
        .values()
        .filter(|object| match object {
            Object::Stream(stream) => {
                stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|name| name == b"Image")
            }
            _ => false,
        })
        .count())
}

/// `text` with every run of whitespace replaced by one space, so that
/// assertions do not depend on how the extractor spaced words and lines.
pub fn squash_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
