import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { CustomerRow } from "../bindings/CustomerRow";
import type { Source } from "../bindings/Source";
import { formatDateTime } from "../format";
import { label, useI18n } from "../i18n";
import { StageBadge } from "./StageBadge";

const ROW_HEIGHT = 52;

type Props = {
  /** Rows in order (a list read whole); or give `rowAt`. */
  rows?: CustomerRow[];
  /** The row at a position, when its page is read (a list read page by page). */
  rowAt?: (index: number) => CustomerRow | undefined;
  /** Rows in the whole list (rows not read yet show as placeholders). */
  total: number;
  /** Says which rows are in view (first, last), so their pages are read. */
  onRange?: (start: number, end: number) => void;
  /** The customer shown in the detail pane. */
  selectedId?: string | null;
  /** Opens a customer (click, or Enter on the active row), with its connection. */
  onOpen?: (id: string, source?: Source | null) => void;
  /** Whether the provider keeps a KYC checklist (else no progress column). */
  checklist?: boolean;
  /** Rows of every connection: a provider column. */
  everywhere?: boolean;
  /** The connection in use (the rows' when they carry none). */
  profileId?: string;
  /** The rows picked for bulk work, by {@link rowKey}. */
  picked?: ReadonlySet<string>;
  /** Ctrl/⌘-click or Space toggles a row; Shift-click picks the range from the last one. */
  onPick?: (index: number, how: "toggle" | "range") => void;
  /** Ctrl/⌘+A: every row of the view. */
  onPickAll?: () => void;
};

/** A row's key for picking: its connection and id (ids are unique per connection). */
export function rowKey(row: CustomerRow, activeProfileId: string): string {
  return `${row.source?.profileId ?? activeProfileId}|${row.id}`;
}

/** The customer list: virtualized, so 100,000 rows scroll like 100; arrow keys move. */
export function CustomerTable({
  rows,
  rowAt,
  total,
  onRange,
  selectedId,
  onOpen,
  checklist = true,
  everywhere = false,
  profileId = "",
  picked,
  onPick,
  onPickAll,
}: Props) {
  const { t, locale } = useI18n();
  const parentRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  // TanStack Virtual's API is not memoizable by the React Compiler; this component
  // does not pass the virtualizer to memoized children, so skipping is correct.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const firstVisible = items[0]?.index ?? 0;
  const lastVisible = items.length > 0 ? (items[items.length - 1]?.index ?? 0) : 0;
  const at = (i: number) => (rowAt ? rowAt(i) : rows?.[i]);

  useEffect(() => {
    onRange?.(firstVisible, lastVisible);
  }, [firstVisible, lastVisible, onRange]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const page = Math.max(1, Math.floor((parentRef.current?.clientHeight ?? 600) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: total - 1,
    };
    if (e.key === " " && onPick && at(active)) {
      e.preventDefault();
      onPick(active, e.shiftKey ? "range" : "toggle");
      return;
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "a" && onPickAll) {
      e.preventDefault();
      onPickAll();
      return;
    }
    if (e.key === "Enter") {
      const row = at(active);
      if (row && onOpen) {
        e.preventDefault();
        onOpen(row.id, row.source);
      }
      return;
    }
    const next = moves[e.key];
    if (next === undefined || total === 0) return;
    e.preventDefault();
    const clamped = Math.min(total - 1, Math.max(0, next));
    setActive(clamped);
    virtualizer.scrollToIndex(clamped, { align: "auto" });
  }

  return (
    <div
      className={["table", checklist ? "" : "no-checklist", everywhere ? "with-provider" : ""].filter(Boolean).join(" ")}
      role="grid"
      aria-rowcount={total}
      aria-multiselectable={onPick ? true : undefined}
      aria-label={t("customers")}
    >
      <div className="table-head" role="row">
        <span role="columnheader">{t("colName")}</span>
        {everywhere && <span role="columnheader">{t("colProvider")}</span>}
        <span role="columnheader">{t("colDocument")}</span>
        <span role="columnheader">{t("colStatus")}</span>
        {checklist && <span role="columnheader">{t("colKyc")}</span>}
        <span role="columnheader">{t("colUpdated")}</span>
      </div>
      <div
        ref={parentRef}
        className="table-body"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-activedescendant={at(active) ? `row-${at(active)?.id}` : undefined}
        data-testid="customer-list"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = at(item.index);
            const style = { height: item.size, transform: `translateY(${item.start}px)` };
            if (!row) {
              return <div key={item.key} className="row placeholder" style={style} role="row" aria-busy="true" />;
            }
            const isPicked = picked?.has(rowKey(row, profileId)) ?? false;
            return (
              <div
                key={item.key}
                id={`row-${row.id}`}
                className={[
                  "row",
                  item.index === active ? "active" : "",
                  row.id === selectedId ? "selected" : "",
                  isPicked ? "picked" : "",
                ]
                  .filter(Boolean)
                  .join(" ")}
                style={style}
                role="row"
                aria-rowindex={item.index + 1}
                aria-selected={row.id === selectedId}
                data-testid="customer-row"
                data-customer-id={row.id}
                data-picked={isPicked ? "true" : undefined}
                onClick={(e) => {
                  setActive(item.index);
                  if (onPick && (e.ctrlKey || e.metaKey)) onPick(item.index, "toggle");
                  else if (onPick && e.shiftKey) onPick(item.index, "range");
                  else onOpen?.(row.id, row.source);
                }}
              >
                <span role="gridcell" className="name">
                  <span data-testid="customer-name">{row.name}</span>
                  {row.tradingName && <small>{row.tradingName}</small>}
                  {row.externalId && <small className="mono" data-testid="customer-external-id">{row.externalId}</small>}
                </span>
                {everywhere && (
                  <span role="gridcell" className="provider-cell" data-testid="customer-provider">
                    {row.source?.providerName}
                    <small>{row.source?.connection}</small>
                  </span>
                )}
                <span role="gridcell" className="mono">
                  {row.identifiers.slice(0, 2).map((id, i) => {
                    // The first document on the line, a second one under it.
                    const Tag = i === 0 ? "span" : "small";
                    return (
                      <Tag key={id.kind} data-testid={`customer-id-${id.kind}`} title={`${label(locale, `id.${id.kind}`, id.kind)} ${id.value}`}>
                        {id.value}
                      </Tag>
                    );
                  })}
                </span>
                <span role="gridcell">
                  <StageBadge stage={row.stage} status={row.status} />
                </span>
                {checklist && (
                  <span role="gridcell" title={t("kycProgress", { done: row.kycDone, total: row.kycTotal })}>
                    <progress max={row.kycTotal || 1} value={row.kycDone} aria-hidden="true" />
                    <span className="mono">
                      {row.kycDone}/{row.kycTotal}
                    </span>
                  </span>
                )}
                <span role="gridcell">
                  <time dateTime={row.updatedAt} data-testid="customer-updated">
                    {formatDateTime(locale, row.updatedAt)}
                  </time>
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
