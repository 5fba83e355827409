import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { JournalCheck } from "../bindings/JournalCheck";
import type { TagView } from "../bindings/TagView";
import { useState, type FormEvent } from "react";
import type { ConnectorInfo } from "../bindings/ConnectorInfo";
import type { ProfileKind } from "../bindings/ProfileKind";
import { commands, toErrorView, type ErrorView, type FieldError, type NewProfile, type Profile } from "../ipc";
import { useI18n, type MessageKey } from "../i18n";
import { desktopNotificationsOn, setDesktopNotifications } from "../notices";
import { ErrorBox, Field } from "./Field";
import { JobBar, useJob } from "./Jobs";
import { Modal } from "./Modal";

const kindLabel: Record<ProfileKind, MessageKey> = {
  builtinSandbox: "kindBuiltin",
  sandbox: "kindSandbox",
  production: "kindProduction",
  custom: "kindCustom",
};

type Method = "bearer" | "clientCredentials" | "apiKey";
const methodLabel: Record<Method, MessageKey> = { bearer: "bearerToken", clientCredentials: "clientCredentials", apiKey: "apiKey" };
const secretLabel: Record<Method, MessageKey> = { bearer: "bearerToken", clientCredentials: "clientSecret", apiKey: "apiKey" };

type Draft = { name: string; provider: string; kind: ProfileKind; baseUrl: string; method: Method; clientId: string; secret: string };
const emptyDraft = (provider: string): Draft => ({
  name: "",
  provider,
  kind: "sandbox",
  baseUrl: "",
  method: "bearer",
  clientId: "",
  secret: "",
});

/** A saved profile back in the form; the secret is never read back, only replaced. */
function toDraft(p: Profile): Draft {
  return {
    name: p.name,
    provider: p.provider,
    kind: p.kind,
    baseUrl: p.kind === "custom" ? p.baseUrl : "",
    method: p.auth.method,
    clientId: p.auth.method === "clientCredentials" ? p.auth.clientId : "",
    secret: "",
  };
}

function toNewProfile(d: Draft): NewProfile {
  return {
    name: d.name,
    provider: d.provider,
    kind: d.kind,
    baseUrl: d.baseUrl,
    auth: d.method === "clientCredentials" ? { method: "clientCredentials", clientId: d.clientId } : { method: d.method },
    secret: d.secret,
  };
}

/** The draft moved to another provider: an environment and a way of signing in it has. */
function forProvider(d: Draft, c: ConnectorInfo | undefined): Draft {
  if (!c) return d;
  const kind = d.kind === "custom" || c.environments.some((e) => e.key === d.kind) ? d.kind : "custom";
  const method = c.authMethods.includes(d.method) ? d.method : ((c.authMethods[0] ?? "bearer") as Method);
  return { ...d, provider: c.id, kind, method };
}

/**
 * Connection profiles: for each provider, the built-in sandbox, the provider's sandbox
 * and production, custom URLs; the ways of signing in each provider takes. A secret is
 * typed once and goes straight to the OS keychain; it is never shown again, never kept
 * in the UI after saving.
 */
export function Settings({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const profiles = useQuery({ queryKey: ["profiles"], queryFn: commands.listProfiles });
  const providers = profiles.data?.providers ?? [];
  const firstProvider = providers[0]?.id ?? "";
  const [typed, setDraft] = useState<Draft>(() => emptyDraft(firstProvider));
  // What the provider offers decides the environment and sign-in choices (a draft made
  // before the providers were read takes the first).
  const draft = forProvider(typed, providers.find((c) => c.id === typed.provider) ?? providers[0]);
  const connector = providers.find((c) => c.id === draft.provider);
  const providerName = (id: string) => providers.find((c) => c.id === id)?.name ?? id;
  /** The profile the form edits; `null` when it adds a new one. */
  const [editing, setEditing] = useState<Profile | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldError[]>([]);
  const [error, setError] = useState<ErrorView | null>(null);
  const [tested, setTested] = useState<"ok" | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notify, setNotify] = useState(desktopNotificationsOn);

  const set = (change: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...change }));
    setTested(null);
  };

  async function run(what: string, action: () => Promise<unknown>, after?: () => void) {
    setBusy(what);
    setError(null);
    setFieldErrors([]);
    try {
      await action();
      after?.();
    } catch (e) {
      const v = toErrorView(e);
      setError(v);
      setFieldErrors(v.fieldErrors);
    } finally {
      setBusy(null);
    }
  }

  const startEditing = (p: Profile | null) => {
    setEditing(p);
    setDraft(p ? toDraft(p) : emptyDraft(firstProvider));
    setTested(null);
    setError(null);
    setFieldErrors([]);
  };
  const test = () =>
    run("test", () => commands.testNewProfile(toNewProfile(draft), editing?.id ?? null), () => setTested("ok"));
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(
      "save",
      () => (editing ? commands.updateProfile(editing.id, toNewProfile(draft)) : commands.addProfile(toNewProfile(draft))),
      () => {
        // The secret is in the keychain now; the form forgets it.
        startEditing(null);
        void queryClient.invalidateQueries({ queryKey: ["profiles"] });
      },
    );
  };
  const use = (id: string) =>
    run(`use-${id}`, () => commands.switchProfile(id), () => {
      void queryClient.invalidateQueries();
    });
  const remove = (id: string) =>
    run(`remove-${id}`, () => commands.removeProfile(id), () => {
      void queryClient.invalidateQueries({ queryKey: ["profiles"] });
    });

  return (
    <Modal className="panel settings" labelledBy="settings-title" onClose={onClose} testId="settings">
        <header className="panel-head">
          <h2 id="settings-title">{t("settings")}</h2>
          <span className="spacer" />
          <button type="button" onClick={onClose} aria-label={t("close")} data-testid="settings-close">
            ✕
          </button>
        </header>
        {error && <ErrorBox message={error.message} requestId={error.requestId} />}
        <h3>{t("connections")}</h3>
        <ul className="profiles">
          {profiles.data?.profiles.map((p) => {
            const active = p.id === profiles.data.activeId;
            const missing = profiles.data.missingSecrets.includes(p.id);
            return (
              <li
                key={p.id}
                className={active ? "active" : undefined}
                data-testid="profile"
                data-profile-id={p.id}
                data-builtin={p.kind === "builtinSandbox"}
              >
                <div>
                  <strong data-testid="profile-entry-name">{p.kind === "builtinSandbox" ? t("builtinName") : p.name}</strong>
                  <small data-testid="profile-entry-kind">
                    {providerName(p.provider)} · {t(kindLabel[p.kind])}
                    {p.baseUrl && ` · ${p.baseUrl}`}
                  </small>
                  {missing && (
                    <small className="field-error" data-testid="profile-missing-secret">
                      {t("secretMissing")}
                    </small>
                  )}
                </div>
                {p.kind !== "builtinSandbox" && (
                  <button
                    type="button"
                    onClick={() => startEditing(p)}
                    disabled={busy !== null}
                    aria-pressed={editing?.id === p.id}
                    data-testid="profile-edit"
                  >
                    {missing ? t("enterSecret") : t("edit")}
                  </button>
                )}
                {active ? (
                  <span className="badge" data-testid="profile-active">
                    {t("inUse")}
                  </span>
                ) : (
                  <>
                    <button type="button" onClick={() => void use(p.id)} disabled={busy !== null} data-testid="profile-use">
                      {busy === `use-${p.id}` ? t("switching") : t("use")}
                    </button>
                    {p.kind !== "builtinSandbox" && (
                      <button type="button" onClick={() => void remove(p.id)} disabled={busy !== null} data-testid="profile-remove">
                        {t("remove")}
                      </button>
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ul>

        <form className="form" onSubmit={save} noValidate data-testid="profile-form">
          <h3 data-testid="profile-form-title">
            {editing ? t("editConnection", { name: editing.name }) : t("addConnection")}
          </h3>
          <Field name="name" label={t("profileName")} value={draft.name} onChange={(v) => set({ name: v })} errors={fieldErrors} show />
          <div className="grid-2">
            <div className="field">
              <label htmlFor="profile-provider">{t("provider")}</label>
              <select
                id="profile-provider"
                value={draft.provider}
                // A connection keeps its provider (its cache and queued writes are theirs).
                disabled={editing !== null}
                onChange={(e) => setDraft((d) => forProvider(d, providers.find((c) => c.id === e.target.value)))}
                data-testid="profile-provider"
              >
                {providers.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="profile-kind">{t("profileKind")}</label>
              <select
                id="profile-kind"
                value={draft.kind}
                onChange={(e) => set({ kind: e.target.value as ProfileKind })}
                data-testid="profile-kind"
              >
                {connector?.environments.map((env) => (
                  <option key={env.key} value={env.key} title={env.baseUrl}>
                    {t(kindLabel[env.key as ProfileKind] ?? "kindCustom")}
                  </option>
                ))}
                <option value="custom">{t("kindCustom")}</option>
              </select>
            </div>
          </div>
          {draft.kind === "custom" && (
            <Field
              name="baseUrl"
              label={t("baseUrl")}
              value={draft.baseUrl}
              onChange={(v) => set({ baseUrl: v })}
              errors={fieldErrors}
              show
              inputProps={{ placeholder: "https://…/api/v3", type: "url" }}
            />
          )}
          <fieldset className="auth">
            <legend>{t("authMethod")}</legend>
            {(connector?.authMethods ?? ["bearer"]).map((m) => (
              <label key={m}>
                <input
                  type="radio"
                  name="method"
                  checked={draft.method === m}
                  onChange={() => set({ method: m as Method })}
                  data-testid={`method-${m.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`}
                />{" "}
                {t(methodLabel[m as Method] ?? "bearerToken")}
              </label>
            ))}
          </fieldset>
          {draft.method === "clientCredentials" && (
            <Field name="clientId" label={t("clientId")} value={draft.clientId} onChange={(v) => set({ clientId: v })} errors={fieldErrors} show />
          )}
          <Field
            name="secret"
            label={t(secretLabel[draft.method])}
            value={draft.secret}
            onChange={(v) => set({ secret: v })}
            errors={fieldErrors}
            show
            inputProps={{ type: "password", autoComplete: "off" }}
          />
          <p className="hint">{editing ? t("secretKeepHint") : t("secretHint")}</p>
          {tested === "ok" && (
            <p className="banner success" role="status" data-testid="test-ok">
              {t("testOk")}
            </p>
          )}
          <footer className="panel-foot">
            <button type="button" onClick={() => void test()} disabled={busy !== null} data-testid="profile-test">
              {busy === "test" ? t("testing") : t("testConnection")}
            </button>
            {editing && (
              <button type="button" onClick={() => startEditing(null)} disabled={busy !== null} data-testid="profile-edit-cancel">
                {t("cancel")}
              </button>
            )}
            <button type="submit" className="primary" disabled={busy !== null} data-testid="profile-save">
              {t("save")}
            </button>
          </footer>
        </form>

        <h3>{t("notifications")}</h3>
        <label className="check">
          <input
            type="checkbox"
            checked={notify}
            onChange={(e) => {
              setDesktopNotifications(e.target.checked);
              setNotify(e.target.checked);
            }}
            data-testid="desktop-notifications"
          />{" "}
          {t("desktopNotifications")}
        </label>
        <p className="hint">{t("desktopNotificationsHint")}</p>
        <AuthorName />
        <ReviewThreshold />
        <TagsPanel />
        <JournalCheckPanel />
    </Modal>
  );
}

/** Renames and recolours the tags (created from a customer's detail). */
function TagsPanel() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => commands.tags() });
  if ((tags.data?.length ?? 0) === 0) return null;
  return (
    <section aria-labelledby="tags-title" data-testid="tags-panel">
      <h3 id="tags-title">{t("tags")}</h3>
      <ul className="tag-edit-list">
        {tags.data?.map((tag) => (
          <TagRow
            key={`${tag.id}-${tag.name}-${tag.colour}`}
            tag={tag}
            onSaved={() => {
              void qc.invalidateQueries({ queryKey: ["tags"] });
              void qc.invalidateQueries({ queryKey: ["customer-tags"] });
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function TagRow({ tag, onSaved }: { tag: TagView; onSaved: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(tag.name);
  const [colour, setColour] = useState(tag.colour);
  const [error, setError] = useState<ErrorView | null>(null);
  const changed = name.trim() !== tag.name || colour !== tag.colour;
  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await commands.updateTag(tag.id, name.trim(), colour);
      onSaved();
    } catch (err) {
      setError(toErrorView(err));
    }
  }
  return (
    <li>
      <form className="tag-edit" onSubmit={(e) => void save(e)}>
        <input
          type="color"
          value={colour}
          onChange={(e) => setColour(e.target.value)}
          aria-label={t("tagColour")}
        />
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-label={t("tagName")}
          maxLength={40}
          data-testid="tag-rename"
        />
        <button type="submit" disabled={!changed || name.trim() === ""} data-testid="tag-save">
          {t("renameTag")}
        </button>
      </form>
      {error && <ErrorBox message={error.message} requestId={null} />}
    </li>
  );
}

/** Verifies the journal of every action taken in the desk, and says which entries were tampered with. */
function JournalCheckPanel() {
  const { t } = useI18n();
  const [check, setCheck] = useState<JournalCheck | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  const exporting = useJob();
  async function verify() {
    setBusy(true);
    setError(null);
    try {
      setCheck(await commands.verifyJournal());
    } catch (e) {
      setError(toErrorView(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="journal-title" data-testid="journal">
      <h3 id="journal-title">{t("journal")}</h3>
      <p className="hint">{t("journalHint")}</p>
      <div className="actions-row">
        <button type="button" onClick={() => void verify()} disabled={busy} data-testid="verify-journal">
          {busy ? t("working") : t("verifyJournal")}
        </button>
        <button
          type="button"
          disabled={exporting.busy}
          onClick={() =>
            void exporting.run(
              "jobJournal",
              () => commands.journalExport(),
              (d) => ({ status: "saved", label: "jobJournal", path: d.path, rows: d.rows }),
            )
          }
          data-testid="export-journal"
        >
          {t("exportJournal")}
        </button>
      </div>
      <JobBar job={exporting.job} onCancel={exporting.cancel} onClose={exporting.clear} />
      {error && <ErrorBox message={error.message} requestId={null} />}
      {check &&
        (check.clean ? (
          <p className="banner success" role="status" data-testid="journal-clean">
            {t("journalClean", { entries: check.entries })}
          </p>
        ) : (
          <div className="banner error" role="alert" data-testid="journal-tampered">
            <strong>{t("journalProblems")}</strong>
            <ul className="journal-problems">
              {check.problems.map((p, i) => (
                <li key={i} data-testid="journal-problem">
                  {p}
                </li>
              ))}
            </ul>
          </div>
        ))}
      {check && <p className="hint mono">{t("journalFile", { path: check.path })}</p>}
    </section>
  );
}

/** How long a review may take before the work queue lists the customer. */
function ReviewThreshold() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const current = useQuery({ queryKey: ["review-threshold"], queryFn: () => commands.reviewThreshold() });
  const [hours, setHours] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const value = hours ?? String(current.data ?? "");
  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await commands.setReviewThreshold(Number(value));
      setHours(null);
      void qc.invalidateQueries({ queryKey: ["review-threshold"] });
      void qc.invalidateQueries({ queryKey: ["queue"] });
    } catch (err) {
      setError(toErrorView(err));
    }
  }
  return (
    <form className="inline-form" onSubmit={save} data-testid="review-threshold">
      <h3>{t("workQueue")}</h3>
      <label>
        {t("reviewThreshold")}{" "}
        <input type="number" min={1} max={720} value={value} onChange={(e) => setHours(e.target.value)} data-testid="review-hours" />
      </label>{" "}
      <button type="submit" disabled={hours === null}>
        {t("save")}
      </button>
      {error && <ErrorBox message={error.message} requestId={null} />}
    </form>
  );
}

/** The name notes, the journal and the history carry (the OS user's by default). */
function AuthorName() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const current = useQuery({ queryKey: ["author"], queryFn: () => commands.author() });
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await commands.setAuthor(name ?? "");
      setName(null);
      void qc.invalidateQueries({ queryKey: ["author"] });
      void qc.invalidateQueries({ queryKey: ["notes"] });
    } catch (err) {
      setError(toErrorView(err));
    }
  }
  return (
    <form className="inline-form" onSubmit={save} data-testid="author-form">
      <h3>{t("yourName")}</h3>
      <p className="hint">{t("yourNameHint")}</p>
      <input
        value={name ?? current.data ?? ""}
        maxLength={60}
        aria-label={t("yourName")}
        onChange={(e) => setName(e.target.value)}
        data-testid="author-name"
      />{" "}
      <button type="submit" disabled={name === null} data-testid="author-save">
        {t("save")}
      </button>
      {error && <ErrorBox message={error.message} requestId={null} />}
    </form>
  );
}
