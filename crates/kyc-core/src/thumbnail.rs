//! Thumbnails of uploaded images, for lists and the offline viewer.

use std::io::Cursor;

/// The longest side of a thumbnail, in pixels.
pub const SIZE: u32 = 160;

/// A small PNG of a JPEG or PNG image; `None` for anything else (PDFs are previewed
/// by pdf.js in the UI) or an image that cannot be decoded.
pub fn png(bytes: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory(bytes).ok()?;
    let thumb = img.thumbnail(SIZE, SIZE);
    let mut out = Cursor::new(Vec::new());
    thumb.write_to(&mut out, image::ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn images_get_a_small_png_and_pdfs_none() {
        let (_, _, jpeg) = kyc_sandbox::docs::sample("selfie", "Ana");
        let t = super::png(&jpeg).unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert!(img.width() <= super::SIZE && img.height() <= super::SIZE);
        assert!(super::png(&kyc_sandbox::docs::sample_pdf("x", "y")).is_none());
        assert!(super::png(b"not an image").is_none());
    }
}
