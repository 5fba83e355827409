//! Thumbnail preparation: decode, bound the size, flatten transparency onto
//! white and re-encode as baseline JPEG (embedded with `/DCTDecode`).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader, Limits, Rgb, RgbImage};

/// Width of a thumbnail cell, in points.
pub(crate) const THUMB_W: f32 = 150.0;
/// Tallest a thumbnail may be drawn, in points.
pub(crate) const THUMB_MAX_H: f32 = 120.0;
/// Longest side, in pixels, of an embedded image (about 4x the drawn size,
/// plenty for print and zooming while keeping the PDF small).
const MAX_PIXELS_SIDE: u32 = 600;
/// Largest input accepted, per side, before decoding.
const MAX_INPUT_SIDE: u32 = 12_000;
/// Most memory the decoder may allocate for one thumbnail.
const MAX_DECODE_ALLOC: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// A thumbnail ready to embed.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub width: u32,
    pub height: u32,
    /// Baseline JPEG, 8-bit RGB.
    pub jpeg: Vec<u8>,
}

impl Prepared {
    /// Drawn size (points) of the image fitted into `max_w` x `max_h`,
    /// keeping the aspect ratio.
    pub(crate) fn fit(&self, max_w: f32, max_h: f32) -> (f32, f32) {
        let (w, h) = (self.width as f32, self.height as f32);
        let scale = (max_w / w).min(max_h / h);
        (w * scale, h * scale)
    }
}

/// Decodes and re-encodes one thumbnail; `None` when the bytes cannot be
/// read as an image (any format the `image` dependency is built with: PNG
/// and JPEG).
pub(crate) fn prepare(bytes: &[u8]) -> Option<Prepared> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_INPUT_SIDE);
    limits.max_image_height = Some(MAX_INPUT_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let decoded = reader.decode().ok()?;
    if decoded.width() == 0 || decoded.height() == 0 {
        return None;
    }
    let bounded = if decoded.width().max(decoded.height()) > MAX_PIXELS_SIDE {
        decoded.resize(MAX_PIXELS_SIDE, MAX_PIXELS_SIDE, image::imageops::FilterType::Triangle)
    } else {
        decoded
    };
    let rgb = flatten_on_white(&bounded);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY).encode_image(&rgb).ok()?;
    Some(Prepared { width: rgb.width(), height: rgb.height(), jpeg })
}

/// Converts to 8-bit RGB, compositing any transparency over white.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let a = u16::from(a);
        let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        Rgb([blend(r), blend(g), blend(b)])
    })
}
