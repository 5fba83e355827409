//! The provider-neutral port every connector implements (Dinie first; Cartevo and the
//! wallets platform later). Only model types cross it.

use crate::CoreError;
use futures::future::BoxFuture;
use kyc_model::{Customer, DocumentInfo, FormValues, IdentityRecord, Product, ProductDetail, ProviderSpec};
use std::sync::Arc;
use time::OffsetDateTime;

/// One page of customers from a provider, and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page {
    /// Customers, mapped into the model.
    pub customers: Vec<Customer>,
    /// Opaque cursor of the next page; `None` at the end.
    pub next_cursor: Option<String>,
    /// The customers are summaries (the provider's list leaves out their KYC status,
    /// identity and address): the sync reads each new or changed one in full.
    pub summaries: bool,
}

/// A file attached to a form (an ID document's front or back at registration).
#[derive(Clone)]
pub struct FormFile {
    /// The form field it fills.
    pub field: String,
    /// Its name (last component only).
    pub filename: String,
    /// Its bytes (checked: at most 10 MB, PDF/JPEG/PNG).
    pub bytes: Arc<Vec<u8>>,
}

impl std::fmt::Debug for FormFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormFile").field("field", &self.field).field("filename", &self.filename).finish_non_exhaustive()
    }
}

/// An identity document the provider keeps (its own copy, fetched for the viewer).
#[derive(Clone)]
pub struct HostedDocument {
    /// What it is: the registration form's field (`id_document_front`, …).
    pub item_type: String,
    /// A name for it.
    pub filename: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What creating a product (issuing a card) came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// Made: the product.
    Made(Product),
    /// The answer was lost (timeout, dropped connection): the provider's list was read
    /// again, and this product, not there before and matching the request, is the one
    /// made.
    Recovered(Product),
    /// The answer was lost and the list read again holds nothing new: it was not made.
    /// Nothing was retried; the user decides.
    NotMade(String),
}

/// A document to upload: its file name and its bytes (read from the sealed copy in the
/// outbox, so they are never written to disk in the clear).
#[derive(Clone)]
pub struct DocumentUpload {
    /// The original file name.
    pub filename: String,
    /// The file's bytes (at most 10 MB).
    pub bytes: Arc<Vec<u8>>,
}

/// What a verified webhook asks of the desk: the data itself is always read again from
/// the API (an event is a nudge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nudge {
    /// Re-read this customer.
    Customer(String),
    /// Re-read this customer's products.
    Products(String),
    /// An event of a type this version does not act on (its type, for the log).
    Nothing(String),
}

/// A webhook the provider signed: its delivery id (redeliveries share it) and what it
/// asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The delivery id.
    pub id: String,
    /// What to do.
    pub nudge: Nudge,
}

/// A header of a webhook request, by lower-case name.
pub type Header<'a> = &'a dyn Fn(&str) -> Option<&'a str>;

/// Upload progress: `(bytes sent, total)`.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A KYC provider as the core sees it. Writes take the idempotency key of their
/// logical operation, so a replay after a crash is recognised by the provider.
pub trait Provider: Send + Sync {
    /// A short name for logs, e.g. `dinie`.
    fn name(&self) -> &'static str;

    /// What it can do and the forms it takes (the UI draws itself from this).
    fn describe(&self) -> &ProviderSpec;

    /// One page of every customer, oldest first, starting after `cursor`.
    fn list_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>>;

    /// One page of customers, most recently changed first, starting after `cursor`.
    fn changes_page(&self, cursor: Option<String>, page_size: u32) -> BoxFuture<'_, Result<Page, CoreError>>;

    /// One customer, fresh.
    fn get_customer<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Customer, CoreError>>;

    /// Registers a customer from its registration form's values (checked and
    /// normalized against [`ProviderSpec::register`]) and the files its file fields
    /// hold: the customer, and whether it was created (or existed).
    fn register<'a>(
        &'a self,
        values: &'a FormValues,
        files: Vec<FormFile>,
        key: &'a str,
        progress: Option<Progress>,
    ) -> BoxFuture<'a, Result<(Customer, bool), CoreError>>;

    /// Corrects a customer's data from the correction form's values (only what
    /// changes). Providers without corrections refuse.
    fn correct<'a>(
        &'a self,
        id: &'a str,
        values: &'a FormValues,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Customer, CoreError>> {
        let _ = (id, values, key);
        Box::pin(async move { Err(unsupported(self.name(), "correct a customer's data")) })
    }

    /// Uploads a document for a kyc item. Providers without uploads refuse.
    fn upload<'a>(
        &'a self,
        id: &'a str,
        item_type: &'a str,
        document: DocumentUpload,
        key: &'a str,
        progress: Option<Progress>,
    ) -> BoxFuture<'a, Result<DocumentInfo, CoreError>> {
        let _ = (id, item_type, document, key, progress);
        Box::pin(async move { Err(unsupported(self.name(), "upload a document for a checklist item")) })
    }

    /// Starts a biometric capture session: its URL and expiry. Providers without one
    /// refuse.
    fn start_biometrics<'a>(
        &'a self,
        id: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, Result<(String, OffsetDateTime), CoreError>> {
        let _ = (id, key);
        Box::pin(async move { Err(unsupported(self.name(), "start a biometric capture")) })
    }

    /// Verifies a webhook delivered to the desk's loopback listener, signed with
    /// `secret` (Standard Webhooks `whsec_…`, made by the listener), and reads what it
    /// asks; why not, when it is refused. Providers that send none to a desk refuse all.
    fn read_webhook(
        &self,
        secret: &str,
        header: Header<'_>,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Result<Webhook, String> {
        let _ = (secret, header, body, now);
        Err(format!("{} sends no webhooks to the desk", self.name()))
    }

    /// What the customer has after KYC (credit offers, cards, wallets), every kind the
    /// provider declares.
    fn products<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<Product>, CoreError>>;

    /// Creates a product of `kind` from its create form's values (checked): see
    /// [`Created`]. Providers whose products cannot be made from the desk refuse.
    fn create_product<'a>(
        &'a self,
        customer_id: &'a str,
        kind: &'a str,
        values: &'a FormValues,
    ) -> BoxFuture<'a, Result<Created, CoreError>> {
        let _ = (customer_id, values);
        Box::pin(async move { Err(unsupported(self.name(), &format!("create a {kind}"))) })
    }

    /// Does `action` (declared in the product kind's spec) to a product, with staff's
    /// reason when the action takes one.
    fn product_action<'a>(
        &'a self,
        customer_id: &'a str,
        product_id: &'a str,
        action: &'a str,
        reason: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), CoreError>> {
        let _ = (customer_id, product_id, reason);
        Box::pin(async move { Err(unsupported(self.name(), action)) })
    }

    /// More about one product, read live (payment methods, recent movements, events).
    /// Nothing more by default.
    fn product_detail<'a>(
        &'a self,
        customer_id: &'a str,
        product_id: &'a str,
    ) -> BoxFuture<'a, Result<ProductDetail, CoreError>> {
        let _ = (customer_id, product_id);
        Box::pin(async { Ok(ProductDetail::default()) })
    }

    /// Runs the identity check the provider declares
    /// ([`ProviderSpec::identity_check`]) with its form's values (checked), for a
    /// customer: the record found. Providers without one refuse.
    fn identity_check<'a>(
        &'a self,
        customer_id: &'a str,
        values: &'a FormValues,
        key: &'a str,
    ) -> BoxFuture<'a, Result<IdentityRecord, CoreError>> {
        let _ = (customer_id, values, key);
        Box::pin(async move { Err(unsupported(self.name(), "check an identity")) })
    }

    /// The identity documents the provider keeps for a customer (see
    /// [`kyc_model::Capabilities::hosted_documents`]), fetched. None by default.
    fn hosted_documents<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<HostedDocument>, CoreError>> {
        let _ = id;
        Box::pin(async { Ok(Vec::new()) })
    }
}

/// The error for something a provider cannot do.
pub fn unsupported(provider: &str, what: &str) -> CoreError {
    CoreError::Invalid(vec![kyc_model::FieldError::new(
        "action",
        "unsupported",
        format!("{provider} offers no way to {what}"),
    )])
}
