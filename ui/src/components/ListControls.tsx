import { useQuery } from "@tanstack/react-query";
import type { Ref } from "react";
import { commands } from "../ipc";
import type { CustomerSort } from "../bindings/CustomerSort";
import type { StageCount } from "../bindings/StageCount";
import { formatCount } from "../format";
import { label, useI18n } from "../i18n";

type Props = {
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
export function ListControls({ tag, onTag, text, onText, stages, onStages, counts, sort, onSort, searchRef }: Props) {
  const { t, locale } = useI18n();
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => commands.tags() });
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
      {(tags.data?.length ?? 0) > 0 && (
        <label className="select">
          <span>{t("tagFilter")}</span>
          <select
            value={tag ?? ""}
            onChange={(e) => onTag(e.target.value ? Number(e.target.value) : null)}
            data-testid="tag-filter"
          >
            <option value="">{t("allTags")}</option>
            {tags.data?.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
      )}
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
