import { useQuery } from "@tanstack/react-query";
import { commands } from "../ipc";
import { useI18n } from "../i18n";

/** "Tag: any / …" — narrows a list or the queue to the customers with a tag (hidden while there are no tags). */
export function TagFilter({ tag, onTag, testId }: { tag: number | null; onTag: (tag: number | null) => void; testId: string }) {
  const { t } = useI18n();
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => commands.tags() });
  if ((tags.data?.length ?? 0) === 0) return null;
  return (
    <label className="select">
      <span>{t("tagFilter")}</span>
      <select value={tag ?? ""} onChange={(e) => onTag(e.target.value ? Number(e.target.value) : null)} data-testid={testId}>
        <option value="">{t("allTags")}</option>
        {tags.data?.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </select>
    </label>
  );
}
