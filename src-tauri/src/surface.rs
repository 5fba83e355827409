// The window's IPC surface, declared once: every command (its arguments and what it
// returns) and every event (its name and payload). Included by `build.rs` (the app
// manifest's command list) and by `ipc.rs` (the Tauri handlers, typed events and the
// TypeScript the UI calls, `ui/src/bindings/ipc.ts`). A command here is implemented
// by the function of the same name in `commands.rs`, which receives the app handle and
// state first; a mismatch does not compile.
//
// `as "…"`: the TypeScript type, where the Rust one is not a generated binding.

macro_rules! with_ipc_surface {
    ($then:ident) => {
        $then! {
            commands {
                /// A page of cached customers, searched and filtered (works offline).
                list_customers(query: CustomerListQuery) -> CustomerPage;
                /// The connection in use.
                profile() -> ProfileView;
                /// Syncs now (full the first time, incremental after); progress arrives as events.
                sync_now() -> SyncProgress;
                /// One cached customer with its checklist, timeline, documents and products (works offline).
                customer_detail(id: String) -> CustomerDetail;
                /// Re-reads one customer from the API; `true` if it changed. Offline, `false`.
                refresh_customer(id: String) -> bool;
                /// What the connection's provider can do and the forms it takes.
                provider_spec() -> ProviderSpec;
                /// What is wrong with a form's values (`register` or `correct`), field by field.
                validate_form(form: String, values: FormValues) -> Vec<FieldError>;
                /// Which fields of a form are in use and required, given what is typed.
                form_layout(form: String, values: FormValues) -> FormLayout;
                /// A phone as typed into a form's field, read in its country: formatted, or null.
                read_phone(form: String, field: String, values: FormValues) -> Option<String>;
                /// Registers a customer: created, already existed, refused or queued.
                register(values: FormValues) -> WriteView;
                /// Corrects a customer's data.
                correct(id: String, values: FormValues) -> WriteView;
                /// Uploads a document: the file's bytes as the body; headers `x-customer-id`,
                /// `x-item-type` and `x-filename` (percent-encoded) say what it is.
                upload_document(request: tauri::ipc::Request<'_> as "RawBody") -> WriteView;
                /// Checks a file dropped or picked into a form's file field and holds it for the form:
                /// the body is the file's bytes; headers `x-field` and `x-filename` (percent-encoded).
                attach_file(request: tauri::ipc::Request<'_> as "RawBody") -> AttachedFileView;
                /// Lets go of a file attached to a form (removed from it).
                detach_file(id: String) -> ();
                /// Creates a product for a customer (issues a card) from its create form's values.
                create_product(id: String, kind: String, values: FormValues) -> CreatedView;
                /// Does an action (freeze, unfreeze, …) to a customer's product, with a reason where it takes one.
                product_action(id: String, product_id: String, action: String, reason: Option<String>) -> ();
                /// More about one product, read live (payment methods, recent movements, events).
                product_detail(id: String, product_id: String) -> ProductDetailView;
                /// Runs the provider's identity check (a BVN lookup) for a customer: the record beside what they declared.
                identity_check(id: String, values: FormValues) -> IdentityCheckView;
                /// The bytes of a document uploaded from this machine, for the viewer.
                document_bytes(customer_id: String, document_id: String) -> tauri::ipc::Response as "ArrayBuffer";
                /// The writes the API refused in the background, with why and what they were.
                refused_writes() -> Vec<RefusedWrite>;
                /// Takes a refused write out of the outbox.
                dismiss_write(seq: u32) -> ();
                /// A form's draft, kept in the profile's encrypted cache.
                load_draft(kind: String) -> Option<String>;
                /// Keeps a form's draft in the profile's encrypted cache.
                save_draft(kind: String, draft: String) -> ();
                /// Drops a form's draft.
                clear_draft(kind: String) -> ();
                /// Puts a refused write back in the queue and sends it again.
                retry_write(seq: u32) -> ();
                /// Writes waiting and refused (changes arrive as events).
                outbox_summary() -> OutboxSummary;
                /// The customer the window shows (none: null): the core follows them and tells what changed.
                watch_customer(id: Option<String>) -> ();
                /// Starts a biometric capture session.
                start_biometrics(id: String) -> BiometricsView;
                /// Opens an https link (or the local sandbox's) in the system browser.
                open_external(url: String) -> ();
                /// Shows a desktop notification (plain text).
                notify_desktop(title: String, body: String) -> ();
                /// A customer's products after KYC (cached ones when offline).
                products(id: String) -> Vec<ProductView>;
                /// The connection profiles, the one in use and the providers.
                list_profiles() -> ProfilesView;
                /// Checks a profile as typed (nothing is stored); editing (`id`), the stored secret is used.
                test_new_profile(profile: NewProfile, id: Option<String>) -> ();
                /// Saves a profile; its secret goes to the OS keychain and nowhere else.
                add_profile(profile: NewProfile) -> Profile;
                /// Changes a profile in place; the profile in use is opened again.
                update_profile(id: String, profile: NewProfile) -> Profile;
                /// Switches to another profile; a sync starts at once.
                switch_profile(id: String) -> ProfileView;
                /// Removes a profile with its keychain entry and its cache (not the one in use).
                remove_profile(id: String) -> ();
                /// A customer's notes, oldest first.
                customer_notes(id: String) -> Vec<NoteView>;
                /// Adds a note to a customer (plain text).
                add_note(id: String, body: String) -> NoteView;
                /// Changes a note of one's own, within 5 minutes of writing it.
                edit_note(note_id: i64 as "number", body: String) -> NoteView;
                /// Every tag.
                tags() -> Vec<TagView>;
                /// Creates a tag.
                create_tag(name: String, colour: String) -> TagView;
                /// Renames or recolours a tag.
                update_tag(tag_id: i64 as "number", name: String, colour: String) -> TagView;
                /// A customer's tags.
                customer_tags(id: String) -> Vec<TagView>;
                /// Puts a tag on customers; how many were added.
                tag_customers(ids: Vec<String>, tag_id: i64 as "number", profile_id: Option<String>) -> u32;
                /// Takes a tag off a customer.
                untag_customer(id: String, tag_id: i64 as "number") -> ();
                /// Checks the journal for edited, removed or reordered entries.
                verify_journal() -> JournalCheck;
                /// Every saved view, by name.
                saved_views() -> Vec<SavedViewView>;
                /// Saves the list's search, filters and sort under a name (replacing one of that name).
                save_view(name: String, query: CustomerListQuery) -> SavedViewView;
                /// Deletes a saved view.
                delete_view(view_id: i64 as "number") -> ();
                /// Who is at the desk (for notes, the journal and the history).
                author() -> String;
                /// Sets the name notes, the journal and the history carry (empty: the OS user's).
                set_author(name: String) -> String;
                /// The work queue of the connection in use: who waits on the partner, why, since when.
                work_queue(filter: QueueFilter) -> QueuePage;
                /// How long a review may take before the work queue lists it, in hours.
                review_threshold() -> u32;
                /// Sets how long a review may take before the work queue lists it (1 to 720 hours).
                set_review_threshold(hours: u32) -> ();
                export_csv(job: String, query: CustomerListQuery, rows: Option<Vec<RowRef>>) -> ExportDone;
                cancel_job(job: String) -> bool;
                view_ids(query: CustomerListQuery) -> Vec<RowRef>;
                refresh_customers(job: String, rows: Vec<RowRef>) -> BulkDone;
                reveal_export(path: String) -> ();
                case_report(id: String, lang: String) -> ExportDone;
                journal_export() -> ExportDone;
            }
            events {
                /// After every synced page.
                SYNC_PROGRESS = "sync-progress": SyncProgress;
                /// A background sync failed.
                SYNC_FAILED = "sync-failed": ErrorView;
                /// Customers that changed, as the list shows them (read from the cache after the change).
                CUSTOMERS_CHANGED = "customers-changed": Vec<CustomerRow>;
                /// The customer the window shows changed: all the detail screen shows of them.
                CUSTOMER_DETAIL = "customer-detail": CustomerDetail;
                /// Writes pending and failed.
                OUTBOX_CHANGED = "outbox-changed": OutboxSummary;
                /// `true` when the API answers again, `false` when it stopped answering.
                CONNECTIVITY = "connectivity": bool;
                /// Bytes of an upload sent so far.
                UPLOAD_PROGRESS = "upload-progress": CoreEvent as "Extract<CoreEvent, { type: \"uploadProgress\" }>";
                /// Customers approved, items rejected: shown, and worded as desktop notifications.
                NOTICES = "notices": Vec<Notice>;
                /// Another connection is in use: re-read everything.
                PROFILE_CHANGED = "profile-changed": ProfileView;
                /// The API refused the connection's credentials while sending queued writes.
                CREDENTIALS_REFUSED = "credentials-refused": ErrorView;
                /// How far an export or a bulk re-read has got (by the job's name).
                JOB_PROGRESS = "job-progress": JobProgress;
                /// Background rounds are failing (and when they run again), or run normally again.
                BACKGROUND = "background": CoreEvent as "Extract<CoreEvent, { type: \"background\" }>";
            }
        }
    };
}
