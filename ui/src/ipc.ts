// The one place the UI talks to Rust. Payload types are generated from Rust by ts-rs
// (src/bindings, `cargo xtask bindings`); command and event names match src-tauri.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { BiometricsView } from "./bindings/BiometricsView";
import type { CoreEvent } from "./bindings/CoreEvent";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { CustomerListQuery } from "./bindings/CustomerListQuery";
import type { CustomerPage } from "./bindings/CustomerPage";
import type { ErrorView } from "./bindings/ErrorView";
import type { FieldError } from "./bindings/FieldError";
import type { Notice } from "./bindings/Notice";
import type { NewProfile } from "./bindings/NewProfile";
import type { FormValues } from "./bindings/FormValues";
import type { ProductView } from "./bindings/ProductView";
import type { ProviderSpec } from "./bindings/ProviderSpec";
import type { OutboxSummary } from "./bindings/OutboxSummary";
import type { Profile } from "./bindings/Profile";
import type { ProfilesView } from "./bindings/ProfilesView";
import type { ProfileView } from "./bindings/ProfileView";
import type { RefusedWrite } from "./bindings/RefusedWrite";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { WriteView } from "./bindings/WriteView";

export type {
  BiometricsView,
  CustomerDetail,
  CustomerListQuery,
  CustomerPage,
  ErrorView,
  FieldError,
  NewProfile,
  Notice,
  FormValues,
  ProductView,
  ProviderSpec,
  OutboxSummary,
  Profile,
  ProfileView,
  RefusedWrite,
  SyncProgress,
  WriteView,
};

export type UploadProgress = Extract<CoreEvent, { type: "uploadProgress" }>;
export type BackgroundState = Extract<CoreEvent, { type: "background" }>;

export const commands = {
  listCustomers: (query: CustomerListQuery) => invoke<CustomerPage>("list_customers", { query }),
  profile: () => invoke<ProfileView>("profile"),
  syncNow: () => invoke<SyncProgress>("sync_now"),
  customerDetail: (id: string) => invoke<CustomerDetail>("customer_detail", { id }),
  refreshCustomer: (id: string) => invoke<boolean>("refresh_customer", { id }),
  /** What the provider can do and its forms, as declared in Rust. */
  providerSpec: () => invoke<ProviderSpec>("provider_spec"),
  validateForm: (form: "register" | "correct", values: FormValues) =>
    invoke<FieldError[]>("validate_form", { form, values }),
  /** A phone as typed in a form's field, read in its country: how it will be sent, or null. */
  readPhone: (form: "register" | "correct", field: string, values: FormValues) =>
    invoke<string | null>("read_phone", { form, field, values }),
  register: (values: FormValues) => invoke<WriteView>("register", { values }),
  correct: (id: string, values: FormValues) => invoke<WriteView>("correct", { id, values }),
  /** Sends the file's bytes as the request body (no JSON, no base64). */
  uploadDocument: async (customerId: string, itemType: string, file: File) =>
    invoke<WriteView>("upload_document", new Uint8Array(await file.arrayBuffer()), {
      headers: {
        "x-customer-id": encodeURIComponent(customerId),
        "x-item-type": encodeURIComponent(itemType),
        "x-filename": encodeURIComponent(file.name),
      },
    }),
  refusedWrites: () => invoke<RefusedWrite[]>("refused_writes"),
  dismissWrite: (seq: number) => invoke<null>("dismiss_write", { seq }),
  retryWrite: (seq: number) => invoke<null>("retry_write", { seq }),
  /** Form drafts live in the profile's encrypted cache, not in the webview's storage. */
  loadDraft: (kind: "register") => invoke<string | null>("load_draft", { kind }),
  saveDraft: (kind: "register", draft: string) => invoke<null>("save_draft", { kind, draft }),
  clearDraft: (kind: "register") => invoke<null>("clear_draft", { kind }),
  outboxSummary: () => invoke<OutboxSummary>("outbox_summary"),
  documentBytes: (customerId: string, documentId: string) =>
    invoke<ArrayBuffer>("document_bytes", { customerId, documentId }),
  startBiometrics: (id: string) => invoke<BiometricsView>("start_biometrics", { id }),
  /** The customer the window shows: the core follows them and tells what changed. */
  watchCustomer: (id: string | null) => invoke<null>("watch_customer", { id }),
  openExternal: (url: string) => invoke<null>("open_external", { url }),
  notifyDesktop: (title: string, body: string) => invoke<null>("notify_desktop", { title, body }),
  products: (id: string) => invoke<ProductView[]>("products", { id }),
  listProfiles: () => invoke<ProfilesView>("list_profiles"),
  /** `id`: the profile being edited, whose stored secret is used when none is typed. */
  testNewProfile: (profile: NewProfile, id: string | null = null) => invoke<null>("test_new_profile", { profile, id }),
  addProfile: (profile: NewProfile) => invoke<Profile>("add_profile", { profile }),
  updateProfile: (id: string, profile: NewProfile) => invoke<Profile>("update_profile", { id, profile }),
  switchProfile: (id: string) => invoke<ProfileView>("switch_profile", { id }),
  removeProfile: (id: string) => invoke<null>("remove_profile", { id }),
};

type EventPayloads = {
  "sync-progress": SyncProgress;
  "sync-failed": ErrorView;
  "customers-changed": string[];
  "outbox-changed": OutboxSummary;
  "upload-progress": UploadProgress;
  "profile-changed": ProfileView;
  notices: Notice[];
  connectivity: boolean;
  "credentials-refused": ErrorView;
  background: BackgroundState;
};

export function on<E extends keyof EventPayloads>(
  event: E,
  handler: (payload: EventPayloads[E]) => void,
): Promise<UnlistenFn> {
  return listen<EventPayloads[E]>(event, (e) => handler(e.payload));
}

/** Whatever a command rejected with, as an ErrorView. */
export function toErrorView(e: unknown): ErrorView {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const v = e as Partial<ErrorView>;
    return {
      code: String(v.code),
      message: String(v.message),
      fieldErrors: v.fieldErrors ?? [],
      requestId: v.requestId ?? null,
      status: v.status ?? null,
    };
  }
  return { code: "unexpected", message: String(e), fieldErrors: [], requestId: null, status: null };
}
