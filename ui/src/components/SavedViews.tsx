import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import type { CustomerListQuery } from "../bindings/CustomerListQuery";
import type { SavedViewView } from "../bindings/SavedViewView";
import { commands, toErrorView, type ErrorView } from "../ipc";
import { useI18n } from "../i18n";
import { ErrorBox } from "./Field";

type Props = {
  /** The list's search, filters and sort now. */
  current: CustomerListQuery;
  /** Puts a saved view's search, filters and sort back. */
  onOpen: (q: CustomerListQuery) => void;
};

/**
 * Saved views: the list's search, filters and sort under a name, kept in the workspace
 * (they survive a restart), one button each — Tab reaches them, Enter opens one, and
 * Alt+1 … Alt+9 open the first nine from anywhere in the list (not while typing).
 */
export function SavedViews({ current, onOpen }: Props) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const views = useQuery({ queryKey: ["views"], queryFn: () => commands.savedViews() });
  const [naming, setNaming] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ["views"] });

  const list = views.data;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      // In a text field Alt (Option on macOS) types characters: left to it.
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true]")) return;
      // By the key's place (Alt can change the character it types), else its character.
      const digit = /^Digit[1-9]$/.test(e.code) ? e.code.slice(5) : /^[1-9]$/.test(e.key) ? e.key : null;
      const v = digit ? list?.[Number(digit) - 1] : undefined;
      if (!v) return;
      e.preventDefault();
      onOpen(v.query);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [list, onOpen]);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (naming === null) return;
    setError(null);
    try {
      await commands.saveView(naming, current);
      setNaming(null);
      refresh();
    } catch (err) {
      setError(toErrorView(err));
    }
  }

  async function remove(v: SavedViewView) {
    setError(null);
    try {
      await commands.deleteView(v.id);
      refresh();
    } catch (err) {
      setError(toErrorView(err));
    }
  }

  return (
    <nav className="saved-views" aria-label={t("savedViews")} data-testid="saved-views">
      {(views.data ?? []).map((v, i) => (
        <span key={v.id} className="saved-view">
          <button
            type="button"
            className="chip"
            onClick={() => onOpen(v.query)}
            aria-keyshortcuts={i < 9 ? `Alt+${i + 1}` : undefined}
            title={i < 9 ? `Alt+${i + 1}` : undefined}
            data-testid="saved-view"
          >
            {v.name}
          </button>
          <button type="button" className="link" aria-label={t("deleteView", { name: v.name })} onClick={() => void remove(v)}>
            ✕
          </button>
        </span>
      ))}
      {naming === null ? (
        <button type="button" className="link" onClick={() => setNaming("")} data-testid="save-view">
          {t("saveView")}
        </button>
      ) : (
        <form onSubmit={save} className="save-view-form">
          <input
            autoFocus
            value={naming}
            maxLength={60}
            placeholder={t("viewName")}
            aria-label={t("viewName")}
            onChange={(e) => setNaming(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && setNaming(null)}
            data-testid="view-name"
          />
          <button type="submit" disabled={!naming.trim()} data-testid="view-save">
            {t("save")}
          </button>
        </form>
      )}
      {error && <ErrorBox message={error.message} requestId={null} />}
    </nav>
  );
}
