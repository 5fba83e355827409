// Generated from src-tauri/src/surface.rs by `cargo xtask bindings`: never edit by hand.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AttachedFileView } from "./AttachedFileView";
import type { BiometricsView } from "./BiometricsView";
import type { BulkDone } from "./BulkDone";
import type { CoreEvent } from "./CoreEvent";
import type { CreatedView } from "./CreatedView";
import type { CustomerDetail } from "./CustomerDetail";
import type { CustomerListQuery } from "./CustomerListQuery";
import type { CustomerPage } from "./CustomerPage";
import type { CustomerRow } from "./CustomerRow";
import type { ErrorView } from "./ErrorView";
import type { ExportDone } from "./ExportDone";
import type { FieldError } from "./FieldError";
import type { FormLayout } from "./FormLayout";
import type { FormValues } from "./FormValues";
import type { IdentityCheckView } from "./IdentityCheckView";
import type { JobProgress } from "./JobProgress";
import type { JournalCheck } from "./JournalCheck";
import type { NewProfile } from "./NewProfile";
import type { NoteView } from "./NoteView";
import type { Notice } from "./Notice";
import type { OutboxSummary } from "./OutboxSummary";
import type { ProductDetailView } from "./ProductDetailView";
import type { ProductView } from "./ProductView";
import type { Profile } from "./Profile";
import type { ProfileView } from "./ProfileView";
import type { ProfilesView } from "./ProfilesView";
import type { ProviderSpec } from "./ProviderSpec";
import type { QueueFilter } from "./QueueFilter";
import type { QueuePage } from "./QueuePage";
import type { RefusedWrite } from "./RefusedWrite";
import type { RowRef } from "./RowRef";
import type { SavedViewView } from "./SavedViewView";
import type { SyncProgress } from "./SyncProgress";
import type { TagView } from "./TagView";
import type { WriteView } from "./WriteView";

/** Every command of the shell, typed as Rust declares it. */
export const commands = {
  /**
   * A page of cached customers, searched and filtered (works offline).
   */
  listCustomers: (query: CustomerListQuery) => invoke<CustomerPage>("list_customers", { query }),
  /**
   * The connection in use.
   */
  profile: () => invoke<ProfileView>("profile"),
  /**
   * Syncs now (full the first time, incremental after); progress arrives as events.
   */
  syncNow: () => invoke<SyncProgress>("sync_now"),
  /**
   * One cached customer with its checklist, timeline, documents and products (works offline).
   */
  customerDetail: (id: string) => invoke<CustomerDetail>("customer_detail", { id }),
  /**
   * Re-reads one customer from the API; `true` if it changed. Offline, `false`.
   */
  refreshCustomer: (id: string) => invoke<boolean>("refresh_customer", { id }),
  /**
   * What the connection's provider can do and the forms it takes.
   */
  providerSpec: () => invoke<ProviderSpec>("provider_spec"),
  /**
   * What is wrong with a form's values (`register` or `correct`), field by field.
   */
  validateForm: (form: string, values: FormValues) => invoke<Array<FieldError>>("validate_form", { form, values }),
  /**
   * Which fields of a form are in use and required, given what is typed.
   */
  formLayout: (form: string, values: FormValues) => invoke<FormLayout>("form_layout", { form, values }),
  /**
   * A phone as typed into a form's field, read in its country: formatted, or null.
   */
  readPhone: (form: string, field: string, values: FormValues) => invoke<string | null>("read_phone", { form, field, values }),
  /**
   * Registers a customer: created, already existed, refused or queued.
   */
  register: (values: FormValues) => invoke<WriteView>("register", { values }),
  /**
   * Corrects a customer's data.
   */
  correct: (id: string, values: FormValues) => invoke<WriteView>("correct", { id, values }),
  /**
   * Uploads a document: the file's bytes as the body; headers `x-customer-id`,
   * `x-item-type` and `x-filename` (percent-encoded) say what it is.
   */
  uploadDocument: (body: Uint8Array, headers: Record<string, string>) =>
    invoke<WriteView>("upload_document", body, { headers }),
  /**
   * Checks a file dropped or picked into a form's file field and holds it for the form:
   * the body is the file's bytes; headers `x-field` and `x-filename` (percent-encoded).
   */
  attachFile: (body: Uint8Array, headers: Record<string, string>) =>
    invoke<AttachedFileView>("attach_file", body, { headers }),
  /**
   * Lets go of a file attached to a form (removed from it).
   */
  detachFile: (id: string) => invoke<null>("detach_file", { id }),
  /**
   * Creates a product for a customer (issues a card) from its create form's values.
   */
  createProduct: (id: string, kind: string, values: FormValues) => invoke<CreatedView>("create_product", { id, kind, values }),
  /**
   * Does an action (freeze, unfreeze, …) to a customer's product, with a reason where it takes one.
   */
  productAction: (id: string, productId: string, action: string, reason: string | null) => invoke<null>("product_action", { id, productId, action, reason }),
  /**
   * More about one product, read live (payment methods, recent movements, events).
   */
  productDetail: (id: string, productId: string) => invoke<ProductDetailView>("product_detail", { id, productId }),
  /**
   * Runs the provider's identity check (a BVN lookup) for a customer: the record beside what they declared.
   */
  identityCheck: (id: string, values: FormValues) => invoke<IdentityCheckView>("identity_check", { id, values }),
  /**
   * The bytes of a document uploaded from this machine, for the viewer.
   */
  documentBytes: (customerId: string, documentId: string) => invoke<ArrayBuffer>("document_bytes", { customerId, documentId }),
  /**
   * The writes the API refused in the background, with why and what they were.
   */
  refusedWrites: () => invoke<Array<RefusedWrite>>("refused_writes"),
  /**
   * Takes a refused write out of the outbox.
   */
  dismissWrite: (seq: number) => invoke<null>("dismiss_write", { seq }),
  /**
   * A form's draft, kept in the profile's encrypted cache.
   */
  loadDraft: (kind: string) => invoke<string | null>("load_draft", { kind }),
  /**
   * Keeps a form's draft in the profile's encrypted cache.
   */
  saveDraft: (kind: string, draft: string) => invoke<null>("save_draft", { kind, draft }),
  /**
   * Drops a form's draft.
   */
  clearDraft: (kind: string) => invoke<null>("clear_draft", { kind }),
  /**
   * Puts a refused write back in the queue and sends it again.
   */
  retryWrite: (seq: number) => invoke<null>("retry_write", { seq }),
  /**
   * Writes waiting and refused (changes arrive as events).
   */
  outboxSummary: () => invoke<OutboxSummary>("outbox_summary"),
  /**
   * The customer the window shows (none: null): the core follows them and tells what changed.
   */
  watchCustomer: (id: string | null) => invoke<null>("watch_customer", { id }),
  /**
   * Starts a biometric capture session.
   */
  startBiometrics: (id: string) => invoke<BiometricsView>("start_biometrics", { id }),
  /**
   * Opens an https link (or the local sandbox's) in the system browser.
   */
  openExternal: (url: string) => invoke<null>("open_external", { url }),
  /**
   * Shows a desktop notification (plain text).
   */
  notifyDesktop: (title: string, body: string) => invoke<null>("notify_desktop", { title, body }),
  /**
   * A customer's products after KYC (cached ones when offline).
   */
  products: (id: string) => invoke<Array<ProductView>>("products", { id }),
  /**
   * The connection profiles, the one in use and the providers.
   */
  listProfiles: () => invoke<ProfilesView>("list_profiles"),
  /**
   * Checks a profile as typed (nothing is stored); editing (`id`), the stored secret is used.
   */
  testNewProfile: (profile: NewProfile, id: string | null) => invoke<null>("test_new_profile", { profile, id }),
  /**
   * Saves a profile; its secret goes to the OS keychain and nowhere else.
   */
  addProfile: (profile: NewProfile) => invoke<Profile>("add_profile", { profile }),
  /**
   * Changes a profile in place; the profile in use is opened again.
   */
  updateProfile: (id: string, profile: NewProfile) => invoke<Profile>("update_profile", { id, profile }),
  /**
   * Switches to another profile; a sync starts at once.
   */
  switchProfile: (id: string) => invoke<ProfileView>("switch_profile", { id }),
  /**
   * Removes a profile with its keychain entry and its cache (not the one in use).
   */
  removeProfile: (id: string) => invoke<null>("remove_profile", { id }),
  /**
   * A customer's notes, oldest first.
   */
  customerNotes: (id: string) => invoke<Array<NoteView>>("customer_notes", { id }),
  /**
   * Adds a note to a customer (plain text).
   */
  addNote: (id: string, body: string) => invoke<NoteView>("add_note", { id, body }),
  /**
   * Changes a note of one's own, within 5 minutes of writing it.
   */
  editNote: (noteId: number, body: string) => invoke<NoteView>("edit_note", { noteId, body }),
  /**
   * Every tag.
   */
  tags: () => invoke<Array<TagView>>("tags"),
  /**
   * Creates a tag.
   */
  createTag: (name: string, colour: string) => invoke<TagView>("create_tag", { name, colour }),
  /**
   * Renames or recolours a tag.
   */
  updateTag: (tagId: number, name: string, colour: string) => invoke<TagView>("update_tag", { tagId, name, colour }),
  /**
   * A customer's tags.
   */
  customerTags: (id: string) => invoke<Array<TagView>>("customer_tags", { id }),
  /**
   * Puts a tag on customers; how many were added.
   */
  tagCustomers: (ids: Array<string>, tagId: number, profileId: string | null) => invoke<number>("tag_customers", { ids, tagId, profileId }),
  /**
   * Takes a tag off a customer.
   */
  untagCustomer: (id: string, tagId: number) => invoke<null>("untag_customer", { id, tagId }),
  /**
   * Checks the journal for edited, removed or reordered entries.
   */
  verifyJournal: () => invoke<JournalCheck>("verify_journal"),
  /**
   * Every saved view, by name.
   */
  savedViews: () => invoke<Array<SavedViewView>>("saved_views"),
  /**
   * Saves the list's search, filters and sort under a name (replacing one of that name).
   */
  saveView: (name: string, query: CustomerListQuery) => invoke<SavedViewView>("save_view", { name, query }),
  /**
   * Deletes a saved view.
   */
  deleteView: (viewId: number) => invoke<null>("delete_view", { viewId }),
  /**
   * Who is at the desk (for notes, the journal and the history).
   */
  author: () => invoke<string>("author"),
  /**
   * Sets the name notes, the journal and the history carry (empty: the OS user's).
   */
  setAuthor: (name: string) => invoke<string>("set_author", { name }),
  /**
   * The work queue of the connection in use: who waits on the partner, why, since when.
   */
  workQueue: (filter: QueueFilter) => invoke<QueuePage>("work_queue", { filter }),
  /**
   * How long a review may take before the work queue lists it, in hours.
   */
  reviewThreshold: () => invoke<number>("review_threshold"),
  /**
   * Sets how long a review may take before the work queue lists it (1 to 720 hours).
   */
  setReviewThreshold: (hours: number) => invoke<null>("set_review_threshold", { hours }),
  exportCsv: (job: string, query: CustomerListQuery, rows: Array<RowRef> | null) => invoke<ExportDone>("export_csv", { job, query, rows }),
  cancelJob: (job: string) => invoke<boolean>("cancel_job", { job }),
  viewIds: (query: CustomerListQuery) => invoke<Array<RowRef>>("view_ids", { query }),
  refreshCustomers: (job: string, rows: Array<RowRef>) => invoke<BulkDone>("refresh_customers", { job, rows }),
  revealExport: (path: string) => invoke<null>("reveal_export", { path }),
  caseReport: (id: string, lang: string) => invoke<ExportDone>("case_report", { id, lang }),
  journalExport: () => invoke<ExportDone>("journal_export"),
};

/** Every event of the shell, with its payload. */
export type EventPayloads = {
  /**
   * After every synced page.
   */
  "sync-progress": SyncProgress;
  /**
   * A background sync failed.
   */
  "sync-failed": ErrorView;
  /**
   * Customers that changed, as the list shows them (read from the cache after the change).
   */
  "customers-changed": Array<CustomerRow>;
  /**
   * The customer the window shows changed: all the detail screen shows of them.
   */
  "customer-detail": CustomerDetail;
  /**
   * Writes pending and failed.
   */
  "outbox-changed": OutboxSummary;
  /**
   * `true` when the API answers again, `false` when it stopped answering.
   */
  "connectivity": boolean;
  /**
   * Bytes of an upload sent so far.
   */
  "upload-progress": Extract<CoreEvent, { type: "uploadProgress" }>;
  /**
   * Customers approved, items rejected: shown, and worded as desktop notifications.
   */
  "notices": Array<Notice>;
  /**
   * Another connection is in use: re-read everything.
   */
  "profile-changed": ProfileView;
  /**
   * The API refused the connection's credentials while sending queued writes.
   */
  "credentials-refused": ErrorView;
  /**
   * How far an export or a bulk re-read has got (by the job's name).
   */
  "job-progress": JobProgress;
  /**
   * Background rounds are failing (and when they run again), or run normally again.
   */
  "background": Extract<CoreEvent, { type: "background" }>;
};

/** The events' names, to listen with `on`. */
export const events = {
  syncProgress: "sync-progress",
  syncFailed: "sync-failed",
  customersChanged: "customers-changed",
  customerDetail: "customer-detail",
  outboxChanged: "outbox-changed",
  connectivity: "connectivity",
  uploadProgress: "upload-progress",
  notices: "notices",
  profileChanged: "profile-changed",
  credentialsRefused: "credentials-refused",
  jobProgress: "job-progress",
  background: "background",
} as const;

/** Listens to an event of the shell. */
export function on<E extends keyof EventPayloads>(
  event: E,
  handler: (payload: EventPayloads[E]) => void,
): Promise<UnlistenFn> {
  return listen<EventPayloads[E]>(event, (e) => handler(e.payload));
}
