import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { NoteView } from "../bindings/NoteView";
import type { TagView } from "../bindings/TagView";
import { commands, toErrorView, type ErrorView } from "../ipc";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { ErrorBox } from "./Field";

/** Colours offered for a new tag. */
const COLOURS = ["#1976d2", "#d32f2f", "#388e3c", "#f57c00", "#7b1fa2", "#455a64"];

/**
 * A customer's tags (pick, create, take off) and notes (plain text, shown as text; the
 * author can change one for 5 minutes, then it stays as written). Kept in the
 * workspace, apart from the provider's data; every change is journaled.
 */
export function NotesAndTags({ customerId }: { customerId: string }) {
  return (
    <>
      <Tags customerId={customerId} />
      <Notes customerId={customerId} />
    </>
  );
}

function Tags({ customerId }: { customerId: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const all = useQuery({ queryKey: ["tags"], queryFn: () => commands.tags() });
  const mine = useQuery({ queryKey: ["customer-tags", customerId], queryFn: () => commands.customerTags(customerId) });
  const [name, setName] = useState("");
  const [colour, setColour] = useState(COLOURS[0] ?? "#1976d2");
  const [error, setError] = useState<ErrorView | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["tags"] });
    void qc.invalidateQueries({ queryKey: ["customer-tags", customerId] });
    void qc.invalidateQueries({ queryKey: ["tagged"] });
  };
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      refresh();
    } catch (e) {
      setError(toErrorView(e));
    }
  };
  const has = new Set((mine.data ?? []).map((x) => x.id));
  const others = (all.data ?? []).filter((x) => !has.has(x.id));

  async function create(e: FormEvent) {
    e.preventDefault();
    await run(async () => {
      const tag = await commands.createTag(name, colour);
      await commands.tagCustomers([customerId], tag.id, null);
      setName("");
    });
  }

  return (
    <section aria-labelledby="tags-title" data-testid="tags">
      <h3 id="tags-title">{t("tags")}</h3>
      {error && <ErrorBox message={error.message} requestId={null} />}
      <ul className="tag-list">
        {(mine.data ?? []).map((tag) => (
          <li key={tag.id}>
            <TagChip tag={tag} />
            <button
              type="button"
              className="link"
              aria-label={t("untag", { name: tag.name })}
              onClick={() => void run(() => commands.untagCustomer(customerId, tag.id))}
              data-testid="untag"
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <select
          aria-label={t("addTag")}
          value=""
          onChange={(e) => {
            const id = Number(e.target.value);
            if (id) void run(() => commands.tagCustomers([customerId], id, null));
          }}
          data-testid="add-tag"
        >
          <option value="">{t("addTag")}</option>
          {others.map((tag) => (
            <option key={tag.id} value={tag.id}>
              {tag.name}
            </option>
          ))}
        </select>
      )}
      <form className="tag-new" onSubmit={create} data-testid="tag-new">
        <input
          value={name}
          maxLength={40}
          placeholder={t("newTag")}
          aria-label={t("newTag")}
          onChange={(e) => setName(e.target.value)}
          data-testid="tag-name"
        />
        <select aria-label={t("tagColour")} value={colour} onChange={(e) => setColour(e.target.value)} data-testid="tag-colour">
          {COLOURS.map((c) => (
            <option key={c} value={c} style={{ color: c }}>
              {c}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!name.trim()} data-testid="tag-create">
          {t("createTag")}
        </button>
      </form>
    </section>
  );
}

/** A tag, in its colour. */
export function TagChip({ tag }: { tag: TagView }) {
  return (
    <span className="tag" style={{ borderColor: tag.colour, color: tag.colour }} data-testid="tag-chip">
      {tag.name}
    </span>
  );
}

function Notes({ customerId }: { customerId: string }) {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const notes = useQuery({ queryKey: ["notes", customerId], queryFn: () => commands.customerNotes(customerId) });
  const [body, setBody] = useState("");
  const [editing, setEditing] = useState<{ id: number; body: string } | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ["notes", customerId] });

  async function add(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await commands.addNote(customerId, body);
      setBody("");
      refresh();
    } catch (err) {
      setError(toErrorView(err));
    }
  }

  async function save(n: NoteView) {
    if (!editing) return;
    setError(null);
    try {
      await commands.editNote(n.id, editing.body);
      setEditing(null);
      refresh();
    } catch (err) {
      setError(toErrorView(err));
    }
  }

  return (
    <section aria-labelledby="notes-title" data-testid="notes">
      <h3 id="notes-title">{t("notes")}</h3>
      {error && <ErrorBox message={error.message} requestId={null} />}
      <ol className="notes">
        {(notes.data ?? []).map((n) => (
          <li key={n.id} data-testid="note">
            <small>
              {n.author} · {formatDateTime(locale, n.createdAt)}
              {n.editedAt && ` · ${t("noteEdited")}`}
            </small>
            {editing?.id === n.id ? (
              <div className="note-edit">
                <textarea value={editing.body} onChange={(e) => setEditing({ id: n.id, body: e.target.value })} data-testid="note-edit-body" />
                <button type="button" onClick={() => setEditing(null)}>
                  {t("cancel")}
                </button>
                <button type="button" className="primary" onClick={() => void save(n)} data-testid="note-save">
                  {t("save")}
                </button>
              </div>
            ) : (
              <p className="note-body" data-testid="note-body">
                {n.body}
              </p>
            )}
            {n.editable && editing?.id !== n.id && (
              <button type="button" className="link" onClick={() => setEditing({ id: n.id, body: n.body })} data-testid="note-edit">
                {t("edit")}
              </button>
            )}
          </li>
        ))}
      </ol>
      <form onSubmit={add} className="note-new" data-testid="note-new">
        <textarea
          value={body}
          maxLength={5000}
          placeholder={t("notePlaceholder")}
          aria-label={t("addNote")}
          onChange={(e) => setBody(e.target.value)}
          data-testid="note-input"
        />
        <button type="submit" disabled={!body.trim()} data-testid="note-add">
          {t("addNote")}
        </button>
      </form>
    </section>
  );
}
