import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import type { CustomerSort } from "./bindings/CustomerSort";
import { Banners } from "./components/Banners";
import { CustomerDetailPane } from "./components/CustomerDetailPane";
import { BulkBar } from "./components/BulkBar";
import { JobBar, useJob } from "./components/Jobs";
import { CustomerTable, rowKey } from "./components/CustomerTable";
import type { CustomerListQuery } from "./bindings/CustomerListQuery";
import type { CustomerRow } from "./bindings/CustomerRow";
import { PAGE, usePagedCustomers } from "./pagedList";
import type { RowRef } from "./bindings/RowRef";
import type { Source } from "./bindings/Source";
import { SavedViews } from "./components/SavedViews";
import { WorkQueue } from "./components/WorkQueue";
import { ListControls } from "./components/ListControls";
import { RefusedChanges } from "./components/RefusedChanges";
import { RegisterForm } from "./components/RegisterForm";
import { useProviderSpec } from "./provider";
import { customerStore, useLatestRows } from "./store";
import { Settings } from "./components/Settings";
import { Toasts } from "./components/Toasts";
import { Toolbar, type Theme } from "./components/Toolbar";
import { useCoreEvents, type LoadedList } from "./coreEvents";
import { formatCount, formatRelative } from "./format";
import { commands, toErrorView, type RefusedWrite } from "./ipc";
import { useI18n } from "./i18n";
import { useShortcuts } from "./shortcuts";


/** What to show once the switch to another connection is done. */
type AfterSwitch = { open: string | null; refused: boolean };
const NOTHING_AFTER: AfterSwitch = { open: null, refused: false };

function initialTheme(): Theme {
  const saved = localStorage.getItem("kyc-desk.theme");
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function App() {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [text, setText] = useState("");
  const [stages, setStages] = useState<string[]>([]);
  const [tag, setTag] = useState<number | null>(null);
  /** Every connection at once, and which providers' then. */
  const [everywhere, setEverywhere] = useState(false);
  const [providers, setProviders] = useState<string[]>([]);
  /** Rows picked for bulk work, by connection and id; the last one picked. */
  const [picked, setPicked] = useState<Map<string, RowRef>>(new Map());
  const [anchor, setAnchor] = useState<number | null>(null);
  /** Exports and bulk work of the list: kept here, so opening the queue keeps their progress and cancel. */
  const listJob = useJob();
  /** The work queue in place of the list. */
  const [queueShown, setQueueShown] = useState(false);
  const spec = useProviderSpec();
  const [sort, setSort] = useState<CustomerSort>("newest");
  const [selected, setSelected] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [settings, setSettings] = useState(false);
  const [showRefused, setShowRefused] = useState(false);
  /** A refused registration put back in the form. */
  const [redo, setRedo] = useState<RefusedWrite | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // Typing stays instant: the list follows the text as soon as React has time.
  const query = useDeferredValue(text.trim());

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem("kyc-desk.theme", theme);
  }, [theme]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const profile = useQuery({ queryKey: ["profile"], queryFn: commands.profile });
  const profiles = useQuery({ queryKey: ["profiles"], queryFn: commands.listProfiles });
  const activeProfileId = profiles.data?.activeId ?? "";
  /** A customer of another connection to open once the switch to it is done. */
  /** What to show once the switch to another connection is done: a customer, or its refused changes. */
  const afterSwitch = useRef<AfterSwitch>(NOTHING_AFTER);
  // What the list holds now, for the event listener (registered once).
  const listRef = useRef<LoadedList>({ loaded: new Map(), sort });
  const onProfileChanged = useCallback(() => {
    const then = afterSwitch.current;
    afterSwitch.current = NOTHING_AFTER;
    setSelected(then.open);
    void queryClient.invalidateQueries({ queryKey: ["profiles"] });
    setRegistering(false);
    setShowRefused(then.refused);
    setRedo(null);
  }, [queryClient]);
  const { progress, syncError, setSyncError, connectivity, credentialsRefused, backgroundRetry, outbox } = useCoreEvents(
    listRef,
    onProfileChanged,
  );

  const view: CustomerListQuery = useMemo(
    () => ({ offset: 0, limit: PAGE, sort, text: query, stages, tag, everywhere, providers }),
    [sort, query, stages, tag, everywhere, providers],
  );
  // Which rows are in view: only their pages are read (see pagedList.ts).
  const [range, setRange] = useState({ start: 0, end: PAGE - 1 });
  const onRange = useCallback((start: number, end: number) => {
    setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
  }, []);
  const list = usePagedCustomers(view, range);

  const sync = useMutation({
    mutationFn: commands.syncNow,
    onMutate: () => setSyncError(null),
    onError: (e) => setSyncError(toErrorView(e)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["customers"] }),
  });

  const startSync = useCallback(() => {
    if (!sync.isPending) sync.mutate();
  }, [sync]);

  /** Switches to `source`'s connection when it is another, then shows `then`; whether it did. */
  const switchThen = useCallback(
    (source: Source | null | undefined, then: AfterSwitch) => {
      if (!source || !activeProfileId || source.profileId === activeProfileId) return false;
      afterSwitch.current = then;
      void commands.switchProfile(source.profileId).catch((e: unknown) => {
        afterSwitch.current = NOTHING_AFTER;
        setSyncError(toErrorView(e));
      });
      return true;
    },
    [activeProfileId, setSyncError],
  );

  /** Opens a customer; one of another connection opens once the switch to it is done. */
  const openCustomer = useCallback(
    (id: string, source?: Source | null) => {
      setRegistering(false);
      if (!switchThen(source, { open: id, refused: false })) setSelected(id);
    },
    [switchThen],
  );

  /** Shows the changes the API refused; another connection's once switched to it. */
  const openRefused = useCallback(
    (source?: Source | null) => {
      if (!switchThen(source, { open: null, refused: true })) setShowRefused(true);
    },
    [switchThen],
  );

  const canRegister = spec?.capabilities.register === true;
  useShortcuts(
    useMemo(
      () => ({
        sync: startSync,
        search: () => {
          searchRef.current?.focus();
          searchRef.current?.select();
        },
        settings: () => setSettings(true),
        register: () => canRegister && setRegistering(true),
        queue: (shown: boolean) => setQueueShown(shown),
        close: () => {
          setRegistering(false);
          setSelected(null);
        },
      }),
      [startSync, canRegister],
    ),
  );

  const read = list.loaded;
  const rows = useLatestRows(read, activeProfileId);
  // Pushed rows over read ones, by position.
  const latest = useMemo(() => new Map(rows.map((r) => [`${r.source?.profileId ?? ""}|${r.id}`, r])), [rows]);
  const { rowAt: readAt } = list;
  const rowAt = useCallback(
    (i: number) => {
      const r = readAt(i);
      return r ? (latest.get(`${r.source?.profileId ?? ""}|${r.id}`) ?? r) : undefined;
    },
    [readAt, latest],
  );
  useEffect(() => {
    listRef.current = { loaded: new Map(read.map((r) => [r.id, r])), sort };
    customerStore.settle(read);
  }, [read, sort]);
  const first = list.first;
  const total = first?.total ?? 0;
  const lastSync = first?.lastSyncAt ?? null;
  const offline = connectivity === false || (connectivity === null && first?.online === false) || syncError?.code === "offline";

  // Picking: Ctrl/⌘-click or Space toggles, Shift picks a range, Ctrl/⌘+A the whole view.
  const refOf = useCallback(
    (r: CustomerRow): RowRef => ({ profileId: r.source?.profileId ?? activeProfileId, id: r.id }),
    [activeProfileId],
  );
  const pick = useCallback(
    (index: number, how: "toggle" | "range") => {
      setPicked((prev) => {
        const next = new Map(prev);
        if (how === "range" && anchor !== null) {
          for (let i = Math.min(anchor, index); i <= Math.max(anchor, index); i++) {
            const r = rowAt(i);
            if (r) next.set(rowKey(r, activeProfileId), refOf(r));
          }
        } else {
          const r = rowAt(index);
          if (!r) return prev;
          const key = rowKey(r, activeProfileId);
          if (next.has(key)) next.delete(key);
          else next.set(key, refOf(r));
        }
        return next;
      });
      setAnchor(index);
    },
    [anchor, rowAt, activeProfileId, refOf],
  );
  // The view a pick-all was asked for: an answer for a view left since is dropped.
  const pickingFor = useRef("");
  const pickAll = useCallback(() => {
    const asked = `${activeProfileId}|${JSON.stringify(view)}`;
    pickingFor.current = asked;
    void commands
      .viewIds(view)
      .then((refs) => {
        if (pickingFor.current === asked) setPicked(new Map(refs.map((r) => [`${r.profileId}|${r.id}`, r])));
      })
      .catch((e: unknown) => setSyncError(toErrorView(e)));
  }, [view, activeProfileId, setSyncError]);
  // Another view, another connection: nothing stays picked out of sight.
  const pickedView = `${activeProfileId}|${JSON.stringify(view)}`;
  const [pickedFor, setPickedFor] = useState(pickedView);
  if (pickedFor !== pickedView) {
    setPickedFor(pickedView);
    setPicked(new Map());
    setAnchor(null);
    setRange({ start: 0, end: PAGE - 1 });
  }
  const pickedKeys = useMemo(() => new Set(picked.keys()), [picked]);

  const syncing = sync.isPending || progress !== null;
  let syncText: string;
  if (syncing) syncText = t("syncing", { count: formatCount(locale, progress?.customers ?? 0) });
  else if (lastSync) syncText = t("syncedAt", { when: formatRelative(locale, lastSync) });
  else syncText = t("neverSynced");

  return (
    <div className="app">
      <Toolbar
        profile={profile.data}
        syncText={syncText}
        syncing={syncing}
        outbox={outbox}
        onSync={startSync}
        onRegister={canRegister ? () => setRegistering(true) : undefined}
        onSettings={() => setSettings(true)}
        onRefused={() => setShowRefused(true)}
        theme={theme}
        onTheme={setTheme}
      />
      <Banners
        credentialsRefused={credentialsRefused}
        offline={offline}
        lastSync={lastSync}
        syncError={syncError}
        onSettings={() => setSettings(true)}
      />

      <main className="workspace">
        <section className="list-pane" aria-label={t("customers")}>
          <div className="pane-tabs" role="tablist" aria-label={t("customers")}>
            <button
              type="button"
              role="tab"
              aria-selected={!queueShown}
              aria-keyshortcuts="Control+1"
              onClick={() => setQueueShown(false)}
              data-testid="tab-list"
            >
              {t("customers")}
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={queueShown}
              aria-keyshortcuts="Control+2"
              onClick={() => setQueueShown(true)}
              data-testid="tab-queue"
            >
              {t("workQueue")}
            </button>
          </div>
          <JobBar job={listJob.job} onCancel={listJob.cancel} onClose={listJob.clear} />
          {queueShown ? (
            <WorkQueue
              onOpen={openCustomer}
              onRefused={openRefused}
            />
          ) : (
          <>
          <SavedViews
            current={{ ...view, text: text.trim() }}
            onOpen={(v) => {
              setText(v.text);
              setStages(v.stages);
              setSort(v.sort);
              setTag(v.tag);
              setEverywhere(v.everywhere);
              setProviders(v.providers);
            }}
          />
          <ListControls
            everywhere={everywhere}
            onEverywhere={(all) => {
              setEverywhere(all);
              if (!all) setProviders([]);
            }}
            providers={providers}
            onProviders={setProviders}
            tag={tag}
            onTag={setTag}
            text={text}
            onText={setText}
            stages={stages}
            onStages={setStages}
            counts={first?.stageCounts ?? []}
            sort={sort}
            onSort={setSort}
            searchRef={searchRef}
          />
          <div className="list-caption">
            <h2>{t("customers")}</h2>
            <span data-testid="customer-total">
              {first?.totalCapped
                ? t("totalCapped", { count: formatCount(locale, total) })
                : total === 1
                  ? t("totalOne")
                  : t("total", { count: formatCount(locale, total) })}
            </span>
          </div>
          {total > 0 && (
            <BulkBar
              runner={listJob}
              query={view}
              picked={[...picked.values()]}
              onPickAll={pickAll}
              onClear={() => setPicked(new Map())}
            />
          )}
          {list.isPending ? (
            <p className="empty">{t("loading")}</p>
          ) : total === 0 && (query !== "" || stages.length > 0 || tag !== null || providers.length > 0) ? (
            <p className="empty" data-testid="no-matches">
              {t("noMatches")}
            </p>
          ) : total === 0 ? (
            <div className="empty">
              <h3>{t("emptyTitle")}</h3>
              <p>{t("emptyBody")}</p>
            </div>
          ) : (
            <CustomerTable
              key={pickedView}
              rowAt={rowAt}
              total={total}
              onRange={onRange}
              selectedId={selected}
              checklist={!everywhere && (spec?.capabilities.checklist ?? true)}
              everywhere={everywhere}
              profileId={activeProfileId}
              picked={pickedKeys}
              onPick={pick}
              onPickAll={pickAll}
              onOpen={openCustomer}
            />
          )}
          </>
          )}
        </section>
        <section className="detail-pane">
          {registering && spec ? (
            <RegisterForm
              key={redo?.seq ?? "new"}
              spec={spec.register}
              initial={redo?.registration ? { registration: redo.registration, error: redo.error } : undefined}
              onClose={() => {
                setRegistering(false);
                setRedo(null);
              }}
              onOpenCustomer={(id) => {
                setRegistering(false);
                setRedo(null);
                setSelected(id);
              }}
            />
          ) : selected ? (
            <CustomerDetailPane key={selected} id={selected} onClose={() => setSelected(null)} />
          ) : (
            <p className="empty">{t("selectCustomer")}</p>
          )}
        </section>
      </main>
      {settings && <Settings onClose={() => setSettings(false)} />}
      {showRefused && (
        <RefusedChanges
          onClose={() => setShowRefused(false)}
          onEditRegistration={(w) => {
            setShowRefused(false);
            setSelected(null);
            setRedo(w);
            setRegistering(true);
          }}
          onOpenCustomer={(id) => {
            setShowRefused(false);
            setRegistering(false);
            setSelected(id);
          }}
        />
      )}
      <Toasts
        onOpen={(id) => {
          setRegistering(false);
          setSelected(id);
        }}
      />
      <footer className="statusbar">
        <span data-testid="profile-name">
          {profile.data?.isDemo ? `${t("builtinName")}${spec ? ` · ${spec.name}` : ""}` : profile.data?.name}
        </span>
        <span className="mono" data-testid="profile-url">
          {profile.data?.baseUrl}
        </span>
        {profile.data && (
          <span className={profile.data.webhooks ? "live" : undefined} data-testid="live-updates">
            {profile.data.webhooks ? t("liveWebhooks") : t("livePolling")}
          </span>
        )}
        {backgroundRetry !== null && (
          <span className="warn" role="status" data-testid="background-failing">
            {t("backgroundFailing", { secs: String(backgroundRetry) })}
          </span>
        )}
      </footer>
    </div>
  );
}
