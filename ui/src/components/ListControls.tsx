import type { Ref } from "react";
import type { CustomerSort } from "../bindings/CustomerSort";
import type { StatusCount } from "../bindings/StatusCount";
import { formatCount } from "../format";
import { statusLabel, useI18n } from "../i18n";

type Props = {
  text: string;
  onText: (text: string) => void;
  statuses: string[];
  onStatuses: (statuses: string[]) => void;
  counts: StatusCount[];
  sort: CustomerSort;
  onSort: (sort: CustomerSort) => void;
  searchRef?: Ref<HTMLInputElement>;
};

/** Search box, status chips with counts, and the sort order of the customer list. */
export function ListControls({ text, onText, statuses, onStatuses, counts, sort, onSort, searchRef }: Props) {
  const { t, locale } = useI18n();
  const all = counts.reduce((n, c) => n + c.count, 0);
  const toggle = (status: string) =>
    onStatuses(statuses.includes(status) ? statuses.filter((s) => s !== status) : [...statuses, status]);
  return (
    <div className="list-controls">
      <label className="search">
        <span className="visually-hidden">{t("search")}</span>
        <input
          ref={searchRef}
          type="search"
          value={text}
          placeholder={t("searchPlaceholder")}
          aria-label={t("search")}
          aria-keyshortcuts="Control+F /"
          onChange={(e) => onText(e.target.value)}
          data-testid="search"
        />
      </label>
      <div className="chips" role="group" aria-label={t("colStatus")}>
        <button
          type="button"
          className="chip"
          aria-pressed={statuses.length === 0}
          onClick={() => onStatuses([])}
          data-testid="chip-all"
        >
          {t("allStatuses")} <span className="count">{formatCount(locale, all)}</span>
        </button>
        {counts.map((c) => (
          <button
            key={c.status}
            type="button"
            className={`chip status-${c.status}`}
            aria-pressed={statuses.includes(c.status)}
            onClick={() => toggle(c.status)}
            data-testid={`chip-${c.status}`}
          >
            {statusLabel(locale, c.status)} <span className="count">{formatCount(locale, c.count)}</span>
          </button>
        ))}
      </div>
      <label className="select">
        <span>{t("sort")}</span>
        <select value={sort} onChange={(e) => onSort(e.target.value as CustomerSort)} data-testid="sort">
          <option value="newest">{t("sortNewest")}</option>
          <option value="recentlyUpdated">{t("sortUpdated")}</option>
          <option value="name">{t("sortName")}</option>
        </select>
      </label>
    </div>
  );
}
