//! Documents: what a file is, judged by its bytes, and generated sample files for the
//! demo seed.

use std::io::Cursor;

/// The upload limit: 10 MB.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Below this many bytes a document is "tiny" and the review rejects it.
pub const TINY_DOCUMENT_BYTES: usize = 1024;

/// The content type of a PDF, JPEG or PNG, judged by its first bytes; `None` for
/// anything else, whatever its name says.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A sample document for the demo seed: a PDF for certificates and proofs, a JPEG for
/// photos, a PNG for ID scans. Deterministic for its inputs.
pub fn sample(item_type: &str, holder: &str) -> (String, &'static str, Vec<u8>) {
    match item_type {
        "ccmei" | "proof_of_address" => (format!("{item_type}.pdf"), "application/pdf", sample_pdf(item_type, holder)),
        "selfie" => ("selfie.jpg".into(), "image/jpeg", sample_image(item_type, holder, true)),
        _ => (format!("{item_type}.png"), "image/png", sample_image(item_type, holder, false)),
    }
}

fn seed_of(s: &str) -> u32 {
    s.bytes().fold(2_166_136_261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16_777_619))
}

fn sample_image(item_type: &str, holder: &str, jpeg: bool) -> Vec<u8> {
    let seed = seed_of(&format!("{item_type}/{holder}"));
    let (w, h) = (640u32, 400u32);
    let base = [(seed & 0x7F) as u8 + 100, ((seed >> 8) & 0x7F) as u8 + 100, ((seed >> 16) & 0x7F) as u8 + 100];
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        // A card: a border, a photo box and lines of "text".
        let border = x < 12 || y < 12 || x >= w - 12 || y >= h - 12;
        let photo = (40..200).contains(&x) && (80..300).contains(&y);
        let line = (240..600).contains(&x) && (y % 40) < 10 && (90..330).contains(&y);
        if border {
            image::Rgb([30, 60, 90])
        } else if photo {
            image::Rgb([base[0] / 2, base[1] / 2, base[2] / 2])
        } else if line {
            image::Rgb([60, 60, 60])
        } else {
            image::Rgb(base)
        }
    });
    let mut out = Cursor::new(Vec::new());
    let format = if jpeg { image::ImageFormat::Jpeg } else { image::ImageFormat::Png };
    // Encoding an in-memory RGB image to PNG/JPEG cannot fail.
    let _ = img.write_to(&mut out, format);
    out.into_inner()
}

/// A one-page PDF with a title and the holder's name, valid enough for pdf.js.
pub fn sample_pdf(title: &str, holder: &str) -> Vec<u8> {
    let ascii = |s: &str| -> String {
        s.chars().map(|c| if c.is_ascii_alphanumeric() || c == ' ' || c == '-' { c } else { '?' }).collect()
    };
    let mut content = format!(
        "BT /F1 24 Tf 72 720 Td ({}) Tj 0 -40 Td /F1 14 Tf (Titular: {}) Tj 0 -24 Td (Documento de exemplo gerado pelo kyc-sandbox) Tj",
        ascii(title),
        ascii(holder)
    );
    // The body of a real certificate or bill: enough lines to look like one, and to
    // weigh what a real scan's text layer does.
    for (label, value) in [
        ("Emitido em", "02 03 2026"),
        ("Validade", "90 dias"),
        ("Endereco", "Rua das Flores 123 - Centro"),
        ("Municipio", "Sao Paulo - SP"),
        ("CEP", "01000-000"),
        ("Atividade", "Comercio varejista"),
        ("Situacao cadastral", "Ativa"),
        ("Codigo de verificacao", "KYC-SANDBOX-0001"),
    ] {
        content.push_str(&format!(" 0 -22 Td /F1 12 Tf ({label}: {value}) Tj"));
    }
    content.push_str(
        " 0 -40 Td /F1 10 Tf (Este arquivo nao tem valor legal. Ele existe para que o KYC Desk mostre um PDF real.) Tj ET",
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_bytes_not_name() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn samples_are_what_they_claim_and_not_tiny() {
        for t in ["ccmei", "selfie", "identity_card_front", "proof_of_address"] {
            let (name, ct, bytes) = sample(t, "Ana Lima");
            assert_eq!(sniff(&bytes), Some(ct), "{name}");
            assert!(bytes.len() > TINY_DOCUMENT_BYTES, "{name} is {} bytes", bytes.len());
        }
        let (_, _, png) = sample("identity_card_front", "Ana");
        assert!(image::load_from_memory(&png).is_ok());
    }
}
