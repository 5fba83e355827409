//! Provider-neutral KYC domain for KYC Desk.
//!
//! What a customer *is*, independent of which provider (Dinie, Cartevo, a wallets
//! platform) it came from: [`Customer`], [`KycItem`], their statuses, and the value
//! types with validation ([`Cpf`], [`Cnpj`], [`Phone`], [`Email`]).
//!
//! This crate is pure: no I/O, no async, no HTTP, no SQL. It must not depend on any
//! other crate of this workspace. Validation rules live here once; the sandbox, the
//! client and the UI (through Rust commands) all ask these functions.

mod customer;
mod document;
mod forms;
mod phone;
mod validate;

pub use customer::{CreditOffer, Customer, CustomerStatus, DocumentInfo, KycItem, KycItemStatus, KycKind};
pub use document::{MAX_DOCUMENT_BYTES, sniff_document};
pub use forms::{Correction, PHONE_COUNTRY, Registration};
pub use phone::{Belongs, DIAL_PLANS, DialPlan, Phone, dial_plan};
pub use validate::{Cnpj, Cpf, Email, FieldError, mask_cnpj, mask_cpf, only_digits};
