// What the core says, as state the window shows: sync progress and failures, whether
// the API answers, refused credentials, the background schedule, the outbox. Customers
// pushed by the core go into the store (store.ts). One subscription per event, for the
// window's lifetime.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type MutableRefObject } from "react";
import type { CustomerRow } from "./bindings/CustomerRow";
import type { CustomerSort } from "./bindings/CustomerSort";
import { commands, events, on, type ErrorView, type OutboxSummary, type SyncProgress } from "./ipc";
import { customerStore } from "./store";

/** What the list holds now, for deciding whether a push moves it. */
export type LoadedList = { loaded: Map<string, CustomerRow>; sort: CustomerSort };

export type CoreState = {
  progress: SyncProgress | null;
  syncError: ErrorView | null;
  setSyncError: (e: ErrorView | null) => void;
  connectivity: boolean | null;
  /** The API refused the connection's credentials while sending queued writes. */
  credentialsRefused: ErrorView | null;
  /** Background rounds failing: seconds until the next try, or null when all is well. */
  backgroundRetry: number | null;
  outbox: OutboxSummary;
};

/** Whether pushed rows may move what the list holds: one it does not have, another stage, a new order. */
export function movesList(pushed: CustomerRow[], { loaded, sort }: LoadedList): boolean {
  return pushed.some((r) => {
    const was = loaded.get(r.id);
    return (
      !was ||
      was.stage !== r.stage ||
      (sort === "recentlyUpdated" && was.updatedAt !== r.updatedAt) ||
      (sort === "name" && was.name !== r.name)
    );
  });
}

export function useCoreEvents(list: MutableRefObject<LoadedList>, onProfileChanged: () => void): CoreState {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [syncError, setSyncError] = useState<ErrorView | null>(null);
  const [connectivity, setConnectivity] = useState<boolean | null>(null);
  const [credentialsRefused, setCredentialsRefused] = useState<ErrorView | null>(null);
  const [backgroundRetry, setBackgroundRetry] = useState<number | null>(null);
  const [outbox, setOutbox] = useState<OutboxSummary>({ pending: 0, failed: 0 });
  const profileChanged = useRef(onProfileChanged);
  useEffect(() => {
    profileChanged.current = onProfileChanged;
  }, [onProfileChanged]);

  useEffect(() => {
    // The counts at start (and for another connection); changes arrive as events.
    const readOutbox = () =>
      void commands
        .outboxSummary()
        .then(setOutbox)
        .catch(() => undefined);
    readOutbox();
    const subs = [
      on(events.syncProgress, (p) => {
        setProgress(p.done ? null : p);
        if (p.done) setSyncError(null);
      }),
      on(events.syncFailed, (e) => {
        setProgress(null);
        setSyncError(e);
      }),
      on(events.customersChanged, (pushed) => {
        // Rows the list holds are shown in place at once (only those: a first sync's
        // hundred thousand new customers are the page's to read, not the store's);
        // the page is read again only when it may move.
        customerStore.putRows(pushed.filter((r) => list.current.loaded.has(r.id)));
        // A page being read may have been read before this change was written: read again.
        const reading = queryClient.isFetching({ queryKey: ["customers"] }) > 0;
        if (reading || movesList(pushed, list.current)) void queryClient.invalidateQueries({ queryKey: ["customers"] });
        // The work queue follows every change (a changed customer may join or leave it).
        void queryClient.invalidateQueries({ queryKey: ["queue"] });
      }),
      on(events.outboxChanged, () => void queryClient.invalidateQueries({ queryKey: ["queue"] })),
      on(events.customerDetail, (d) => customerStore.putDetail(d)),
      on(events.outboxChanged, (s) => {
        setOutbox(s);
        void queryClient.invalidateQueries({ queryKey: ["refused"] });
      }),
      on(events.profileChanged, () => {
        // Another connection: another cache. Nothing of the old one stays on screen.
        setConnectivity(null);
        setSyncError(null);
        setCredentialsRefused(null);
        setBackgroundRetry(null);
        readOutbox();
        customerStore.clear();
        // What the list held was the other connection's.
        list.current = { ...list.current, loaded: new Map() };
        profileChanged.current();
        void queryClient.invalidateQueries();
      }),
      on(events.connectivity, (online) => {
        setConnectivity(online);
        if (online) setSyncError(null);
      }),
      on(events.credentialsRefused, setCredentialsRefused),
      on(events.background, (b) => setBackgroundRetry(b.failing ? b.retryInSecs : null)),
    ];
    return () => subs.forEach((s) => void s.then((unlisten) => unlisten()));
  }, [queryClient, list]);

  return { progress, syncError, setSyncError, connectivity, credentialsRefused, backgroundRetry, outbox };
}
