//! Writes a sample case report, to look at the layout:
//! `cargo run -p kyc-report --example sample_report -- /tmp/sample.pdf`

use kyc_report::{Block, CaseReport, Section, Thumbnail};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "sample-report.pdf".to_owned());
    let photo = image::RgbImage::from_fn(320, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut png = Vec::new();
    photo.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    let report = CaseReport {
        title: "Relatório do caso — Maria Conceição da Silva".to_owned(),
        subtitle: "Dinie · perfil sandbox · customer id cus_123".to_owned(),
        generated_label: "Gerado em 25/11/2026 10:00 UTC".to_owned(),
        journal_label: format!("Cabeça do diário (SHA-256): {}", "ab12cd34".repeat(8)),
        sections: vec![
            Section {
                heading: "Identificação".to_owned(),
                blocks: vec![Block::Fields(vec![
                    ("Nome completo".to_owned(), "Maria Conceição da Silva".to_owned()),
                    ("CPF".to_owned(), "123.456.789-09".to_owned()),
                    (
                        "Endereço".to_owned(),
                        "Rua São João, nº 42, 3º andar, apartamento 301 — Bairro Açaí, \
                         São Paulo/SP, CEP 01234-567, Brasil (endereço confirmado por \
                         comprovante de residência emitido há menos de 90 dias)"
                            .to_owned(),
                    ),
                    ("Renda declarada".to_owned(), "R$ 12.345,67 / € 2.000,00".to_owned()),
                ])],
            },
            Section {
                heading: "Checklist".to_owned(),
                blocks: vec![Block::Table {
                    header: vec!["Item".to_owned(), "Situação".to_owned(), "Mensagem".to_owned()],
                    rows: vec![
                        vec![
                            "Documento de identidade".to_owned(),
                            "aprovado".to_owned(),
                            "Frente e verso legíveis".to_owned(),
                        ],
                        vec![
                            "Comprovante de residência".to_owned(),
                            "pendente".to_owned(),
                            "O documento enviado está cortado na margem inferior; pedir \
                             nova foto com o documento inteiro, sem reflexos e em boa \
                             iluminação."
                                .to_owned(),
                        ],
                        vec!["Selfie".to_owned(), "reprovado".to_owned()],
                    ],
                }],
            },
            Section {
                heading: "Documentos".to_owned(),
                blocks: vec![Block::Thumbnails(vec![
                    Thumbnail { caption: "Documento — frente".to_owned(), png: png.clone() },
                    Thumbnail { caption: "Documento — verso".to_owned(), png },
                    Thumbnail { caption: "Selfie".to_owned(), png: b"not an image".to_vec() },
                ])],
            },
            Section {
                heading: "Linha do tempo".to_owned(),
                blocks: vec![Block::Lines(
                    (0..80)
                        .map(|i| {
                            format!(
                                "2026-11-{:02} 09:{:02} — “Análise” nº {i}: o analista revisou a \
                                 documentação e registrou a decisão – sem divergências.",
                                1 + i % 28,
                                i % 60
                            )
                        })
                        .collect(),
                )],
            },
        ],
    };
    std::fs::write(&path, kyc_report::write(&report)?)?;
    println!("wrote {path}");
    Ok(())
}
