import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import type { CustomerRow } from "./bindings/CustomerRow";
import type { CustomerSort } from "./bindings/CustomerSort";
import { CustomerDetailPane } from "./components/CustomerDetailPane";
import { CustomerTable } from "./components/CustomerTable";
import { ListControls } from "./components/ListControls";
import { RefusedChanges } from "./components/RefusedChanges";
import { RegisterForm } from "./components/RegisterForm";
import { useProviderSpec } from "./provider";
import { customerStore, useLatestRows } from "./store";
import { Settings } from "./components/Settings";
import { Toasts } from "./components/Toasts";
import { formatCount, formatRelative } from "./format";
import {
  commands,
  events,
  on,
  toErrorView,
  type ErrorView,
  type OutboxSummary,
  type RefusedWrite,
  type SyncProgress,
} from "./ipc";
import { locales, useI18n, type Locale } from "./i18n";

const PAGE = 200;

type Theme = "light" | "dark";

function initialTheme(): Theme {
  const saved = localStorage.getItem("kyc-desk.theme");
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function App() {
  const { t, locale, setLocale } = useI18n();
  const queryClient = useQueryClient();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [syncError, setSyncError] = useState<ErrorView | null>(null);
  const [connectivity, setConnectivity] = useState<boolean | null>(null);
  /** The API refused the connection's credentials while sending queued writes. */
  const [credentialsRefused, setCredentialsRefused] = useState<ErrorView | null>(null);
  /** Background rounds failing: seconds until the next try, or null when all is well. */
  const [backgroundRetry, setBackgroundRetry] = useState<number | null>(null);
  const [outbox, setOutbox] = useState<OutboxSummary>({ pending: 0, failed: 0 });
  const [text, setText] = useState("");
  const [stages, setStages] = useState<string[]>([]);
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
  // What the list holds now, for the event listener (registered once).
  const listRef = useRef<{ loaded: Map<string, CustomerRow>; sort: CustomerSort }>({ loaded: new Map(), sort });

  const list = useInfiniteQuery({
    queryKey: ["customers", sort, query, stages],
    initialPageParam: 0,
    queryFn: ({ pageParam }) => commands.listCustomers({ offset: pageParam, limit: PAGE, sort, text: query, stages }),
    placeholderData: (previous) => previous,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((n, p) => n + p.rows.length, 0);
      return loaded < last.total && last.rows.length > 0 ? loaded : undefined;
    },
  });

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
        // The rows the core pushed are shown in place at once (the store); the page is
        // read again only when what it holds may move: a customer it does not have, a
        // new stage (filters, counts), a new order.
        customerStore.putRows(pushed);
        const { loaded, sort: by } = listRef.current;
        const moved = pushed.some((r) => {
          const was = loaded.get(r.id);
          return (
            !was ||
            was.stage !== r.stage ||
            (by === "recentlyUpdated" && was.updatedAt !== r.updatedAt) ||
            (by === "name" && was.name !== r.name)
          );
        });
        if (moved) void queryClient.invalidateQueries({ queryKey: ["customers"] });
      }),
      on(events.customerDetail, (d) => customerStore.putDetail(d)),
      on(events.outboxChanged, (s) => {
        setOutbox(s);
        void queryClient.invalidateQueries({ queryKey: ["refused"] });
      }),
      on(events.profileChanged, () => {
        // Another connection: another cache. Nothing of the old one stays on screen.
        setSelected(null);
        setRegistering(false);
        setConnectivity(null);
        setSyncError(null);
        setCredentialsRefused(null);
        setBackgroundRetry(null);
        setShowRefused(false);
        setRedo(null);
        readOutbox();
        customerStore.clear();
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
  }, [queryClient]);

  const sync = useMutation({
    mutationFn: commands.syncNow,
    onMutate: () => setSyncError(null),
    onError: (e) => setSyncError(toErrorView(e)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["customers"] }),
  });

  const startSync = useCallback(() => {
    if (!sync.isPending) sync.mutate();
  }, [sync]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      if (e.key === "F5" || (mod && e.key.toLowerCase() === "r")) {
        e.preventDefault();
        startSync();
      } else if ((mod && e.key.toLowerCase() === "f") || (e.key === "/" && !typing)) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if (mod && e.key === ",") {
        e.preventDefault();
        setSettings(true);
      } else if (mod && e.key.toLowerCase() === "n") {
        e.preventDefault();
        setRegistering(true);
      } else if (e.key === "Escape" && !document.querySelector("[role=dialog]")) {
        setRegistering(false);
        setSelected(null);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [startSync]);

  const read = useMemo(() => list.data?.pages.flatMap((p) => p.rows) ?? [], [list.data]);
  const rows = useLatestRows(read);
  useEffect(() => {
    listRef.current = { loaded: new Map(read.map((r) => [r.id, r])), sort };
  }, [read, sort]);
  const first = list.data?.pages[0];
  const total = first?.total ?? 0;
  const lastSync = first?.lastSyncAt ?? null;
  const offline = connectivity === false || (connectivity === null && first?.online === false) || syncError?.code === "offline";
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const needMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const syncing = sync.isPending || progress !== null;
  let syncText: string;
  if (syncing) syncText = t("syncing", { count: formatCount(locale, progress?.customers ?? 0) });
  else if (lastSync) syncText = t("syncedAt", { when: formatRelative(locale, lastSync) });
  else syncText = t("neverSynced");

  return (
    <div className="app">
      <header className="toolbar">
        <h1>{t("appTitle")}</h1>
        {profile.data?.isDemo && (
          <span className="demo-badge" title={t("demoBadgeHint")} data-testid="demo-badge">
            {t("demoBadge")}
          </span>
        )}
        <span className="spacer" />
        <span className="sync-status" role="status" aria-live="polite" data-testid="sync-status">
          {syncText}
        </span>
        {outbox.pending > 0 && (
          <span className="badge" data-testid="outbox-pending">
            {t("outboxPending", { count: outbox.pending })}
          </span>
        )}
        {outbox.failed > 0 && (
          <button type="button" className="badge error" onClick={() => setShowRefused(true)} data-testid="outbox-failed">
            {t("outboxFailed", { count: outbox.failed })}
          </button>
        )}
        <button type="button" onClick={startSync} disabled={syncing} aria-keyshortcuts="F5 Control+R" data-testid="sync-now">
          {t("syncNow")}
        </button>
{spec?.capabilities.register && (
        <button
          type="button"
          className="primary"
          onClick={() => setRegistering(true)}
          aria-keyshortcuts="Control+N"
          data-testid="new-customer"
        >
          {t("newCustomer")}
        </button>
        )}
        <button type="button" onClick={() => setSettings(true)} aria-keyshortcuts="Control+," data-testid="open-settings">
          {t("settings")}
        </button>
        <label className="select">
          <span className="visually-hidden">{t("language")}</span>
          <select
            value={locale}
            onChange={(e) => setLocale(e.target.value as Locale)}
            aria-label={t("language")}
            data-testid="language"
          >
            {locales.map((l) => (
              <option key={l} value={l}>
                {l === "en" ? "English" : "Português (Brasil)"}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
          aria-label={`${t("theme")}: ${theme === "dark" ? t("themeDark") : t("themeLight")}`}
          data-testid="theme-toggle"
        >
          {theme === "dark" ? "☾" : "☀"}
        </button>
      </header>

      {credentialsRefused && (
        <div className="banner error" role="alert" data-testid="credentials-refused">
          <strong>{t("credentialsRefused")}</strong>
          <button type="button" onClick={() => setSettings(true)}>
            {t("settings")}
          </button>
          {credentialsRefused.requestId && <small>{t("requestId", { id: credentialsRefused.requestId })}</small>}
        </div>
      )}
      {offline ? (
        <div className="banner offline" role="alert" data-testid="offline-banner">
          <strong>{t("offline")}</strong>
          {lastSync && <small>{t("syncedAt", { when: formatRelative(locale, lastSync) })}</small>}
        </div>
      ) : (
        syncError && (
          <div className="banner error" role="alert" data-testid="sync-error">
            <strong>{t("syncFailed", { message: syncError.message })}</strong>
            {syncError.requestId && <small>{t("requestId", { id: syncError.requestId })}</small>}
          </div>
        )
      )}

      <main className="workspace">
        <section className="list-pane" aria-label={t("customers")}>
          <ListControls
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
          {list.isPending ? (
            <p className="empty">{t("loading")}</p>
          ) : total === 0 && (query !== "" || stages.length > 0) ? (
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
              rows={rows}
              total={total}
              onNeedMore={needMore}
              selectedId={selected}
              onOpen={(id) => {
                setRegistering(false);
                setSelected(id);
              }}
            />
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
        <span data-testid="profile-name">{profile.data?.isDemo ? t("builtinName") : profile.data?.name}</span>
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
