import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { QueueItem } from "../bindings/QueueItem";
import type { QueueReason } from "../bindings/QueueReason";
import type { Source } from "../bindings/Source";
import { commands } from "../ipc";
import { formatCount, formatRelative } from "../format";
import { label, useI18n } from "../i18n";
import { StageBadge } from "./StageBadge";
import { TagFilter } from "./TagFilter";

const REASONS: QueueReason[] = ["refused_write", "document_rejected", "correction", "biometrics", "long_review", "next_step"];

type Props = {
  /** Opens a customer (Enter, A, or a click), switching to its connection if need be. */
  onOpen: (id: string, source: Source) => void;
  /** Opens the writes the API refused (A on such an item). */
  onRefused: (source: Source) => void;
};

/**
 * Who waits on the partner, why, and since when — oldest first. Filters by reason.
 * Keyboard: J / K (or ↓ / ↑) move, Enter opens the customer, A does the item's action.
 * Re-read whenever the core says customers changed (the list's query is invalidated).
 */
export function WorkQueue({ onOpen, onRefused }: Props) {
  const { t, locale } = useI18n();
  const [tag, setTag] = useState<number | null>(null);
  const [provider, setProvider] = useState<string | null>(null);
  const [reason, setReason] = useState<QueueReason | null>(null);
  const filter = { reason, providers: provider ? [provider] : [], tag };
  const queue = useQuery({ queryKey: ["queue", filter], queryFn: () => commands.workQueue(filter) });
  const [active, setActive] = useState(0);
  const listRef = useRef<HTMLOListElement>(null);
  const items = queue.data?.items ?? [];
  const counts = new Map<QueueReason, number>((queue.data?.counts ?? []).map((c) => [c.reason, c.count]));
  const all = [...counts.values()].reduce((a, b) => a + b, 0);
  const providers = queue.data?.providers ?? [];

  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)?.scrollIntoView({ block: "nearest" });
  }, [active]);

  // Opened from the keyboard (Ctrl+2), it takes the keys at once: J / K / Enter / A.
  const hasItems = items.length > 0;
  useEffect(() => {
    if (hasItems) listRef.current?.focus();
  }, [hasItems]);

  const act = (i: QueueItem) => (i.reason === "refused_write" ? onRefused(i.source) : onOpen(i.customerId, i.source));

  function onKey(e: KeyboardEvent<HTMLOListElement>) {
    const current = items[active];
    const move = (to: number) => {
      e.preventDefault();
      setActive(Math.max(0, Math.min(items.length - 1, to)));
    };
    if (e.key === "j" || e.key === "ArrowDown") move(active + 1);
    else if (e.key === "k" || e.key === "ArrowUp") move(active - 1);
    else if (e.key === "Enter" && current) {
      e.preventDefault();
      onOpen(current.customerId, current.source);
    } else if (e.key === "a" && current) {
      e.preventDefault();
      act(current);
    }
  }

  return (
    <section className="queue" aria-labelledby="queue-title" data-testid="work-queue">
      <div className="list-caption">
        <h2 id="queue-title">{t("workQueue")}</h2>
        <span data-testid="queue-total">{t("queueTotal", { count: formatCount(locale, queue.data?.total ?? 0) })}</span>
        {(queue.data?.total ?? 0) > items.length && (
          <span className="hint" data-testid="queue-oldest">
            {t("queueOldest", { count: formatCount(locale, items.length) })}
          </span>
        )}
      </div>
      <div className="chips" role="group" aria-label={t("queueReason")}>
        <button type="button" className="chip" aria-pressed={reason === null} onClick={() => setReason(null)}>
          {t("allReasons")} <span className="count">{formatCount(locale, all)}</span>
        </button>
        {REASONS.filter((r) => counts.has(r)).map((r) => (
          <button
            key={r}
            type="button"
            className="chip"
            aria-pressed={reason === r}
            onClick={() => {
              setReason(r);
              setActive(0);
            }}
            data-testid={`queue-chip-${r}`}
          >
            {label(locale, `reason.${r}`, r)} <span className="count">{formatCount(locale, counts.get(r) ?? 0)}</span>
          </button>
        ))}
      </div>
      <div className="scope">
        {providers.length > 1 && (
          <label className="select">
            <span>{t("colProvider")}</span>
            <select
              value={provider ?? ""}
              onChange={(e) => {
                setProvider(e.target.value || null);
                setActive(0);
              }}
              data-testid="queue-provider"
            >
              <option value="">{t("anyProvider")}</option>
              {providers.map((p) => (
                <option key={p.provider} value={p.provider}>
                  {p.providerName} ({formatCount(locale, p.count)})
                </option>
              ))}
            </select>
          </label>
        )}
        <TagFilter
          tag={tag}
          onTag={(x) => {
            setTag(x);
            setActive(0);
          }}
          testId="queue-tag"
        />
      </div>
      <p className="hint">{t("queueKeys")}</p>
      {items.length === 0 ? (
        <p className="empty" data-testid="queue-empty">
          {queue.isPending ? t("loading") : t("queueEmpty")}
        </p>
      ) : (
        <ol
          ref={listRef}
          className="queue-items"
          tabIndex={0}
          onKeyDown={onKey}
          aria-activedescendant={items[active] ? `queue-${items[active].customerId}` : undefined}
          data-testid="queue-list"
        >
          {items.map((i, n) => (
            <li
              key={`${i.source.profileId}-${i.customerId}-${i.reason}`}
              id={`queue-${i.customerId}`}
              data-index={n}
              className={n === active ? "active" : undefined}
              aria-selected={n === active}
              onClick={() => {
                setActive(n);
                onOpen(i.customerId, i.source);
              }}
              data-testid="queue-item"
              data-customer-id={i.customerId}
              data-reason={i.reason}
            >
              <span className="queue-name" data-testid="queue-name">
                {i.name}
              </span>
              <StageBadge stage={i.stage} status={i.stage} />
              <span className="queue-reason">
                {label(locale, `reason.${i.reason}`, i.reason)}
                {i.detail && <small> · {i.detail}</small>}
              </span>
              <small className="queue-waited" title={i.since}>
                <span className="queue-provider" data-testid="queue-provider-name">
                  {i.source.providerName} ·{" "}
                </span>
                {t("waitingSince", { when: formatRelative(locale, i.since) })}
              </small>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
