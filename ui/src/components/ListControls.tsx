import { useQuery } from "@tanstack/react-query";
import type { Ref } from "react";
import { commands } from "../ipc";
import type { CustomerSort } from "../bindings/CustomerSort";
import type { StageCount } from "../bindings/StageCount";
import { formatCount } from "../format";
import { label, useI18n } from "../i18n";
import { TagFilter } from "./TagFilter";

type Props = {
  /** Every connection at once, instead of the one in use. */
  everywhere: boolean;
  onEverywhere: (everywhere: boolean) => void;
  /** Across connections, only these providers' (empty: all). */
  providers: string[];
  onProviders: (providers: string[]) => void;
  /** Only customers with this tag. */
  tag: number | null;
  onTag: (tag: number | null) => void;
  text: string;
  onText: (text: string) => void;
  stages: string[];
  onStages: (stages: string[]) => void;
  counts: StageCount[];
  sort: CustomerSort;
  onSort: (sort: CustomerSort) => void;
  searchRef?: Ref<HTMLInputElement>;
};

/** Search box, stage chips with counts, and the sort order of the customer list. */
export function ListControls({ everywhere, onEverywhere, providers, onProviders, tag, onTag, text, onText, stages, onStages, counts, sort, onSort, searchRef }: Props) {
  const { t, locale } = useI18n();
  const profiles = useQuery({ queryKey: ["profiles"], queryFn: commands.listProfiles });
  // The providers of the connections there are, once each.
  const known = (profiles.data?.providers ?? []).filter((c) => profiles.data?.profiles.some((p) => p.provider === c.id));
  const all = counts.reduce((n, c) => n + c.count, 0);
  const toggle = (stage: string) => onStages(stages.includes(stage) ? stages.filter((s) => s !== stage) : [...stages, stage]);
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
          aria-pressed={stages.length === 0}
          onClick={() => onStages([])}
          data-testid="chip-all"
        >
          {t("allStatuses")} <span className="count">{formatCount(locale, all)}</span>
        </button>
        {counts.map((c) => (
          <button
            key={c.stage}
            type="button"
            className={`chip stage-${c.stage}`}
            aria-pressed={stages.includes(c.stage)}
            onClick={() => toggle(c.stage)}
            data-testid={`chip-${c.stage}`}
          >
            {label(locale, `stage.${c.stage}`, c.stage)} <span className="count">{formatCount(locale, c.count)}</span>
          </button>
        ))}
      </div>
      <TagFilter tag={tag} onTag={onTag} testId="tag-filter" />
      <div className="scope">
        <label className="select">
          <span>{t("connections")}</span>
          <select
            value={everywhere ? "all" : "this"}
            onChange={(e) => onEverywhere(e.target.value === "all")}
            data-testid="scope"
          >
            <option value="this">{t("thisConnection")}</option>
            <option value="all">{t("allConnections")}</option>
          </select>
        </label>
        {everywhere && known.length > 1 && (
          <label className="select">
            <span>{t("colProvider")}</span>
            <select
              value={providers[0] ?? ""}
              onChange={(e) => onProviders(e.target.value ? [e.target.value] : [])}
              data-testid="provider-filter"
            >
              <option value="">{t("anyProvider")}</option>
              {known.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
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
