//! Page layout: turns a [`CaseReport`] into positioned drawing operations,
//! page by page. Coordinates here are in points from the top-left corner of
//! the page (`y` grows downwards); `pdf.rs` flips them.

use crate::images::{Prepared, THUMB_MAX_H, THUMB_W};
use crate::winansi::{Font, encode};
use crate::{Block, CaseReport, ReportError, Section, UNREADABLE_IMAGE_NOTE};

/// A4 width in points.
pub(crate) const PAGE_W: f32 = 595.276;
/// A4 height in points.
pub(crate) const PAGE_H: f32 = 841.89;

const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 50.0;
/// Baseline of the last footer line, from the top of the page.
const FOOTER_LAST_BASELINE: f32 = PAGE_H - 28.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;

// Text styles: (font, size, leading).
const TITLE: Style = Style::new(Font::Bold, 17.0, 21.0, 0.0);
const SUBTITLE: Style = Style::new(Font::Regular, 10.0, 13.0, 0.25);
const META: Style = Style::new(Font::Regular, 8.5, 11.0, 0.35);
const HEADING: Style = Style::new(Font::Bold, 12.0, 15.0, 0.0);
const BODY: Style = Style::new(Font::Regular, 9.5, 12.5, 0.0);
const FIELD_LABEL: Style = Style::new(Font::Bold, 9.0, 12.5, 0.3);
const CELL: Style = Style::new(Font::Regular, 8.5, 11.0, 0.0);
const CELL_HEADER: Style = Style::new(Font::Bold, 8.5, 11.0, 0.0);
const CAPTION: Style = Style::new(Font::Regular, 8.0, 10.0, 0.2);
const FOOTER: Style = Style::new(Font::Regular, 7.5, 9.5, 0.4);

/// Space between blocks of a section.
const BLOCK_GAP: f32 = 8.0;
/// Width of the label column of a `Fields` block.
const FIELD_LABEL_W: f32 = 150.0;
const FIELD_GAP: f32 = 12.0;
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
const THUMB_GAP: f32 = 14.0;
/// Height of the box drawn instead of an unreadable thumbnail.
const PLACEHOLDER_H: f32 = 60.0;
/// Width reserved for "n / N" at the right of the footer.
const PAGE_NUMBER_W: f32 = 60.0;
/// Most lines a footer label may take before it is left out of the footer
/// (it is always shown in full at the top of page 1).
const FOOTER_MAX_LINES_PER_LABEL: usize = 2;

#[derive(Debug, Clone, Copy)]
struct Style {
    font: Font,
    size: f32,
    leading: f32,
    gray: f32,
}

impl Style {
    const fn new(font: Font, size: f32, leading: f32, gray: f32) -> Self {
        Self { font, size, leading, gray }
    }

    /// Distance from the top of a line box to its baseline.
    fn ascent(self) -> f32 {
        // Helvetica's ascender is 718/1000 em; centre the glyphs in the leading.
        self.size * 0.718 + (self.leading - self.size * 0.925) / 2.0
    }

    fn wrap(self, text: &str, max_w: f32) -> Vec<Vec<u8>> {
        wrap(text, self.font, self.size, max_w)
    }
}

/// One column of a row: left edge, style and wrapped lines.
type Column = (f32, Style, Vec<Vec<u8>>);

/// One thumbnail of a row of thumbnails.
struct ThumbCell {
    /// Index in the document's image list; `None` for an unreadable image.
    image: Option<usize>,
    /// Drawn size, in points.
    size: (f32, f32),
    caption: Vec<Vec<u8>>,
}

/// One drawing operation. `y` values are from the top of the page.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Text { font: Font, size: f32, gray: f32, x: f32, baseline: f32, text: Vec<u8> },
    Line { x1: f32, x2: f32, y: f32, width: f32, gray: f32 },
    FillRect { x: f32, y: f32, w: f32, h: f32, gray: f32 },
    StrokeRect { x: f32, y: f32, w: f32, h: f32, gray: f32 },
    Image { index: usize, x: f32, y: f32, w: f32, h: f32 },
}

/// The laid-out document: page bodies plus the footer shared by every page.
pub(crate) struct Document {
    pub pages: Vec<Vec<Op>>,
    /// Footer lines (already wrapped), drawn on every page above the page number line.
    pub footer: Vec<Vec<u8>>,
}

impl Document {
    /// Footer operations for page `number` (1-based) of `total`.
    pub(crate) fn footer_ops(&self, number: usize, total: usize) -> Vec<Op> {
        let mut ops = Vec::new();
        let lines = self.footer.len().max(1);
        let first_baseline = FOOTER_LAST_BASELINE - (lines - 1) as f32 * FOOTER.leading;
        let rule_y = first_baseline - FOOTER.size - 4.0;
        ops.push(Op::Line { x1: MARGIN_X, x2: PAGE_W - MARGIN_X, y: rule_y, width: 0.5, gray: 0.75 });
        for (i, line) in self.footer.iter().enumerate() {
            ops.push(text_op(FOOTER, MARGIN_X, first_baseline + i as f32 * FOOTER.leading, line.clone()));
        }
        let number = encode(&format!("{number} / {total}"));
        let width = FOOTER.font.text_width(&number, FOOTER.size);
        ops.push(text_op(FOOTER, PAGE_W - MARGIN_X - width, first_baseline, number));
        ops
    }
}

fn text_op(style: Style, x: f32, baseline: f32, text: Vec<u8>) -> Op {
    Op::Text { font: style.font, size: style.size, gray: style.gray, x, baseline, text }
}

/// Lays out the whole report. `images[i]` belongs to the i-th thumbnail in
/// document order (`None` when unreadable).
pub(crate) fn layout(report: &CaseReport, images: &[Option<Prepared>]) -> Result<Document, ReportError> {
    let footer = footer_lines(report);
    let footer_lines = footer.len().max(1);
    let footer_top = FOOTER_LAST_BASELINE - (footer_lines - 1) as f32 * FOOTER.leading - FOOTER.size - 4.0;
    let mut cursor = Cursor { pages: vec![Vec::new()], y: MARGIN_TOP, bottom: footer_top - 14.0 };

    cursor.header(report);
    let mut image_index = 0;
    for section in &report.sections {
        cursor.section(section, images, &mut image_index)?;
    }
    Ok(Document { pages: cursor.pages, footer })
}

fn footer_lines(report: &CaseReport) -> Vec<Vec<u8>> {
    let width = CONTENT_W - PAGE_NUMBER_W;
    let mut lines = Vec::new();
    for label in [&report.generated_label, &report.journal_label] {
        if label.trim().is_empty() {
            continue;
        }
        let wrapped = FOOTER.wrap(label, width);
        if wrapped.len() <= FOOTER_MAX_LINES_PER_LABEL {
            lines.extend(wrapped);
        }
    }
    lines
}

struct Cursor {
    pages: Vec<Vec<Op>>,
    /// Top of the next thing to place, from the top of the page.
    y: f32,
    /// Lowest `y` content may reach on any page.
    bottom: f32,
}

impl Cursor {
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("there is always a page")
    }

    fn remaining(&self) -> f32 {
        self.bottom - self.y
    }

    /// Height available on an empty page.
    fn page_capacity(&self) -> f32 {
        self.bottom - MARGIN_TOP
    }

    fn at_page_top(&self) -> bool {
        self.y <= MARGIN_TOP + 0.01
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Starts a new page unless `height` fits below the cursor (or the page
    /// is still empty, where nothing better can be done). Returns whether a
    /// page was started.
    fn ensure(&mut self, height: f32) -> bool {
        if height > self.remaining() + 0.01 && !self.at_page_top() {
            self.new_page();
            true
        } else {
            false
        }
    }

    /// Moves down by `gap`, unless at the top of a page.
    fn gap(&mut self, gap: f32) {
        if !self.at_page_top() {
            self.y = (self.y + gap).min(self.bottom);
        }
    }

    fn text_line(&mut self, style: Style, x: f32, text: Vec<u8>) {
        let baseline = self.y + style.ascent();
        self.ops().push(text_op(style, x, baseline, text));
    }

    /// Places wrapped lines one after another, breaking pages between lines.
    fn lines(&mut self, style: Style, x: f32, lines: Vec<Vec<u8>>) {
        for line in lines {
            self.ensure(style.leading);
            self.text_line(style, x, line);
            self.y += style.leading;
        }
    }

    fn rule(&mut self, width: f32, gray: f32) {
        let y = self.y;
        self.ops().push(Op::Line { x1: MARGIN_X, x2: PAGE_W - MARGIN_X, y, width, gray });
    }

    fn header(&mut self, report: &CaseReport) {
        self.lines(TITLE, MARGIN_X, TITLE.wrap(&report.title, CONTENT_W));
        self.y += 3.0;
        for (style, text) in
            [(SUBTITLE, &report.subtitle), (META, &report.generated_label), (META, &report.journal_label)]
        {
            if !text.trim().is_empty() {
                self.lines(style, MARGIN_X, style.wrap(text, CONTENT_W));
            }
        }
        self.y += 6.0;
        self.ensure(1.0);
        self.rule(0.8, 0.55);
        self.y += 16.0;
    }

    fn section(
        &mut self,
        section: &Section,
        images: &[Option<Prepared>],
        image_index: &mut usize,
    ) -> Result<(), ReportError> {
        self.gap(10.0);
        let heading = HEADING.wrap(&section.heading, CONTENT_W);
        let heading_h = heading.len() as f32 * HEADING.leading + 5.0;
        // Keep the heading with the start of its first block.
        let keep = (heading_h + 3.0 * BODY.leading).min(self.page_capacity());
        self.ensure(keep);
        self.lines(HEADING, MARGIN_X, heading);
        self.y += 1.5;
        self.rule(0.5, 0.8);
        self.y += 5.0;
        for (i, block) in section.blocks.iter().enumerate() {
            if i > 0 {
                self.gap(BLOCK_GAP);
            }
            match block {
                Block::Fields(rows) => self.fields(rows),
                Block::Lines(lines) => self.paragraphs(lines),
                Block::Table { header, rows } => self.table(header, rows),
                Block::Thumbnails(thumbs) => {
                    let start = *image_index;
                    *image_index += thumbs.len();
                    let prepared = images
                        .get(start..*image_index)
                        .ok_or_else(|| ReportError::Layout("thumbnail count mismatch".to_owned()))?;
                    self.thumbnails(thumbs, prepared, start);
                }
            }
        }
        Ok(())
    }

    fn paragraphs(&mut self, paragraphs: &[String]) {
        for (i, paragraph) in paragraphs.iter().enumerate() {
            if i > 0 {
                self.gap(3.0);
            }
            self.lines(BODY, MARGIN_X, BODY.wrap(paragraph, CONTENT_W));
        }
    }

    /// Places a row made of several columns of wrapped lines: kept on one
    /// page when it fits on one, else split between lines. `on_break` runs
    /// after every page break caused by the row.
    fn row(&mut self, columns: &[Column], pad_y: f32, on_break: &mut dyn FnMut(&mut Self)) {
        let leading = columns.iter().map(|(_, style, _)| style.leading).fold(0.0, f32::max);
        let count = columns.iter().map(|(_, _, lines)| lines.len()).max().unwrap_or(0).max(1);
        let height = count as f32 * leading + 2.0 * pad_y;
        // Keep the row on one page when it fits on one; a taller row is split
        // between lines below.
        if height > self.remaining() && height <= self.page_capacity() && self.ensure(height) {
            on_break(self);
        }
        if self.ensure(leading + 2.0 * pad_y) {
            on_break(self);
        }
        self.y += pad_y;
        for i in 0..count {
            if self.ensure(leading + pad_y) {
                on_break(self);
            }
            for (x, style, lines) in columns {
                if let Some(line) = lines.get(i) {
                    let baseline = self.y + style.ascent() + (leading - style.leading) / 2.0;
                    let op = text_op(*style, *x, baseline, line.clone());
                    self.ops().push(op);
                }
            }
            self.y += leading;
        }
        self.y += pad_y;
    }

    fn fields(&mut self, rows: &[(String, String)]) {
        let value_x = MARGIN_X + FIELD_LABEL_W + FIELD_GAP;
        let value_w = CONTENT_W - FIELD_LABEL_W - FIELD_GAP;
        for (i, (label, value)) in rows.iter().enumerate() {
            let columns = [
                (MARGIN_X, FIELD_LABEL, FIELD_LABEL.wrap(label, FIELD_LABEL_W)),
                (value_x, BODY, BODY.wrap(value, value_w)),
            ];
            if i > 0 && !self.at_page_top() {
                self.rule(0.3, 0.88);
            }
            self.row(&columns, 2.0, &mut |_| {});
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let ncols = rows.iter().map(Vec::len).chain([header.len()]).max().unwrap_or(0);
        if ncols == 0 {
            return;
        }
        let widths = column_widths(header, rows, ncols);
        let xs: Vec<f32> = widths
            .iter()
            .scan(MARGIN_X, |x, w| {
                let at = *x;
                *x += w;
                Some(at)
            })
            .collect();
        let cell_columns = |cells: &[String], style: Style| -> Vec<Column> {
            (0..ncols)
                .map(|c| {
                    let text = cells.get(c).map(String::as_str).unwrap_or("");
                    let lines = style.wrap(text, widths[c] - 2.0 * CELL_PAD_X);
                    (xs[c] + CELL_PAD_X, style, lines)
                })
                .collect()
        };
        let header_columns = if header.is_empty() { None } else { Some(cell_columns(header, CELL_HEADER)) };
        let header_h = header_columns.as_ref().map_or(0.0, |cols| {
            let n = cols.iter().map(|c| c.2.len()).max().unwrap_or(1);
            n as f32 * CELL_HEADER.leading + 2.0 * CELL_PAD_Y
        });
        // A header taller than a third of a page is not repeated.
        let repeat = header_h <= self.page_capacity() / 3.0;
        let draw_header = |cursor: &mut Self| {
            if let Some(cols) = &header_columns {
                let y = cursor.y;
                let h = header_h.min(cursor.remaining());
                cursor.ops().push(Op::FillRect { x: MARGIN_X, y, w: CONTENT_W, h, gray: 0.92 });
                cursor.row(cols, CELL_PAD_Y, &mut |_| {});
            }
        };
        // Keep the header with the first row.
        let first_row = CELL.leading * 2.0 + 2.0 * CELL_PAD_Y;
        self.ensure((header_h + first_row).min(self.page_capacity()));
        draw_header(self);
        let mut on_break = |cursor: &mut Self| {
            if repeat {
                draw_header(cursor);
            }
        };
        for row in rows {
            let columns = cell_columns(row, CELL);
            self.row(&columns, CELL_PAD_Y, &mut on_break);
            if !self.at_page_top() {
                self.rule(0.3, 0.8);
            }
        }
    }

    fn thumbnails(&mut self, thumbs: &[crate::Thumbnail], images: &[Option<Prepared>], first_index: usize) {
        let per_row = (((CONTENT_W + THUMB_GAP) / (THUMB_W + THUMB_GAP)) as usize).max(1);
        let entries: Vec<_> = thumbs.iter().zip(images).enumerate().collect();
        for chunk in entries.chunks(per_row) {
            let cells: Vec<ThumbCell> = chunk
                .iter()
                .map(|(i, (thumb, image))| match image {
                    Some(image) => ThumbCell {
                        image: Some(first_index + i),
                        size: image.fit(THUMB_W, THUMB_MAX_H),
                        caption: CAPTION.wrap(&thumb.caption, THUMB_W),
                    },
                    None => {
                        let caption = if thumb.caption.trim().is_empty() {
                            UNREADABLE_IMAGE_NOTE.to_owned()
                        } else {
                            format!("{} {UNREADABLE_IMAGE_NOTE}", thumb.caption)
                        };
                        ThumbCell {
                            image: None,
                            size: (THUMB_W, PLACEHOLDER_H),
                            caption: CAPTION.wrap(&caption, THUMB_W),
                        }
                    }
                })
                .collect();
            let image_h = cells.iter().map(|c| c.size.1).fold(0.0, f32::max);
            let caption_lines = cells.iter().map(|c| c.caption.len()).max().unwrap_or(0);
            let height = image_h + 4.0 + caption_lines as f32 * CAPTION.leading;
            self.ensure(height.min(self.page_capacity()));
            // The images themselves always fit on an empty page.
            self.ensure(image_h + 4.0);
            let top = self.y;
            for (col, cell) in cells.iter().enumerate() {
                let (w, h) = cell.size;
                let cell_x = MARGIN_X + col as f32 * (THUMB_W + THUMB_GAP);
                let x = cell_x + (THUMB_W - w) / 2.0;
                let y = top + (image_h - h) / 2.0;
                let op = match cell.image {
                    Some(index) => Op::Image { index, x, y, w, h },
                    None => Op::StrokeRect { x, y, w, h, gray: 0.6 },
                };
                self.ops().push(op);
            }
            self.y = top + image_h + 4.0;
            let columns: Vec<_> = cells
                .into_iter()
                .enumerate()
                .map(|(col, cell)| (MARGIN_X + col as f32 * (THUMB_W + THUMB_GAP), CAPTION, cell.caption))
                .collect();
            self.row(&columns, 0.0, &mut |_| {});
            self.gap(8.0);
        }
    }
}

/// Splits the table width between `ncols` columns: each column wants its
/// widest unwrapped cell; when they do not all fit, the space is shared in
/// proportion to what each wants, with a floor so no column gets too narrow.
fn column_widths(header: &[String], rows: &[Vec<String>], ncols: usize) -> Vec<f32> {
    let pad = 2.0 * CELL_PAD_X;
    let mut wanted = vec![pad + 12.0; ncols];
    let mut longest_word = vec![0.0f32; ncols];
    let all_rows = std::iter::once((header, CELL_HEADER)).chain(rows.iter().map(|r| (&r[..], CELL)));
    for (cells, style) in all_rows {
        for (c, cell) in cells.iter().enumerate() {
            for line in cell.split('\n') {
                let bytes = encode(line);
                let w = style.font.text_width(&bytes, style.size) + pad;
                wanted[c] = wanted[c].max(w.min(CONTENT_W));
                for word in bytes.split(|b| *b == b' ') {
                    let w = style.font.text_width(word, style.size) + pad;
                    longest_word[c] = longest_word[c].max(w);
                }
            }
        }
    }
    let total: f32 = wanted.iter().sum();
    if total <= CONTENT_W {
        // Everything fits unwrapped: hand the slack out in proportion.
        return wanted.iter().map(|w| w * CONTENT_W / total).collect();
    }
    // Floors: the longest word (so words are not broken), but no more than a
    // fair share, and at least a small minimum.
    let fair = CONTENT_W / ncols as f32;
    let floor: Vec<f32> = (0..ncols).map(|c| longest_word[c].min(fair).min(wanted[c]).max(pad + 12.0)).collect();
    let floor_total: f32 = floor.iter().sum();
    if floor_total >= CONTENT_W {
        return floor.iter().map(|f| f * CONTENT_W / floor_total).collect();
    }
    // Share what is left above the floors in proportion to the extra wanted.
    let extra_wanted: Vec<f32> = (0..ncols).map(|c| wanted[c] - floor[c]).collect();
    let extra_total: f32 = extra_wanted.iter().sum();
    let spare = CONTENT_W - floor_total;
    (0..ncols)
        .map(|c| {
            if extra_total > 0.0 {
                floor[c] + spare * extra_wanted[c] / extra_total
            } else {
                floor[c] + spare / ncols as f32
            }
        })
        .collect()
}

/// Wraps `text` to lines no wider than `max_w` at `size` points, returning
/// WinAnsi-encoded lines. `\n` forces a break; lines break at spaces, and a
/// word wider than the line is broken between characters. Always returns at
/// least one (possibly empty) line.
pub(crate) fn wrap(text: &str, font: Font, size: f32, max_w: f32) -> Vec<Vec<u8>> {
    let space_w = font.text_width(b" ", size);
    let mut lines = Vec::new();
    for hard_line in text.split('\n') {
        let bytes = encode(hard_line);
        let mut line: Vec<u8> = Vec::new();
        let mut line_w = 0.0f32;
        for word in bytes.split(|b| *b == b' ') {
            let word_w = font.text_width(word, size);
            let sep = if line.is_empty() { 0.0 } else { space_w };
            if line_w + sep + word_w <= max_w + 0.001 {
                if !line.is_empty() {
                    line.push(b' ');
                }
                line.extend_from_slice(word);
                line_w += sep + word_w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            if word_w <= max_w + 0.001 {
                line.extend_from_slice(word);
                line_w = word_w;
            } else {
                for &byte in word {
                    let w = font.glyph_width(byte) * size / 1000.0;
                    if line_w + w > max_w + 0.001 && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(byte);
                    line_w += w;
                }
            }
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
pub(crate) fn content_width() -> f32 {
    CONTENT_W
}
