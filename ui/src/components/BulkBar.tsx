import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { CustomerListQuery } from "../bindings/CustomerListQuery";
import type { RowRef } from "../bindings/RowRef";
import { commands } from "../ipc";
import { formatCount } from "../format";
import { useI18n } from "../i18n";
import type { useJob } from "./Jobs";

type Props = {
  /** Where its long work runs (kept by the window, so leaving the list keeps it). */
  runner: ReturnType<typeof useJob>;
  /** The view the list shows (what "Export CSV" writes). */
  query: CustomerListQuery;
  /** The rows picked. */
  picked: RowRef[];
  onPickAll: () => void;
  onClear: () => void;
};

/**
 * The list's actions on the whole view or on the rows picked (Ctrl/⌘-click, Shift-click,
 * Space, Ctrl/⌘+A): export as CSV, tag, re-read from the API — with progress and cancel.
 */
export function BulkBar({ runner, query, picked, onPickAll, onClear }: Props) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => commands.tags() });
  const { run, busy } = runner;
  const n = picked.length;

  const exportCsv = (rows: RowRef[] | null) =>
    run(
      rows ? "jobExportSelected" : "jobExport",
      (id) => commands.exportCsv(id, query, rows),
      (d) => (d.cancelled ? { status: "cancelled", label: "jobExport" } : { status: "saved", label: "jobExport", path: d.path, rows: d.rows }),
    );

  async function tagPicked(tagId: number) {
    // Each connection's rows are tagged there.
    const byProfile = new Map<string, string[]>();
    for (const r of picked) byProfile.set(r.profileId, [...(byProfile.get(r.profileId) ?? []), r.id]);
    await run(
      "jobTag",
      async () => {
        let added = 0;
        for (const [profile, ids] of byProfile) added += await commands.tagCustomers(ids, tagId, profile);
        return added;
      },
      (added) => ({ status: "message", text: t("bulkTagged", { count: formatCount(locale, added) }) }),
    );
    void queryClient.invalidateQueries({ queryKey: ["customers"] });
    void queryClient.invalidateQueries({ queryKey: ["customer-tags"] });
  }

  const reread = () =>
    run(
      "jobReread",
      (id) => commands.refreshCustomers(id, picked),
      (d) => ({
        status: "message",
        text: t(d.cancelled ? "rereadCancelled" : "rereadDone", {
          done: formatCount(locale, d.done),
          changed: formatCount(locale, d.changed),
          failed: formatCount(locale, d.failed),
          skipped: formatCount(locale, d.skipped),
        }),
      }),
    );

  return (
    <>
      <div className={n > 0 ? "bulk-bar" : "bulk-bar idle"} role="toolbar" aria-label={t("bulkActions")} data-testid="bulk-bar">
        {n > 0 ? (
          <>
            <strong data-testid="picked-count">{t("pickedCount", { count: formatCount(locale, n) })}</strong>
            {(tags.data?.length ?? 0) > 0 && (
              <select
                value=""
                disabled={busy}
                aria-label={t("tagPicked")}
                onChange={(e) => e.target.value && void tagPicked(Number(e.target.value))}
                data-testid="bulk-tag"
              >
                <option value="">{t("tagPicked")}</option>
                {tags.data?.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            )}
            <button type="button" disabled={busy} onClick={() => void exportCsv(picked)} data-testid="export-picked">
              {t("exportPicked")}
            </button>
            <button type="button" disabled={busy} onClick={() => void reread()} data-testid="bulk-reread">
              {t("rereadPicked")}
            </button>
            <button type="button" onClick={onClear} data-testid="bulk-clear">
              {t("clearPicked")}
            </button>
          </>
        ) : (
          <span className="hint">{t("pickHint")}</span>
        )}
        <span className="spacer" />
        <button type="button" onClick={onPickAll} aria-keyshortcuts="Control+A" title={t("pickHint")} data-testid="pick-all">
          {t("pickAll")}
        </button>
        <button type="button" disabled={busy} onClick={() => void exportCsv(null)} data-testid="export-csv">
          {t("exportCsv")}
        </button>
      </div>
    </>
  );
}
