//! Provider-neutral KYC domain for KYC Desk.
//!
//! What a customer *is*, whichever provider it came from: [`Customer`] (person or
//! business, typed [`Identifier`]s, the provider's status beside a neutral [`Stage`]),
//! its [`KycItem`] checklist, the [`Product`]s after KYC, the forms providers declare
//! ([`FormSpec`], [`ProviderSpec`]) and the value types with validation ([`Cpf`],
//! [`Cnpj`], [`Phone`], [`Email`], [`IdKind`]).
//!
//! This crate is pure: no I/O, no async, no HTTP, no SQL. It must not depend on any
//! other crate of this workspace. Validation rules live here once; the sandbox, the
//! client and the UI (through Rust commands) all ask these functions.

mod customer;
mod describe;
mod document;
mod forms;
mod identity;
mod phone;
mod validate;

pub use customer::{
    Address, Attention, Customer, DocumentInfo, IdentityRecord, KycItem, KycItemStatus, KycKind, Money, Movement,
    Party, PaymentMethod, Product, ProductDetail, ProductEvent, Stage,
};
pub use describe::{Capabilities, IdentityCheckSpec, ProductAction, ProductSpec, ProviderSpec};
pub use document::{MAX_DOCUMENT_BYTES, sniff_document};
pub use forms::{Condition, FieldKind, FieldSpec, FormSpec, FormValues, hundredths};
pub use identity::{IdKind, Identifier};
pub use phone::{Belongs, DIAL_PLANS, DialPlan, Phone, dial_plan};
pub use validate::{Cnpj, Cpf, Email, FieldError, mask_cnpj, mask_cpf, only_digits};
