//! What the window's commands do: each takes the app handle, the state and its
//! arguments, calls `kyc-core` and returns its views or its [`ErrorView`]. Their
//! signatures are declared once in `surface.rs` (which makes the Tauri handlers in
//! `ipc.rs` and the UI's TypeScript) and granted by name in `capabilities/default.json`.

use crate::events;
use crate::session::{AppState, credentials, open_profile, run_sync};
use kyc_core::ErrorView;
use kyc_core::model::{FieldError, FormValues, ProviderSpec};
use kyc_core::profiles::{NewProfile, Profile, ProfilesView};
use kyc_core::queue::{QueueFilter, QueuePage};
use kyc_core::sync::SyncProgress;
use kyc_core::views::{
    AttachedFileView, BiometricsView, CreatedView, CustomerDetail, CustomerListQuery, CustomerPage, FormLayout,
    IdentityCheckView, ProductDetailView, ProductView, ProfileView, WriteView,
};
use kyc_core::workbench::{JournalCheck, NoteView, SavedViewView, TagView};
use tauri::{AppHandle, State};

pub(crate) use crate::across::{
    cancel_job, case_report, export_csv, journal_export, refresh_customers, reveal_export, view_ids,
};

/// A page of cached customers, searched and filtered (works offline).
pub async fn list_customers(
    _app: AppHandle,
    state: State<'_, AppState>,
    query: CustomerListQuery,
) -> Result<CustomerPage, ErrorView> {
    if query.everywhere {
        let parts = crate::across::parts(&state, &query).await?;
        let online = state.desk().await.is_online();
        return Ok(state.fleet.list(&parts, &query, online).await?);
    }
    let only = match query.tag {
        Some(tag) => Some(state.workbench.tagged(&state.profile_id().await, tag).await?),
        None => None,
    };
    Ok(state.desk().await.list_customers_among(&query, only).await?)
}

/// The connection in use.
pub async fn profile(_app: AppHandle, state: State<'_, AppState>) -> Result<ProfileView, ErrorView> {
    Ok(state.desk().await.profile())
}

/// Syncs now (full the first time, incremental after); progress arrives as events.
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncProgress, ErrorView> {
    run_sync(&app, &state.desk().await).await
}

/// One cached customer with its checklist, timeline and documents (works offline).
pub async fn customer_detail(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<CustomerDetail, ErrorView> {
    Ok(state.desk().await.customer_detail(&id).await?)
}

/// Re-reads one customer from the API; `true` if it changed. Offline, `false`.
pub async fn refresh_customer(_app: AppHandle, state: State<'_, AppState>, id: String) -> Result<bool, ErrorView> {
    Ok(state.desk().await.refresh_customer(&id).await?)
}

/// What the connection's provider can do and the forms it takes: the UI draws the
/// registration and correction forms, the detail's sections and actions from this.
pub async fn provider_spec(_app: AppHandle, state: State<'_, AppState>) -> Result<ProviderSpec, ErrorView> {
    Ok(state.desk().await.describe().clone())
}

/// What is wrong with a form's values (`register` or `correct`), field by field (live
/// validation; empty if it can be sent).
pub async fn validate_form(
    _app: AppHandle,
    state: State<'_, AppState>,
    form: String,
    values: FormValues,
) -> Result<Vec<FieldError>, ErrorView> {
    Ok(state.desk().await.validate(&form, &values)?)
}

/// A phone as typed into a form's field, read in its country (`11 99999-9999` in
/// Brazil): formatted for reading, or `None` when it is not a number there.
pub async fn read_phone(
    _app: AppHandle,
    state: State<'_, AppState>,
    form: String,
    field: String,
    values: FormValues,
) -> Result<Option<String>, ErrorView> {
    Ok(state.desk().await.read_phone(&form, &field, &values)?)
}

/// Registers a customer: created, already existed, refused (409 among them) or queued.
pub async fn register(_app: AppHandle, state: State<'_, AppState>, values: FormValues) -> Result<WriteView, ErrorView> {
    Ok(state.desk().await.register(values).await?.view(true))
}

/// Corrects a customer's data.
pub async fn correct(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    values: FormValues,
) -> Result<WriteView, ErrorView> {
    Ok(state.desk().await.correct(&id, values).await?.view(false))
}

/// Uploads a document. The body is the file's bytes; the headers `x-customer-id`,
/// `x-item-type` and `x-filename` (percent-encoded) say what it is. Progress arrives
/// as `upload-progress` events.
pub async fn upload_document(
    _app: AppHandle,
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<WriteView, ErrorView> {
    let header = |name: &str| raw_header(&request, name);
    let (customer, item, filename) = (header("x-customer-id")?, header("x-item-type")?, header("x-filename")?);
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorView::new("invalid", "the file's bytes are missing"));
    };
    // Checked, then sealed straight into the outbox: never written out in the clear.
    let result = state.desk().await.upload_bytes(&customer, &item, &filename, bytes.clone()).await?;
    Ok(result.view(false))
}

/// The percent-encoded header `name` of a raw-body request.
fn raw_header(request: &tauri::ipc::Request<'_>, name: &str) -> Result<String, ErrorView> {
    let v = request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ErrorView::new("invalid", format!("{name} is missing")))?;
    Ok(percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned())
}

/// Which fields of a form are in use and required, given what is typed.
pub async fn form_layout(
    _app: AppHandle,
    state: State<'_, AppState>,
    form: String,
    values: FormValues,
) -> Result<FormLayout, ErrorView> {
    Ok(state.desk().await.layout(&form, &values)?)
}

/// Checks a file dropped or picked into a form's file field and holds it (in memory)
/// for the form. The body is the file's bytes; `x-field` and `x-filename` say what it is.
pub async fn attach_file(
    _app: AppHandle,
    state: State<'_, AppState>,
    request: tauri::ipc::Request<'_>,
) -> Result<AttachedFileView, ErrorView> {
    let (field, filename) = (raw_header(&request, "x-field")?, raw_header(&request, "x-filename")?);
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorView::new("invalid", "the file's bytes are missing"));
    };
    Ok(state.desk().await.attach_file(&field, &filename, bytes.clone())?)
}

/// Lets go of a file attached to a form.
pub async fn detach_file(_app: AppHandle, state: State<'_, AppState>, id: String) -> Result<(), ErrorView> {
    state.desk().await.detach_file(&id);
    Ok(())
}

/// Creates a product for a customer (issues a card).
pub async fn create_product(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    kind: String,
    values: FormValues,
) -> Result<CreatedView, ErrorView> {
    Ok(state.desk().await.create_product(&id, &kind, values).await?)
}

/// Does an action (freeze, unfreeze, …) to a customer's product.
pub async fn product_action(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    product_id: String,
    action: String,
    reason: Option<String>,
) -> Result<(), ErrorView> {
    Ok(state.desk().await.product_action(&id, &product_id, &action, reason).await?)
}

/// More about one product, read live.
pub async fn product_detail(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    product_id: String,
) -> Result<ProductDetailView, ErrorView> {
    Ok(state.desk().await.product_detail(&id, &product_id).await?)
}

/// Runs the provider's identity check for a customer.
pub async fn identity_check(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    values: FormValues,
) -> Result<IdentityCheckView, ErrorView> {
    Ok(state.desk().await.identity_check(&id, values).await?)
}

/// The bytes of a document uploaded from this machine, for the viewer.
pub async fn document_bytes(
    _app: AppHandle,
    state: State<'_, AppState>,
    customer_id: String,
    document_id: String,
) -> Result<tauri::ipc::Response, ErrorView> {
    Ok(tauri::ipc::Response::new(state.desk().await.document_bytes(&customer_id, &document_id).await?))
}

/// The writes the API refused in the background, with why and what they were.
pub async fn refused_writes(
    _app: AppHandle,
    state: State<'_, AppState>,
) -> Result<Vec<kyc_core::outbox::RefusedWrite>, ErrorView> {
    Ok(state.desk().await.refused_writes().await?)
}

/// Takes a refused write out of the outbox.
pub async fn dismiss_write(_app: AppHandle, state: State<'_, AppState>, seq: u32) -> Result<(), ErrorView> {
    Ok(state.desk().await.dismiss_write(i64::from(seq)).await?)
}

/// A form's draft, kept in the profile's encrypted cache.
pub async fn load_draft(
    _app: AppHandle,
    state: State<'_, AppState>,
    kind: String,
) -> Result<Option<String>, ErrorView> {
    Ok(state.desk().await.draft(&kind).await?)
}

/// Keeps a form's draft in the profile's encrypted cache.
pub async fn save_draft(
    _app: AppHandle,
    state: State<'_, AppState>,
    kind: String,
    draft: String,
) -> Result<(), ErrorView> {
    Ok(state.desk().await.save_draft(&kind, &draft).await?)
}

/// Drops a form's draft.
pub async fn clear_draft(_app: AppHandle, state: State<'_, AppState>, kind: String) -> Result<(), ErrorView> {
    Ok(state.desk().await.clear_draft(&kind).await?)
}

/// Puts a refused write back in the queue and sends it again.
pub async fn retry_write(_app: AppHandle, state: State<'_, AppState>, seq: u32) -> Result<(), ErrorView> {
    state.desk().await.retry_write(i64::from(seq)).await?;
    Ok(())
}

/// Writes waiting and refused, for the toolbar at start (changes arrive as events).
pub async fn outbox_summary(
    _app: AppHandle,
    state: State<'_, AppState>,
) -> Result<kyc_core::events::OutboxSummary, ErrorView> {
    Ok(state.desk().await.outbox_summary().await?)
}

/// Says which customer the window shows (none: `null`); the core follows them while
/// something is pending and tells what changed, so the window never polls.
pub async fn watch_customer(_app: AppHandle, state: State<'_, AppState>, id: Option<String>) -> Result<(), ErrorView> {
    let desk = state.desk().await.clone();
    desk.watch(id.as_deref());
    // The identity documents a provider hosts are copied for the viewer (offline too).
    if let Some(id) = id {
        tauri::async_runtime::spawn(async move {
            if let Err(e) = desk.cache_hosted_documents(&id).await {
                tracing::warn!(code = %ErrorView::from(e).code, "could not copy the hosted documents");
            }
        });
    }
    Ok(())
}

/// Starts a biometric capture session.
pub async fn start_biometrics(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<BiometricsView, ErrorView> {
    Ok(state.desk().await.start_biometrics(&id).await?)
}

/// Opens a link in the system browser: `https`, or `http` on loopback (the built-in
/// sandbox). Never inside the app's window.
pub async fn open_external(app: AppHandle, _state: State<'_, AppState>, url: String) -> Result<(), ErrorView> {
    if !kyc_core::connectors::is_https_or_loopback(&url) {
        return Err(ErrorView::new("invalid", "only https links (or the local sandbox) are opened"));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| ErrorView::new("open_failed", format!("the system browser could not be opened: {e}")))
}

/// Shows a desktop notification (the UI words it in the user's language). Plain text:
/// on Linux, where notification servers read markup, `&`, `<` and `>` are escaped.
pub async fn notify_desktop(
    app: AppHandle,
    _state: State<'_, AppState>,
    title: String,
    body: String,
) -> Result<(), ErrorView> {
    use tauri_plugin_notification::NotificationExt;
    let plain = |s: &str, max: usize| {
        let s: String = s.chars().take(max).collect();
        if cfg!(target_os = "linux") { s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;") } else { s }
    };
    app.notification()
        .builder()
        .title(plain(&title, 120))
        .body(plain(&body, 400))
        .show()
        .map_err(|e| ErrorView::new("notification_failed", format!("the desktop notification failed: {e}")))
}

/// A customer's products after KYC: offers, cards, wallets (cached ones when offline).
pub async fn products(_app: AppHandle, state: State<'_, AppState>, id: String) -> Result<Vec<ProductView>, ErrorView> {
    Ok(state.desk().await.products(&id).await?.iter().map(ProductView::from).collect())
}

/// The connection profiles and which is in use.
pub async fn list_profiles(_app: AppHandle, state: State<'_, AppState>) -> Result<ProfilesView, ErrorView> {
    Ok({
        let p = state.profiles();
        ProfilesView {
            profiles: p.list().to_vec(),
            active_id: p.active().id.clone(),
            missing_secrets: p.missing_secrets(),
            providers: kyc_core::connectors::all(),
        }
    })
}

/// Checks a profile as typed (nothing is stored): one authenticated call. Editing a
/// profile (`id` given) without retyping its secret tests with the stored one.
pub async fn test_new_profile(
    _app: AppHandle,
    state: State<'_, AppState>,
    profile: NewProfile,
    id: Option<String>,
) -> Result<(), ErrorView> {
    let url = profile.resolved_url();
    if url.is_empty() {
        let e = kyc_core::model::FieldError::new("baseUrl", "required", "the API address is required");
        return Err(ErrorView::from(kyc_core::CoreError::from(e)));
    }
    let credentials = state.profiles().auth_to_test(id.as_deref(), &url, &profile.auth, &profile.secret)?;
    Ok(kyc_core::connectors::test_connection(&profile.provider, &url, &credentials).await?)
}

/// Saves a profile; its secret goes to the OS keychain and nowhere else.
pub async fn add_profile(
    _app: AppHandle,
    state: State<'_, AppState>,
    profile: NewProfile,
) -> Result<Profile, ErrorView> {
    let added = state.profiles().add(&profile)?;
    state.connections_changed();
    Ok(added)
}

/// Changes a profile in place (a new secret goes to the keychain; none typed keeps the
/// stored one). The profile in use is opened again with what changed.
pub async fn update_profile(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    profile: NewProfile,
) -> Result<Profile, ErrorView> {
    let (updated, in_use) = {
        let mut p = state.profiles();
        let updated = p.update(&id, &profile)?;
        (updated, p.active().id == id)
    };
    state.connections_changed();
    if in_use {
        switch_profile(app, state, id).await?;
    }
    Ok(updated)
}

/// Switches to another profile: its own cache, its own outbox; a sync starts at once.
pub async fn switch_profile(app: AppHandle, state: State<'_, AppState>, id: String) -> Result<ProfileView, ErrorView> {
    let (profile, credentials) = {
        let p = state.profiles();
        let profile = p
            .list()
            .iter()
            .find(|x| x.id == id)
            .cloned()
            .ok_or_else(|| ErrorView::new("profile_error", format!("no profile {id}")))?;
        let credentials = credentials(&p, &profile)?;
        (profile, credentials)
    };
    let opened = open_profile(credentials, &profile, &app).await?;
    opened.desk.set_recorder(state.workbench.recorder(&profile.id));
    opened.desk.set_author(state.workbench.author_source());
    let view = opened.desk.profile();
    // The old desk (and the built-in sandbox, if it was that) stops when dropped here.
    *state.active.write().await = opened;
    state.profiles().set_active(&id)?;
    state.connections_changed();
    events::PROFILE_CHANGED.emit(&app, &view);
    // Only now the first sync: what it reports is about the connection the window shows.
    state.active.write().await.begin();
    // Journaled after the window is told, so nothing delays the switch it shows.
    state.workbench.record(&profile.id, None, "profile", "switched").await;
    Ok(view)
}

/// Removes a profile with its keychain entry and its cache (not the one in use).
pub async fn remove_profile(_app: AppHandle, state: State<'_, AppState>, id: String) -> Result<(), ErrorView> {
    if state.profiles().active().id == id {
        return Err(ErrorView::new("profile_error", "switch to another connection before removing this one"));
    }
    // Its cache is closed first: an open file cannot be deleted on Windows.
    state.fleet.forget(&id).await;
    state.profiles().remove(&id)?;
    state.connections_changed();
    Ok(())
}

/// A customer's notes, oldest first.
pub async fn customer_notes(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<NoteView>, ErrorView> {
    Ok(state.workbench.notes(&state.profile_id().await, &id).await?)
}

/// Adds a note to a customer (plain text).
pub async fn add_note(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    body: String,
) -> Result<NoteView, ErrorView> {
    Ok(state.workbench.add_note(&state.profile_id().await, &id, &body).await?)
}

/// Changes a note of one's own, within 5 minutes of writing it.
pub async fn edit_note(
    _app: AppHandle,
    state: State<'_, AppState>,
    note_id: i64,
    body: String,
) -> Result<NoteView, ErrorView> {
    Ok(state.workbench.edit_note(&state.profile_id().await, note_id, &body).await?)
}

/// Every tag.
pub async fn tags(_app: AppHandle, state: State<'_, AppState>) -> Result<Vec<TagView>, ErrorView> {
    Ok(state.workbench.tags().await?)
}

/// Creates a tag.
pub async fn create_tag(
    _app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    colour: String,
) -> Result<TagView, ErrorView> {
    Ok(state.workbench.create_tag(&state.profile_id().await, &name, &colour).await?)
}

/// Renames or recolours a tag.
pub async fn update_tag(
    _app: AppHandle,
    state: State<'_, AppState>,
    tag_id: i64,
    name: String,
    colour: String,
) -> Result<TagView, ErrorView> {
    Ok(state.workbench.update_tag(&state.profile_id().await, tag_id, &name, &colour).await?)
}

/// A customer's tags.
pub async fn customer_tags(_app: AppHandle, state: State<'_, AppState>, id: String) -> Result<Vec<TagView>, ErrorView> {
    Ok(state.workbench.tags_of(&state.profile_id().await, &id).await?)
}

/// Puts a tag on customers; how many were added.
pub async fn tag_customers(
    _app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<String>,
    tag_id: i64,
    profile_id: Option<String>,
) -> Result<u32, ErrorView> {
    // Rows of another connection (in the list across connections) are tagged there.
    let profile = match profile_id {
        Some(p) => p,
        None => state.profile_id().await,
    };
    let added = state.workbench.tag(&profile, &ids, tag_id).await?;
    Ok(u32::try_from(added).unwrap_or(u32::MAX))
}

/// Takes a tag off a customer.
pub async fn untag_customer(
    _app: AppHandle,
    state: State<'_, AppState>,
    id: String,
    tag_id: i64,
) -> Result<(), ErrorView> {
    Ok(state.workbench.untag(&state.profile_id().await, &id, tag_id).await?)
}

/// Checks the journal for edited, removed or reordered entries.
pub async fn verify_journal(_app: AppHandle, state: State<'_, AppState>) -> Result<JournalCheck, ErrorView> {
    Ok(state.workbench.verify_journal().await?)
}

/// Every saved view, by name.
pub async fn saved_views(_app: AppHandle, state: State<'_, AppState>) -> Result<Vec<SavedViewView>, ErrorView> {
    Ok(state.workbench.views().await?)
}

/// Saves the list's search, filters and sort under a name (replacing one of that name).
pub async fn save_view(
    _app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    query: CustomerListQuery,
) -> Result<SavedViewView, ErrorView> {
    Ok(state.workbench.save_view(&name, &query).await?)
}

/// Deletes a saved view.
pub async fn delete_view(_app: AppHandle, state: State<'_, AppState>, view_id: i64) -> Result<(), ErrorView> {
    Ok(state.workbench.delete_view(view_id).await?)
}

/// The fact keeping how long a review may take before the queue lists it.
const REVIEW_HOURS: &str = "queue_review_hours";

/// How long a review may take before the work queue lists it, in hours (24 unless set).
async fn review_hours(state: &AppState) -> Result<u32, ErrorView> {
    Ok(state.workbench.fact(REVIEW_HOURS).await?.and_then(|h| h.parse().ok()).unwrap_or(24))
}

/// The work queue across every connection: who waits on the partner, why, since when,
/// narrowed by `filter` (reason, providers, tag), with the counts.
pub async fn work_queue(
    _app: AppHandle,
    state: State<'_, AppState>,
    filter: QueueFilter,
) -> Result<QueuePage, ErrorView> {
    let hours = review_hours(&state).await?;
    let everywhere = CustomerListQuery { everywhere: true, tag: filter.tag, ..CustomerListQuery::default() };
    let parts = crate::across::parts(&state, &everywhere).await?;
    Ok(state.fleet.queue(&parts, hours, &filter).await?)
}

/// How long a review may take before the work queue lists it, in hours.
pub async fn review_threshold(_app: AppHandle, state: State<'_, AppState>) -> Result<u32, ErrorView> {
    review_hours(&state).await
}

/// Sets how long a review may take before the work queue lists it (1 to 720 hours).
pub async fn set_review_threshold(_app: AppHandle, state: State<'_, AppState>, hours: u32) -> Result<(), ErrorView> {
    if !(1..=720).contains(&hours) {
        return Err(ErrorView::new("invalid", "hours must be between 1 and 720"));
    }
    Ok(state.workbench.set_fact(REVIEW_HOURS, &hours.to_string()).await?)
}

/// Who is at the desk (for notes, the journal and the history).
pub async fn author(_app: AppHandle, state: State<'_, AppState>) -> Result<String, ErrorView> {
    Ok(state.workbench.author())
}

/// Sets the name notes, the journal and the history carry (empty: the OS user's).
pub async fn set_author(_app: AppHandle, state: State<'_, AppState>, name: String) -> Result<String, ErrorView> {
    Ok(state.workbench.set_author(&name).await?)
}
