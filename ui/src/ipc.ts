// The one place the UI talks to Rust. Payload types are generated from Rust by ts-rs
// (src/bindings, `cargo xtask bindings`); command and event names match src-tauri.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CustomerListQuery } from "./bindings/CustomerListQuery";
import type { CustomerPage } from "./bindings/CustomerPage";
import type { ErrorView } from "./bindings/ErrorView";
import type { ProfileView } from "./bindings/ProfileView";
import type { OutboxSummary } from "./bindings/OutboxSummary";
import type { SyncProgress } from "./bindings/SyncProgress";

export type { CustomerListQuery, CustomerPage, ErrorView, OutboxSummary, ProfileView, SyncProgress };

export const commands = {
  listCustomers: (query: CustomerListQuery) => invoke<CustomerPage>("list_customers", { query }),
  profile: () => invoke<ProfileView>("profile"),
  syncNow: () => invoke<SyncProgress>("sync_now"),
};

type EventPayloads = {
  "sync-progress": SyncProgress;
  "sync-failed": ErrorView;
  "customers-changed": string[];
  "outbox-changed": OutboxSummary;
  connectivity: boolean;
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
