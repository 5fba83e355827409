//! A customer's case report as PDF (written by `kyc-report`): the data, the checklist
//! with statuses and messages, the timeline, the notes, the documents' thumbnails, when
//! it was made and the journal's head hash, in pt-BR or English.

use crate::CoreError;
use crate::desk::Desk;
use crate::views::CustomerDetail;
use crate::workbench::NoteView;
use kyc_report::{Block, CaseReport, Section, Thumbnail};
use time::OffsetDateTime;

/// What a report says besides the customer.
pub struct ReportContext {
    /// `pt-BR` or `en` (anything else: English).
    pub lang: String,
    /// The connection's name.
    pub connection: String,
    /// When it is made.
    pub generated_at: OffsetDateTime,
    /// The journal's head hash at that moment.
    pub journal_head: String,
    /// The customer's notes, oldest first.
    pub notes: Vec<NoteView>,
}

/// A label in the report's language.
fn l(pt: bool, key: &str) -> &'static str {
    const LABELS: &[(&str, &str, &str)] = &[
        ("title", "Relatório do caso", "Case report"),
        ("generated", "Gerado em", "Generated"),
        ("journal", "Cabeça do diário (SHA-256)", "Journal head (SHA-256)"),
        ("data", "Dados", "Data"),
        ("checklist", "Checklist de KYC", "KYC checklist"),
        ("timeline", "Linha do tempo", "Timeline"),
        ("notes", "Notas", "Notes"),
        ("documents", "Documentos", "Documents"),
        ("products", "Depois do KYC", "After KYC"),
        ("id", "Id", "Id"),
        ("name", "Nome", "Name"),
        ("trading_name", "Nome fantasia", "Trading name"),
        ("email", "E-mail", "E-mail"),
        ("phone", "Telefone", "Phone"),
        ("address", "Endereço", "Address"),
        ("birth_date", "Data de nascimento", "Date of birth"),
        ("external_id", "Referência do parceiro", "Partner reference"),
        ("stage", "Etapa", "Stage"),
        ("status", "Status do provedor", "Provider status"),
        ("created", "Cadastrado em", "Registered"),
        ("updated", "Atualizado em", "Updated"),
        ("item", "Item", "Item"),
        ("message", "Mensagem", "Message"),
        ("none", "Nada registrado.", "Nothing recorded."),
        ("no_journal", "(diário vazio)", "(empty journal)"),
        ("edited", "editada", "edited"),
        ("awaiting_customer", "Aguardando o cliente", "Awaiting the customer"),
        ("in_review", "Em análise", "In review"),
        ("approved", "Aprovado", "Approved"),
        ("rejected", "Reprovado", "Rejected"),
        ("unknown", "Desconhecido", "Unknown"),
        ("pending", "Pendente", "Pending"),
        ("pending_correction", "Correção pendente", "Pending correction"),
    ];
    LABELS.iter().find(|(k, _, _)| *k == key).map_or("", |(_, p, e)| if pt { p } else { e })
}

/// A stage or status in words, when known; verbatim otherwise.
fn word(pt: bool, value: &str) -> String {
    match l(pt, value) {
        "" => value.to_owned(),
        w => w.to_owned(),
    }
}

/// `2026-11-25T10:00:00Z` as `2026-11-25 10:00 UTC` (RFC 3339 in, verbatim if not).
fn when(t: &str) -> String {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).map(stamp).unwrap_or_else(|_| t.to_owned())
}

fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}

/// The report's content, from the detail the window shows and what the desk adds.
pub fn build(d: &CustomerDetail, thumbnails: Vec<Thumbnail>, ctx: &ReportContext) -> CaseReport {
    let pt = ctx.lang.to_ascii_lowercase().starts_with("pt");
    let mut data = vec![(l(pt, "id").to_owned(), d.id.clone()), (l(pt, "name").to_owned(), d.name.clone())];
    if let Some(t) = d.trading_name.clone().filter(|t| !t.is_empty()) {
        data.push((l(pt, "trading_name").to_owned(), t));
    }
    for i in &d.identifiers {
        data.push((i.kind.to_uppercase(), i.value.clone()));
    }
    let mut opt = |key: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            data.push((l(pt, key).to_owned(), v));
        }
    };
    opt("email", Some(d.email.clone()));
    opt("phone", Some(d.phone.clone()));
    opt(
        "address",
        d.address.as_ref().map(|a| {
            [a.line1.as_str(), &a.line2, &a.city, &a.state, &a.postal_code, &a.country]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        }),
    );
    opt("birth_date", d.birth_date.clone());
    opt("external_id", d.external_id.clone());
    opt("stage", Some(word(pt, &d.stage)));
    opt("status", Some(d.status.clone()));
    opt("created", Some(when(&d.created_at)));
    opt("updated", Some(when(&d.updated_at)));

    let mut sections = vec![Section { heading: l(pt, "data").into(), blocks: vec![Block::Fields(data)] }];
    if !d.kyc.is_empty() {
        let rows = d
            .kyc
            .iter()
            .map(|i| vec![i.description.clone(), word(pt, &i.status), i.message.clone().unwrap_or_default()])
            .collect();
        sections.push(Section {
            heading: l(pt, "checklist").into(),
            blocks: vec![Block::Table {
                header: vec![l(pt, "item").into(), l(pt, "status").into(), l(pt, "message").into()],
                rows,
            }],
        });
    }
    if !d.products.is_empty() {
        let lines = d.products.iter().map(|p| format!("{} {} — {}", p.kind, p.id, p.status)).collect();
        sections.push(Section { heading: l(pt, "products").into(), blocks: vec![Block::Lines(lines)] });
    }
    let timeline: Vec<String> = d
        .timeline
        .iter()
        .map(|c| {
            let what = c.item_type.as_deref().map_or_else(String::new, |i| format!("{i}: "));
            let from = c.old_value.as_deref().map_or_else(String::new, |o| format!("{} → ", word(pt, o)));
            let msg = c.message.as_deref().map_or_else(String::new, |m| format!(" ({m})"));
            format!("{}  {what}{from}{}{msg}", when(&c.at), word(pt, &c.new_value))
        })
        .collect();
    sections.push(Section {
        heading: l(pt, "timeline").into(),
        blocks: vec![Block::Lines(if timeline.is_empty() { vec![l(pt, "none").into()] } else { timeline })],
    });
    let notes: Vec<String> = ctx
        .notes
        .iter()
        .map(|n| {
            let edited = n.edited_at.as_ref().map_or_else(String::new, |_| format!(" ({})", l(pt, "edited")));
            format!("{} · {}{edited}: {}", when(&n.created_at), n.author, n.body)
        })
        .collect();
    sections.push(Section {
        heading: l(pt, "notes").into(),
        blocks: vec![Block::Lines(if notes.is_empty() { vec![l(pt, "none").into()] } else { notes })],
    });
    if !thumbnails.is_empty() {
        sections.push(Section { heading: l(pt, "documents").into(), blocks: vec![Block::Thumbnails(thumbnails)] });
    }
    let head = if ctx.journal_head.is_empty() { l(pt, "no_journal").to_owned() } else { ctx.journal_head.clone() };
    CaseReport {
        title: format!("{} — {}", l(pt, "title"), d.name),
        subtitle: format!("{} · {}", ctx.connection, d.id),
        generated_label: format!("{} {}", l(pt, "generated"), stamp(ctx.generated_at)),
        journal_label: format!("{}: {head}", l(pt, "journal")),
        sections,
    }
}

impl Desk {
    /// The case report of the cached customer `id` as PDF bytes (works offline).
    pub async fn case_report(&self, id: &str, ctx: &ReportContext) -> Result<Vec<u8>, CoreError> {
        let detail = self.customer_detail(id).await?;
        let thumbnails = self
            .store()
            .documents_for(id)
            .await?
            .into_iter()
            .filter_map(|d| {
                let png = d.thumbnail?;
                Some(Thumbnail { caption: format!("{} · {}", d.item_type, d.filename), png })
            })
            .collect();
        let report = build(&detail, thumbnails, ctx);
        kyc_report::write(&report).map_err(|e| CoreError::Io(format!("could not write the report: {e}")))
    }
}
