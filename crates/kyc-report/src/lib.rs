//! Writes a customer's **case report** as a PDF.
//!
//! The caller describes the report as plain data ([`CaseReport`]: a title,
//! a few header lines and [`Section`]s made of [`Block`]s) and [`write()`]
//! returns the bytes of an A4 PDF. The crate knows nothing about providers
//! or the KYC domain: the caller chooses every word, in whatever language
//! (labels, dates and numbers arrive already formatted).
//!
//! # Layout
//!
//! - A4 pages with 50 pt margins. Page 1 opens with the title, the subtitle,
//!   the "generated" line and the journal-head line.
//! - Every page has a footer with the "generated" and journal-head lines (each
//!   left out of the footer if it would take more than two lines there; it is
//!   always shown in full on page 1) and the page number as `n / N`.
//! - Text is wrapped to its column with the real Helvetica glyph widths and
//!   flows onto new pages as needed; long `Fields` values and table cells
//!   wrap inside their column, words longer than a line are broken between
//!   characters, and table headers repeat after a page break. Nothing is cut
//!   off.
//!
//! # Text encoding limitation
//!
//! Text is set in the standard-14 fonts Helvetica and Helvetica-Bold, which
//! every PDF reader provides, so no font file is embedded and the text stays
//! extractable (copy/paste, search). These fonts are used with
//! `WinAnsiEncoding` (Windows-1252), which covers ASCII, Latin-1 and a few
//! typographic extras: every Portuguese and Western European letter
//! (ã õ ç é ê á à â í ó ô ú ü, ª º, …), `€ “ ” ‘ ’ – — … •` and so on.
//! Decomposed accents (a letter followed by a combining mark) are composed
//! first. **Any character outside Windows-1252 is written as `?`** (for
//! example Greek, Cyrillic, CJK, emoji, `ő`, `→`), except a few look-alikes:
//! typographic spaces become a space and `‐ ‑ −` become `-`. Control
//! characters are dropped; `\n` starts a new line.
//!
//! # Thumbnails
//!
//! [`Thumbnail::png`] is decoded with the `image` crate (PNG, or JPEG),
//! scaled down to at most 600 px on its longest side, flattened onto white
//! and embedded as JPEG. A thumbnail that cannot be decoded does not fail
//! the report: an empty frame is drawn in its place and its caption is
//! followed by [`UNREADABLE_IMAGE_NOTE`].
//!
//! # Determinism
//!
//! The output depends only on the [`CaseReport`]: the crate reads no clock
//! and writes no creation date or random document id.
//!
//! # Feature `testing`
//!
//! Enables [`testing`], helpers that extract the text, page count and image
//! count of a PDF (through `pdf-extract`), for tests in other crates that
//! check a generated report. It is not meant for production builds.

mod images;
mod layout;
mod pdf;
mod winansi;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

#[cfg(test)]
mod tests;

/// Appended to the caption of a thumbnail whose image cannot be decoded.
pub const UNREADABLE_IMAGE_NOTE: &str = "(image unreadable)";

/// A whole case report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseReport {
    /// Title at the top of page 1, e.g. `Case report — Maria Silva`. Also the
    /// PDF's document title.
    pub title: String,
    /// Line under the title, e.g. `Dinie · sandbox profile · customer id cus_123`.
    pub subtitle: String,
    /// When the report was generated, formatted by the caller, e.g.
    /// `Generated 2026-11-25 10:00 UTC`. Shown on page 1 and in the footer.
    pub generated_label: String,
    /// The journal head the report was made from, e.g.
    /// `Journal head (SHA-256): ab12…` with the full hash. Shown on page 1 and
    /// in the footer.
    pub journal_label: String,
    /// The body, in order.
    pub sections: Vec<Section>,
}

/// A titled part of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Heading, in bold, with a rule under it.
    pub heading: String,
    /// Content, in order.
    pub blocks: Vec<Block>,
}

/// A piece of section content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `label: value` rows in two columns (labels in bold on the left).
    Fields(Vec<(String, String)>),
    /// Paragraphs (timeline entries, notes, …), each wrapped to the page
    /// width; `\n` inside one starts a new line.
    Lines(Vec<String>),
    /// A table with a shaded header row (repeated after page breaks). Rows
    /// may have fewer cells than the widest row; missing cells are empty.
    /// Column widths follow the content.
    Table {
        /// Column headings; may be empty for a table without a header row.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// Images in rows of three, each with its caption under it.
    Thumbnails(Vec<Thumbnail>),
}

/// An image with a caption.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thumbnail {
    /// Text under the image.
    pub caption: String,
    /// The encoded image: PNG (JPEG is accepted too). See the crate docs for
    /// what happens when it cannot be decoded.
    pub png: Vec<u8>,
}

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The layout reached an inconsistent state (a bug in this crate).
    #[error("report layout failed: {0}")]
    Layout(String),
}

/// Writes `report` as a PDF and returns its bytes.
///
/// Unreadable thumbnails and characters outside Windows-1252 do not make it
/// fail (see the crate docs); an error means a bug in this crate.
pub fn write(report: &CaseReport) -> Result<Vec<u8>, ReportError> {
    let images: Vec<_> = report
        .sections
        .iter()
        .flat_map(|section| &section.blocks)
        .filter_map(|block| match block {
            Block::Thumbnails(thumbs) => Some(thumbs),
            _ => None,
        })
        .flatten()
        .map(|thumb| images::prepare(&thumb.png))
        .collect();
    let document = layout::layout(report, &images)?;
    Ok(pdf::serialise(&document, &images, &report.title))
}
