//! What the UI shows, shaped for it. The TypeScript types in `ui/src/bindings/` are
//! generated from these by ts-rs (`cargo xtask bindings`); never edit them by hand.

use kyc_model::{Customer, mask_cnpj, mask_cpf};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ts_rs::TS;

/// One row of the customer list.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerRow {
    /// Provider id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Trading name, for companies.
    pub trading_name: Option<String>,
    /// CPF in its display mask, `123.456.789-09`.
    pub cpf: String,
    /// CNPJ in its display mask.
    pub cnpj: Option<String>,
    /// Partner reference.
    pub external_id: Option<String>,
    /// Status, verbatim (unknown values included).
    pub status: String,
    /// Mandatory kyc items approved.
    pub kyc_done: u32,
    /// Mandatory kyc items.
    pub kyc_total: u32,
    /// Last change, RFC 3339.
    pub updated_at: String,
}

/// RFC 3339 for the UI (which formats it with `Intl`).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

impl From<&Customer> for CustomerRow {
    fn from(c: &Customer) -> Self {
        let (done, total) = c.kyc_progress();
        Self {
            id: c.id.clone(),
            name: c.name.clone(),
            trading_name: c.trading_name.clone(),
            cpf: mask_cpf(&c.cpf),
            cnpj: c.cnpj.as_deref().map(mask_cnpj),
            external_id: c.external_id.clone(),
            status: c.status.as_str().to_owned(),
            kyc_done: u32::try_from(done).unwrap_or(u32::MAX),
            kyc_total: u32::try_from(total).unwrap_or(u32::MAX),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// Sort orders the list offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CustomerSort {
    /// Newest registration first.
    #[default]
    Newest,
    /// Most recently changed first.
    RecentlyUpdated,
    /// By name.
    Name,
}

/// A request for a page of the list.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerListQuery {
    /// Rows to skip.
    pub offset: u32,
    /// Rows wanted (capped at 500).
    pub limit: u32,
    /// Order.
    #[serde(default)]
    pub sort: CustomerSort,
    /// Search text: name, trading name, e-mail, external id, CPF or CNPJ (by prefix).
    #[serde(default)]
    pub text: String,
    /// Only these statuses; empty for all.
    #[serde(default)]
    pub statuses: Vec<String>,
}

/// How many cached customers have a status (for the filter chips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StatusCount {
    /// The status, verbatim.
    pub status: String,
    /// Customers with it.
    pub count: u32,
}

/// A page of the list, with what the header needs.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerPage {
    /// The rows.
    pub rows: Vec<CustomerRow>,
    /// Customers matching the query (counted up to 10,000).
    pub total: u32,
    /// Whether `total` stopped at 10,000.
    pub total_capped: bool,
    /// When the last successful sync finished (RFC 3339), if ever.
    pub last_sync_at: Option<String>,
    /// Cached customers per status.
    pub status_counts: Vec<StatusCount>,
    /// Whether the API answered the last call.
    pub online: bool,
}

/// Which connection the app is using.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileView {
    /// Profile name, e.g. "Built-in sandbox".
    pub name: String,
    /// Provider, e.g. `dinie`.
    pub provider: String,
    /// API base URL.
    pub base_url: String,
    /// Whether this is the built-in demo sandbox (the UI shows a badge).
    pub is_demo: bool,
}
