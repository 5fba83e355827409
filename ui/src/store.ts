// The one store of what the core pushed: customers' rows and the details of the ones
// the window shows, as the core's events carry them. Screens read it; nothing here
// fetches on a timer.
import { useSyncExternalStore } from "react";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { CustomerRow } from "./bindings/CustomerRow";

type State = {
  rows: ReadonlyMap<string, CustomerRow>;
  details: ReadonlyMap<string, CustomerDetail>;
};

let state: State = { rows: new Map(), details: new Map() };
const listeners = new Set<() => void>();

function set(next: State) {
  state = next;
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const customerStore = {
  /** Rows the core says changed (newer than what any page read). */
  putRows(rows: CustomerRow[]) {
    if (rows.length === 0) return;
    const next = new Map(state.rows);
    for (const r of rows) next.set(r.id, r);
    set({ ...state, rows: next });
  },
  /** Drops pushed rows that `read` (a page just read) already has as new or newer. */
  settle(read: CustomerRow[]) {
    if (state.rows.size === 0) return;
    const next = new Map(state.rows);
    for (const r of read) {
      const p = next.get(r.id);
      if (p && r.updatedAt >= p.updatedAt) next.delete(r.id);
    }
    if (next.size !== state.rows.size) set({ ...state, rows: next });
  },
  /** A customer's detail, read when opened or pushed by the core when it changed. */
  putDetail(d: CustomerDetail) {
    const next = new Map(state.details);
    next.set(d.id, d);
    set({ ...state, details: next });
  },
  /** Another connection: nothing of the old one stays. */
  clear() {
    set({ rows: new Map(), details: new Map() });
  },
  get: () => state,
  subscribe,
};

/** The store's state; re-renders when the core pushes something. */
export function useCustomerStore(): State {
  return useSyncExternalStore(subscribe, customerStore.get);
}

/** `rows` with every row the core pushed since they were read put in their place. */
export function useLatestRows(rows: CustomerRow[], activeProfileId = ""): CustomerRow[] {
  const { rows: pushed } = useCustomerStore();
  return rows.map((r) => {
    // What the core pushes is the connection in use's: a row of another (in the list
    // across connections) stays as read.
    if (r.source && r.source.profileId !== activeProfileId) return r;
    const p = pushed.get(r.id);
    if (!p || p.updatedAt < r.updatedAt) return r;
    return r.source ? { ...p, source: r.source } : p;
  });
}

/** The detail of `id` as last read or pushed. */
export function useCustomerDetail(id: string): CustomerDetail | undefined {
  return useCustomerStore().details.get(id);
}
