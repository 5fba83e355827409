//! What the desk does around a registration and after KYC, for any provider that
//! declares it: files attached to forms, products created and acted on (issuing,
//! freezing a card), and identity documents the provider hosts, copied for offline
//! viewing.

use crate::desk::Desk;
use crate::events::CoreEvent;
use crate::provider::Created;
use crate::views::{AttachedFileView, CreatedView, IdentityCheckView, IdentityFact, ProductDetailView, ProductView};
use crate::{CoreError, outbox};
use base64::Engine;
use kyc_model::{Customer, FieldError, FieldKind, FormSpec, FormValues, IdentityRecord, Stage};
use kyc_store::StoredDocument;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

/// A file attached to a form, held in memory (never written in the clear) until the
/// form is sent; then sealed into the outbox with it.
#[derive(Clone)]
pub(crate) struct Attached {
    filename: String,
    bytes: Arc<Vec<u8>>,
}

/// The files attached to forms of this desk, by id.
pub(crate) type AttachedFiles = Arc<Mutex<HashMap<String, Attached>>>;

/// The most files held at once (a form has a few; a stuck window cannot fill memory).
const MAX_ATTACHED: usize = 32;

fn invalid(field: &str, code: &str, message: impl Into<String>) -> CoreError {
    CoreError::Invalid(vec![FieldError::new(field, code, message)])
}

impl Desk {
    /// Checks a file dropped or picked into the form field `field` (at most 10 MB, a
    /// PDF, JPEG or PNG by its bytes) and holds it for the form: its id (the field's
    /// value), its type and a thumbnail. A bad file is refused naming the field.
    pub fn attach_file(&self, field: &str, filename: &str, bytes: Vec<u8>) -> Result<AttachedFileView, CoreError> {
        if bytes.len() as u64 > kyc_model::MAX_DOCUMENT_BYTES {
            return Err(invalid(
                field,
                "too_large",
                format!("{:.1} MB is over the 10 MB limit", bytes.len() as f64 / 1_048_576.0),
            ));
        }
        let content_type = kyc_model::sniff_document(&bytes)
            .ok_or_else(|| invalid(field, "invalid_file", "the file must be a PDF, JPEG or PNG"))?;
        let filename = Path::new(filename)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "document".into());
        let id = format!("file-{}", uuid::Uuid::new_v4().simple());
        let thumbnail = crate::thumbnail::png(&bytes)
            .map(|png| format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(png)));
        let view = AttachedFileView {
            id: id.clone(),
            filename: filename.clone(),
            content_type: content_type.into(),
            size: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            thumbnail,
        };
        let mut held = self.attached.lock().unwrap_or_else(PoisonError::into_inner);
        if held.len() >= MAX_ATTACHED {
            held.clear();
        }
        held.insert(id, Attached { filename, bytes: Arc::new(bytes) });
        Ok(view)
    }

    /// Lets go of an attached file (removed from the form).
    pub fn detach_file(&self, id: &str) {
        self.attached.lock().unwrap_or_else(PoisonError::into_inner).remove(id);
    }

    /// The file fields of `spec` in use with `values` whose file the desk does not
    /// hold (a draft reopened after a restart): each must be attached again.
    pub(crate) fn missing_files(&self, spec: &FormSpec, values: &FormValues) -> Vec<FieldError> {
        let held = self.attached.lock().unwrap_or_else(PoisonError::into_inner);
        spec.fields
            .iter()
            .filter(|f| f.kind == FieldKind::File && f.in_use(values))
            .filter_map(|f| values.get(&f.key).filter(|id| !held.contains_key(*id)).map(|_| f))
            .map(|f| FieldError::new(&f.key, "file_missing", format!("{}: attach the file again", f.key)))
            .collect()
    }

    /// Takes the files a checked form's values point at, by field, out of the values
    /// (they travel beside them).
    /// Returns the files and their ids.
    pub(crate) fn take_files(
        &self,
        spec: &FormSpec,
        values: &mut FormValues,
    ) -> (Vec<(String, outbox::Attachment)>, Vec<String>) {
        let held = self.attached.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut out, mut ids) = (Vec::new(), Vec::new());
        for f in spec.fields.iter().filter(|f| f.kind == FieldKind::File) {
            if let Some(id) = values.0.remove(&f.key)
                && let Some(a) = held.get(&id)
            {
                ids.push(id.clone());
                out.push((
                    f.key.clone(),
                    outbox::Attachment { filename: a.filename.clone(), bytes: a.bytes.as_ref().clone() },
                ));
            }
        }
        (out, ids)
    }

    /// Creates a product of `kind` for a customer (issues a card) from its form's
    /// values, when the customer is at the stage the provider asks. Needs the API:
    /// it is never queued, since a provider without idempotency could act twice.
    pub async fn create_product(
        &self,
        customer_id: &str,
        kind: &str,
        values: FormValues,
    ) -> Result<CreatedView, CoreError> {
        let spec = self.describe().products.iter().find(|p| p.kind == kind).cloned();
        let Some((form, spec)) = spec.as_ref().and_then(|p| p.create.as_ref().map(|f| (f, p))) else {
            return Err(crate::provider::unsupported(&self.describe().name, &format!("create a {kind}")));
        };
        let customer = self
            .store()
            .get_customer(customer_id)
            .await?
            .ok_or_else(|| invalid("id", "not_found", format!("no cached customer {customer_id}")))?;
        if let Some(stage) = &spec.create_at
            && customer.stage != Stage::parse(stage)
        {
            return Err(invalid(
                "stage",
                "not_allowed",
                format!("only {stage} customers can have one; this customer is {}", customer.stage.as_str()),
            ));
        }
        let errors = form.validate(&values, crate::desk::today());
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let values = form.normalized(&values, crate::desk::today());
        let r = self.provider().create_product(customer_id, kind, &values).await;
        self.observe(&r);
        let outcome = match &r {
            Ok(Created::Made(_)) => "made",
            Ok(Created::Recovered(_)) => "made (answer lost, read back)",
            Ok(Created::NotMade(_)) => "not made",
            Err(_) => "refused",
        };
        self.record(Some(customer_id), &format!("{kind}.create"), outcome);
        let view = match r? {
            Created::Made(p) => CreatedView::Made { product: ProductView::from(&p) },
            Created::Recovered(p) => CreatedView::Recovered { product: ProductView::from(&p) },
            Created::NotMade(message) => CreatedView::NotMade { message },
        };
        // The list as the provider has it now (the detail is told if it changed).
        let _ = self.products(customer_id).await;
        Ok(view)
    }

    /// Does `action` to a customer's product, if the provider offers it from the
    /// product's status; then reads the products again.
    /// An action declared `needs_reason` takes staff's reason (1–255 characters).
    pub async fn product_action(
        &self,
        customer_id: &str,
        product_id: &str,
        action: &str,
        reason: Option<String>,
    ) -> Result<(), CoreError> {
        let product = self
            .store()
            .products_for(customer_id)
            .await?
            .into_iter()
            .find(|p| p.id == product_id)
            .ok_or_else(|| invalid("product", "not_found", format!("no cached product {product_id}")))?;
        let declared = self
            .describe()
            .products
            .iter()
            .find(|s| s.kind == product.kind)
            .and_then(|s| s.actions.iter().find(|a| a.name == action))
            .cloned();
        let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
        if declared.as_ref().is_some_and(|a| a.needs_reason) {
            match &reason {
                None => return Err(invalid("reason", "required", "say why (the reason is kept with the product)")),
                Some(r) if r.chars().count() > 255 => {
                    return Err(invalid("reason", "too_long", "reason must be at most 255 characters"));
                }
                Some(_) => {}
            }
        }
        if !declared.is_some_and(|a| a.allowed_from(&product.status)) {
            return Err(invalid(
                "action",
                "not_allowed",
                format!("{action} is not possible for a {} that is {}", product.kind, product.status),
            ));
        }
        let r = self.provider().product_action(customer_id, product_id, action, reason.as_deref()).await;
        self.observe(&r);
        self.record(
            Some(customer_id),
            &format!("{}.{action}", product.kind),
            if r.is_ok() { "done" } else { "refused" },
        );
        r?;
        self.products(customer_id).await.map(drop)
    }

    /// More about one product, read live from the provider (payment methods, recent
    /// movements, events). Offline, says so.
    pub async fn product_detail(&self, customer_id: &str, product_id: &str) -> Result<ProductDetailView, CoreError> {
        let r = self.provider().product_detail(customer_id, product_id).await;
        self.observe(&r);
        Ok(ProductDetailView::from(&r?))
    }

    /// Runs the provider's identity check for a customer (a BVN lookup) with its form's
    /// values, which include staff's confirmation of the customer's consent. The record
    /// found is compared with what the customer declared and shown; it is **never
    /// stored**: the timeline keeps only who checked, when, and whether it matched.
    pub async fn identity_check(&self, customer_id: &str, values: FormValues) -> Result<IdentityCheckView, CoreError> {
        let Some(spec) = self.describe().identity_check.clone() else {
            return Err(crate::provider::unsupported(&self.describe().name, "check an identity"));
        };
        let errors = spec.form.validate(&values, crate::desk::today());
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        let values = spec.form.normalized(&values, crate::desk::today());
        let customer = self
            .store()
            .get_customer(customer_id)
            .await?
            .ok_or_else(|| invalid("id", "not_found", format!("no cached customer {customer_id}")))?;
        let key = crate::new_idempotency_key();
        let r = self.provider().identity_check(customer_id, &values, &key).await;
        self.observe(&r);
        let record = r?;
        // What the customer declared, and a date of birth staff read from a document.
        let declared_birth = values.get("declared_birth_date").map(str::to_owned);
        let view = compare_identity(&customer, &record, declared_birth.as_deref());
        self.record(
            Some(customer_id),
            &format!("identity_check.{}", spec.id),
            if view.matches { "match" } else { "mismatch" },
        );
        let author = self.author();
        self.store()
            .add_change(&kyc_store::Change {
                customer_id: customer_id.to_owned(),
                at: time::OffsetDateTime::now_utc(),
                kind: "identity_check".into(),
                item_type: Some(spec.id.clone()),
                old_value: None,
                new_value: if view.matches { "match".into() } else { "mismatch".into() },
                message: Some(author),
            })
            .await?;
        self.emit(CoreEvent::CustomersChanged { ids: vec![customer_id.to_owned()] });
        Ok(view)
    }

    /// Copies the identity documents the provider hosts for a customer into the cache
    /// (sealed), once, so the viewer shows them offline. Returns how many were added.
    pub async fn cache_hosted_documents(&self, customer_id: &str) -> Result<usize, CoreError> {
        if !self.describe().capabilities.hosted_documents {
            return Ok(0);
        }
        // Copied once: a customer registered from here has its files already.
        let have = self.store().documents_for(customer_id).await?;
        if !have.is_empty() {
            return Ok(0);
        }
        let r = self.provider().hosted_documents(customer_id).await;
        self.observe(&r);
        let docs = match r {
            Ok(d) => d,
            Err(CoreError::Api(e)) if e.is_unreachable() => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut added = 0;
        for d in docs {
            crate::durable::private_dir(self.documents_dir())?;
            let id = format!("hosted-{}", uuid::Uuid::new_v4().simple());
            let dest = self.documents_dir().join(&id);
            crate::sealed::write(&dest, &d.bytes, self.seal()).await?;
            self.store()
                .put_document(&StoredDocument {
                    id,
                    customer_id: customer_id.to_owned(),
                    item_type: d.item_type,
                    filename: d.filename,
                    content_type: kyc_model::sniff_document(&d.bytes).unwrap_or("application/octet-stream").to_owned(),
                    size: d.bytes.len() as u64,
                    sha256: None,
                    uploaded_at: None,
                    local_path: dest.to_str().map(str::to_owned),
                    thumbnail: crate::thumbnail::png(&d.bytes),
                })
                .await?;
            added += 1;
        }
        if added > 0 {
            self.emit(CoreEvent::CustomersChanged { ids: vec![customer_id.to_owned()] });
        }
        Ok(added)
    }
}

/// Letters only, lower case, accents kept: `O'Neil-Ade` and `oneil ade` compare equal.
fn name_key(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The digits of a phone's national part: the last 10 digits, so `+234 803…` and
/// `0803…` compare equal.
fn phone_key(s: &str) -> String {
    let d: String = s.chars().filter(char::is_ascii_digit).collect();
    d[d.len().saturating_sub(10)..].to_owned()
}

/// The record found beside what the customer declared, fact by fact: a fact matches,
/// differs, or cannot be compared (nothing declared).
pub(crate) fn compare_identity(c: &Customer, r: &IdentityRecord, declared_birth: Option<&str>) -> IdentityCheckView {
    let declared = |key: &str| -> Option<String> {
        match key {
            "given_name" => c.given_name.clone().or_else(|| c.name.split_whitespace().next().map(str::to_owned)),
            "family_name" => c.family_name.clone().or_else(|| c.name.split_whitespace().last().map(str::to_owned)),
            "birth_date" => c.birth_date.map(|d| d.to_string()).or_else(|| declared_birth.map(str::to_owned)),
            "phone" => Some(c.phone.clone()).filter(|p| !p.is_empty()),
            _ => None,
        }
    };
    let same = |key: &str, a: &str, b: &str| match key {
        "phone" => phone_key(a) == phone_key(b),
        "birth_date" => a.trim() == b.trim(),
        _ => name_key(a) == name_key(b),
    };
    let facts: Vec<IdentityFact> = r
        .facts
        .iter()
        .map(|(key, found)| {
            let d = declared(key);
            let matches = d.as_deref().map(|d| same(key, d, found));
            IdentityFact { key: key.clone(), found: found.clone(), declared: d, matches }
        })
        .collect();
    let matches = facts.iter().all(|f| f.matches != Some(false));
    IdentityCheckView { facts, matches }
}
