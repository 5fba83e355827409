use std::io::Cursor;

use crate::layout::{self, Op, PAGE_W};
use crate::testing::{extract_pages, extract_text, image_count, page_count, squash_whitespace};
use crate::winansi::{Font, encode};
use crate::{Block, CaseReport, Section, Thumbnail, UNREADABLE_IMAGE_NOTE, write};

const HASH: &str = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef560099";

fn base_report() -> CaseReport {
    CaseReport {
        title: "Relatório do caso — Maria Conceição".to_owned(),
        subtitle: "Dinie · perfil sandbox · customer id cus_123".to_owned(),
        generated_label: "Gerado em 25/11/2026 10:00 UTC".to_owned(),
        journal_label: format!("Cabeça do diário (SHA-256): {HASH}"),
        sections: Vec::new(),
    }
}

fn text_of(pdf: &[u8]) -> String {
    squash_whitespace(&extract_text(pdf).expect("extractable"))
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 8) as u8, (y * 8) as u8, 128, if x < 4 { 0 } else { 255 }])
    });
    let mut bytes = Vec::new();
    image.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).expect("encode png");
    bytes
}

#[test]
fn accented_text_fields_table_and_notes_are_extractable() {
    let mut report = base_report();
    report.sections = vec![
        Section {
            heading: "Identificação".to_owned(),
            blocks: vec![Block::Fields(vec![
                ("Nome completo".to_owned(), "Maria Conceição".to_owned()),
                ("Endereço".to_owned(), "Rua São João, nº 42, 3º andar — Açaí".to_owned()),
                ("Renda".to_owned(), "€ 1.234,56".to_owned()),
            ])],
        },
        Section {
            heading: "Checklist".to_owned(),
            blocks: vec![Block::Table {
                header: vec!["Item".to_owned(), "Situação".to_owned(), "Mensagem".to_owned()],
                rows: vec![
                    vec!["Comprovante de residência".to_owned(), "aprovado".to_owned(), "ok".to_owned()],
                    vec!["Selfie".to_owned(), "pendente".to_owned()],
                ],
            }],
        },
        Section {
            heading: "Notas".to_owned(),
            blocks: vec![Block::Lines(vec!["“Cliente” confirmou o endereço – sem divergências".to_owned()])],
        },
    ];
    let pdf = write(&report).expect("report");
    assert!(pdf.starts_with(b"%PDF-"));
    let text = text_of(&pdf);
    for expected in [
        "Relatório do caso — Maria Conceição",
        "Dinie · perfil sandbox · customer id cus_123",
        "Gerado em 25/11/2026 10:00 UTC",
        "Endereço",
        "Rua São João, nº 42, 3º andar — Açaí",
        "€ 1.234,56",
        "Situação",
        "Comprovante de residência",
        "pendente",
        "“Cliente” confirmou o endereço – sem divergências",
        HASH,
        "1 / 1",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text:?}");
    }
    assert_eq!(page_count(&pdf).unwrap(), 1);
}

#[test]
fn three_hundred_long_lines_flow_onto_several_pages() {
    let mut report = base_report();
    let lines: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "Evento{i:03}: o analista revisou a documentação enviada pela cliente, \
                 conferiu a assinatura e registrou a decisão no diário de auditoria \
                 com a justificativa completa e as referências dos anexos."
            )
        })
        .collect();
    report.sections = vec![Section { heading: "Linha do tempo".to_owned(), blocks: vec![Block::Lines(lines)] }];
    let pdf = write(&report).expect("report");
    let pages = page_count(&pdf).unwrap();
    assert!(pages > 1, "expected several pages, got {pages}");
    let per_page = extract_pages(&pdf).unwrap();
    assert_eq!(per_page.len(), pages);
    let text = text_of(&pdf);
    for i in 0..300 {
        let marker = format!("Evento{i:03}:");
        assert_eq!(text.matches(&marker).count(), 1, "{marker} not found once");
    }
    assert_eq!(text.matches("diário de auditoria").count(), 300);
    for (n, page) in per_page.iter().enumerate() {
        let page = squash_whitespace(page);
        assert!(page.contains(&format!("{} / {pages}", n + 1)), "page {n}: {page}");
        assert!(page.contains(HASH), "footer hash missing on page {}", n + 1);
    }
}

#[test]
fn thumbnail_is_embedded_and_unreadable_one_does_not_fail() {
    let mut report = base_report();
    report.sections = vec![Section {
        heading: "Documentos".to_owned(),
        blocks: vec![Block::Thumbnails(vec![
            Thumbnail { caption: "Frente do documento".to_owned(), png: png(32, 24) },
            Thumbnail { caption: "Verso do documento".to_owned(), png: b"definitely not a png".to_vec() },
        ])],
    }];
    let pdf = write(&report).expect("report");
    assert_eq!(image_count(&pdf).unwrap(), 1);
    let text = text_of(&pdf);
    assert!(text.contains("Frente do documento"), "{text}");
    assert!(text.contains(&format!("Verso do documento {UNREADABLE_IMAGE_NOTE}")), "{text}");
}

#[test]
fn many_thumbnails_break_onto_new_pages() {
    let mut report = base_report();
    let thumbs = (0..30).map(|i| Thumbnail { caption: format!("Imagem {i}"), png: png(40, 60) }).collect();
    report.sections = vec![Section { heading: "Documentos".to_owned(), blocks: vec![Block::Thumbnails(thumbs)] }];
    let pdf = write(&report).expect("report");
    assert_eq!(image_count(&pdf).unwrap(), 30);
    assert!(page_count(&pdf).unwrap() > 1);
    let text = text_of(&pdf);
    for i in 0..30 {
        assert!(text.contains(&format!("Imagem {i} ")) || text.ends_with(&format!("Imagem {i}")));
    }
}

#[test]
fn empty_report_has_one_page() {
    let pdf = write(&CaseReport::default()).expect("report");
    assert_eq!(page_count(&pdf).unwrap(), 1);
    assert!(text_of(&pdf).contains("1 / 1"));
}

#[test]
fn output_is_deterministic() {
    let mut report = base_report();
    report.sections = vec![Section {
        heading: "Documentos".to_owned(),
        blocks: vec![
            Block::Lines(vec!["Uma nota.".to_owned()]),
            Block::Thumbnails(vec![Thumbnail { caption: "Selfie".to_owned(), png: png(16, 16) }]),
        ],
    }];
    assert_eq!(write(&report).unwrap(), write(&report).unwrap());
}

#[test]
fn encoding_maps_cp1252_and_replaces_the_rest() {
    assert_eq!(encode("ação"), vec![b'a', 0xE7, 0xE3, b'o']);
    assert_eq!(encode("€“”–—…º"), vec![0x80, 0x93, 0x94, 0x96, 0x97, 0x85, 0xBA]);
    // Decomposed input is composed.
    assert_eq!(encode("a\u{0303}c\u{0327}"), vec![0xE3, 0xE7]);
    // Outside WinAnsi: '?'.
    assert_eq!(encode("→ ő Ω 😀"), b"? ? ? ?".to_vec());
    // Controls dropped, tab and typographic spaces become spaces.
    assert_eq!(encode("a\tb\u{202F}c\u{7}\r"), b"a b c".to_vec());
}

#[test]
fn wrapping_uses_glyph_widths_and_breaks_long_words() {
    let text = format!("{} {HASH}{HASH}", "palavra acentuação ".repeat(40));
    let max_w = 120.0;
    let lines = layout::wrap(&text, Font::Regular, 9.5, max_w);
    assert!(lines.len() > 10);
    for line in &lines {
        let width = Font::Regular.text_width(line, 9.5);
        assert!(width <= max_w + 0.01, "line too wide: {width}");
    }
    // No character lost: only the spaces at breaks disappear.
    let joined: Vec<u8> = lines.concat();
    let expected: Vec<u8> = encode(&text).into_iter().filter(|b| *b != b' ').collect();
    let got: Vec<u8> = joined.into_iter().filter(|b| *b != b' ').collect();
    assert_eq!(got, expected);
    // "iiii" is narrower than "MMMM" in Helvetica.
    assert!(Font::Regular.text_width(b"iiii", 10.0) < Font::Regular.text_width(b"MMMM", 10.0));
}

#[test]
fn nothing_overflows_the_page() {
    let long = "Texto muito longo sem quebras ".repeat(60);
    let unbroken = "x".repeat(500);
    let mut report = base_report();
    report.title = format!("Relatório {}", "com título enorme ".repeat(20));
    report.sections = vec![Section {
        heading: "Dados".to_owned(),
        blocks: vec![
            Block::Fields(vec![(long.clone(), long.clone()), ("Hash".to_owned(), unbroken.clone())]),
            Block::Table {
                header: vec!["A".to_owned(), "B".to_owned(), "C".to_owned(), "D".to_owned()],
                rows: (0..40)
                    .map(|i| vec![format!("linha {i}"), long.clone(), unbroken.clone(), "curto".to_owned()])
                    .collect(),
            },
            Block::Thumbnails(vec![Thumbnail { caption: long.clone(), png: png(10, 200) }]),
        ],
    }];
    let images: Vec<_> = vec![crate::images::prepare(&png(10, 200))];
    let doc = layout::layout(&report, &images).expect("layout");
    assert!(doc.pages.len() > 3);
    let margin = (PAGE_W - layout::content_width()) / 2.0;
    for (n, page) in doc.pages.iter().enumerate() {
        let footer = doc.footer_ops(n + 1, doc.pages.len());
        let footer_top = footer
            .iter()
            .filter_map(|op| match op {
                Op::Line { y, .. } => Some(*y),
                _ => None,
            })
            .fold(f32::MAX, f32::min);
        for (op, in_footer) in page.iter().map(|op| (op, false)).chain(footer.iter().map(|op| (op, true))) {
            let (left, right, bottom) = bounds(op);
            assert!(left >= margin - 0.01, "page {n}: {op:?} starts left of the margin");
            assert!(right <= PAGE_W - margin + 0.01, "page {n}: {op:?} ends right of the margin");
            if !in_footer {
                assert!(bottom < footer_top, "page {n}: {op:?} runs into the footer");
            }
        }
    }
    // And the whole thing serialises and extracts.
    let pdf = write(&report).expect("report");
    assert!(text_of(&pdf).contains(&unbroken[..10]));
}

/// Left, right and bottom edge of what an operation draws.
fn bounds(op: &Op) -> (f32, f32, f32) {
    match op {
        Op::Text { font, size, x, baseline, text, .. } => {
            (*x, x + font.text_width(text, *size), baseline + size * 0.21)
        }
        Op::Line { x1, x2, y, .. } => (*x1, *x2, *y),
        Op::FillRect { x, y, w, h, .. } | Op::StrokeRect { x, y, w, h, .. } | Op::Image { x, y, w, h, .. } => {
            (*x, x + w, y + h)
        }
    }
}
