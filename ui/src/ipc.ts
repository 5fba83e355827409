// The one place the UI talks to Rust. Commands, events and their payload types are all
// generated from Rust (src/bindings, `cargo xtask bindings`): no command or event name
// is written here.
import { commands as generated, events, on } from "./bindings/ipc";
import type { AttachedFileView } from "./bindings/AttachedFileView";
import type { BiometricsView } from "./bindings/BiometricsView";
import type { CreatedView } from "./bindings/CreatedView";
import type { FormLayout } from "./bindings/FormLayout";
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
import type { ProfileView } from "./bindings/ProfileView";
import type { RefusedWrite } from "./bindings/RefusedWrite";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { WriteView } from "./bindings/WriteView";

export type {
  AttachedFileView,
  BiometricsView,
  CreatedView,
  FormLayout,
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

/**
 * The shell's commands, generated from Rust (`src/bindings/ipc.ts`), with the few
 * conveniences screens share: an upload from a `File`.
 */
export const commands = {
  ...generated,
  /** Sends the file's bytes as the request body (no JSON, no base64). */
  uploadDocument: async (customerId: string, itemType: string, file: File) =>
    generated.uploadDocument(new Uint8Array(await file.arrayBuffer()), {
      "x-customer-id": encodeURIComponent(customerId),
      "x-item-type": encodeURIComponent(itemType),
      "x-filename": encodeURIComponent(file.name),
    }),
  /** Attaches a file to a form's file field: Rust checks it and holds it for the form. */
  attachFile: async (field: string, file: File) =>
    generated.attachFile(new Uint8Array(await file.arrayBuffer()), {
      "x-field": encodeURIComponent(field),
      "x-filename": encodeURIComponent(file.name),
    }),
};

export { events, on };

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
