//! Serialises a laid-out [`Document`] with `pdf-writer`.

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::images::Prepared;
use crate::layout::{Document, Op, PAGE_H, PAGE_W};
use crate::winansi::{FIRST_CHAR, Font, LAST_CHAR};

const FONTS: [Font; 2] = [Font::Regular, Font::Bold];
const DEFLATE_LEVEL: u8 = 6;

/// Hands out object ids in order.
struct Ids(i32);

impl Ids {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

pub(crate) fn serialise(doc: &Document, images: &[Option<Prepared>], title: &str) -> Vec<u8> {
    let mut ids = Ids(0);
    let catalog_id = ids.next();
    let tree_id = ids.next();
    let info_id = ids.next();
    let font_ids: Vec<Ref> = FONTS.iter().map(|_| ids.next()).collect();
    let image_ids: Vec<Option<Ref>> = images.iter().map(|image| image.as_ref().map(|_| ids.next())).collect();
    let page_ids: Vec<(Ref, Ref)> = doc.pages.iter().map(|_| (ids.next(), ids.next())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids(page_ids.iter().map(|(page, _)| *page)).count(page_ids.len() as i32);
    let mut info = pdf.document_info(info_id);
    info.title(TextStr(title));
    info.producer(TextStr("kyc-report"));
    info.finish();

    for (font, id) in FONTS.iter().zip(&font_ids) {
        pdf.type1_font(*id)
            .base_font(Name(font.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"))
            .first_char(FIRST_CHAR)
            .last_char(LAST_CHAR)
            .widths(font.widths().iter().map(|&w| f32::from(w)));
    }

    for (image, id) in images.iter().zip(&image_ids) {
        if let (Some(image), Some(id)) = (image, id) {
            let mut xobject = pdf.image_xobject(*id, &image.jpeg);
            xobject.filter(Filter::DctDecode);
            xobject.width(image.width as i32);
            xobject.height(image.height as i32);
            xobject.color_space().device_rgb();
            xobject.bits_per_component(8);
            xobject.finish();
        }
    }

    let total = doc.pages.len();
    for (number, (ops, (page_id, content_id))) in doc.pages.iter().zip(&page_ids).enumerate() {
        let footer = doc.footer_ops(number + 1, total);
        let mut used_images: Vec<usize> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Image { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        used_images.sort_unstable();
        used_images.dedup();

        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree_id);
        page.contents(*content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (font, id) in FONTS.iter().zip(&font_ids) {
            fonts.pair(Name(font.resource_name()), *id);
        }
        fonts.finish();
        if !used_images.is_empty() {
            let mut xobjects = resources.x_objects();
            for index in &used_images {
                if let Some(Some(id)) = image_ids.get(*index) {
                    xobjects.pair(Name(image_name(*index).as_bytes()), *id);
                }
            }
            xobjects.finish();
        }
        resources.finish();
        page.finish();

        let content = content_stream(ops.iter().chain(&footer));
        pdf.stream(*content_id, &compress_to_vec_zlib(&content, DEFLATE_LEVEL)).filter(Filter::FlateDecode);
    }

    pdf.finish()
}

fn image_name(index: usize) -> String {
    format!("Im{index}")
}

/// Page coordinates are top-down in the layout and bottom-up in PDF.
fn flip(y: f32) -> f32 {
    PAGE_H - y
}

fn content_stream<'a>(ops: impl Iterator<Item = &'a Op>) -> Vec<u8> {
    let mut content = Content::new();
    for op in ops {
        match op {
            Op::Text { font, size, gray, x, baseline, text } => {
                if text.is_empty() {
                    continue;
                }
                content.set_fill_gray(*gray);
                content.begin_text();
                content.set_font(Name(font.resource_name()), *size);
                content.next_line(*x, flip(*baseline));
                content.show(Str(text));
                content.end_text();
            }
            Op::Line { x1, x2, y, width, gray } => {
                content.set_stroke_gray(*gray);
                content.set_line_width(*width);
                content.move_to(*x1, flip(*y));
                content.line_to(*x2, flip(*y));
                content.stroke();
            }
            Op::FillRect { x, y, w, h, gray } => {
                content.set_fill_gray(*gray);
                content.rect(*x, flip(y + h), *w, *h);
                content.fill_nonzero();
            }
            Op::StrokeRect { x, y, w, h, gray } => {
                content.set_stroke_gray(*gray);
                content.set_line_width(0.75);
                content.rect(*x, flip(y + h), *w, *h);
                content.stroke();
            }
            Op::Image { index, x, y, w, h } => {
                content.save_state();
                content.transform([*w, 0.0, 0.0, *h, *x, flip(y + h)]);
                content.x_object(Name(image_name(*index).as_bytes()));
                content.restore_state();
            }
        }
    }
    content.finish().to_vec()
}
