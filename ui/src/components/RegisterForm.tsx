import { useEffect, useRef, useState, type FormEvent } from "react";
import type { FormSpec } from "../bindings/FormSpec";
import type { FormValues } from "../bindings/FormValues";
import {
  commands,
  events,
  on,
  toErrorView,
  type AttachedFileView,
  type ErrorView,
  type FieldError,
  type FormLayout,
  type WriteView,
} from "../ipc";
import { useI18n } from "../i18n";
import { ErrorBox } from "./Field";
import { FormFields, masked } from "./FormFields";

/** Where drafts lived before they moved into the encrypted cache (read once, then removed). */
const OLD_DRAFT_KEY = "kyc-desk.draft.register";

/** Keys of drafts written before forms were declared in Rust. */
const OLD_KEYS: Record<string, string> = { tradingName: "trading_name", externalId: "external_id" };

/** A saved draft's values (strings only; older drafts' keys renamed). */
function parseDraft(saved: string | null): FormValues | null {
  try {
    const raw: unknown = saved ? JSON.parse(saved) : null;
    if (typeof raw !== "object" || raw === null) return null;
    const out: FormValues = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[OLD_KEYS[k] ?? k] = v;
    return out;
  } catch {
    return null;
  }
}

const isEmpty = (v: FormValues) => Object.values(v).every((x) => !x || x.trim() === "");

/**
 * Files attached to the registration form, kept while the app runs (Rust holds their
 * bytes): closing and reopening the form keeps them, as it keeps what was typed.
 */
let keptFiles: Record<string, AttachedFileView> = {};

/** A draft's values without file ids whose file is no longer held (after a restart). */
function withHeldFiles(spec: FormSpec, values: FormValues): FormValues {
  const stale = new Set(
    spec.fields.filter((f) => f.kind.type === "file" && values[f.key] && keptFiles[f.key]?.id !== values[f.key]).map((f) => f.key),
  );
  return Object.fromEntries(Object.entries(values).filter(([k]) => !stale.has(k)));
}

/** The customer a 409 points at, found in the cache by the value it names. */
async function findConflicting(error: ErrorView, values: FormValues): Promise<{ id: string; name: string } | null> {
  const field = error.fieldErrors[0]?.field;
  const text = field ? values[field] : undefined;
  if (!text) return null;
  const page = await commands.listCustomers({ offset: 0, limit: 5, sort: "recentlyUpdated", text, stages: [], tag: null, everywhere: false, providers: [] });
  const row = page.rows[0];
  return row ? { id: row.id, name: row.name } : null;
}

/**
 * The draft kept in the profile's encrypted cache (Rust), or one an earlier version left
 * in the webview's storage, which is moved into the cache and removed from there.
 */
async function loadDraft(): Promise<FormValues | null> {
  const old = localStorage.getItem(OLD_DRAFT_KEY);
  if (old !== null) {
    await commands.saveDraft("register", old);
    localStorage.removeItem(OLD_DRAFT_KEY);
  }
  return parseDraft(await commands.loadDraft("register"));
}

type Outcome =
  | { kind: "created" | "existed"; customerId: string }
  | { kind: "queued" }
  | { kind: "conflict"; error: ErrorView; existing?: { id: string; name: string } | null }
  | { kind: "refused"; error: ErrorView };

function outcomeOf(v: WriteView): Outcome {
  switch (v.outcome) {
    case "created":
      return { kind: "created", customerId: v.customerId };
    case "existed":
    case "accepted":
      return { kind: "existed", customerId: v.customerId };
    case "queued":
      return { kind: "queued" };
    case "refused":
      return v.error.status === 409 ? { kind: "conflict", error: v.error } : { kind: "refused", error: v.error };
  }
  return { kind: "refused", error: { code: "unexpected", message: "unexpected outcome", fieldErrors: [], requestId: null, status: null } };
}

type Props = {
  /** The provider's registration form, as declared in Rust. */
  spec: FormSpec;
  onClose: () => void;
  onOpenCustomer: (id: string) => void;
  /** A refused registration put back in the form, with the API's reason. */
  initial?: { registration: FormValues; error: ErrorView } | undefined;
};

/**
 * Registers a customer. Validation is Rust's (the same rules the core applies), live
 * as the user types; the API's own field errors land beside the same fields. What was
 * typed is kept as a draft until the customer exists, so closing the form, a refusal
 * or a crash loses nothing.
 */
export function RegisterForm({ spec, onClose, onOpenCustomer, initial }: Props) {
  const { t } = useI18n();
  const [form, setForm] = useState<FormValues>(() => (initial ? masked(spec, initial.registration) : {}));
  const [files, setFiles] = useState<Record<string, AttachedFileView>>(keptFiles);
  const [layout, setLayout] = useState<FormLayout | undefined>(undefined);
  const [progress, setProgress] = useState<{ sent: number; total: number } | null>(null);
  // Until the saved draft is read, nothing is saved over it.
  const [draftRead, setDraftRead] = useState(initial !== undefined);
  // Once the customer exists (or is queued) the draft is dropped and not saved again.
  const [draftDone, setDraftDone] = useState(false);
  // The validators' verdict on what is typed now, and the API's on what was sent.
  const [liveErrors, setLiveErrors] = useState<FieldError[]>([]);
  const [apiErrors, setApiErrors] = useState<FieldError[]>(initial?.error.fieldErrors ?? []);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(initial !== undefined);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(() =>
    initial ? outcomeOf({ outcome: "refused", error: initial.error }) : null,
  );

  useEffect(() => {
    if (draftRead) return;
    let live = true;
    loadDraft()
      .then((saved) => {
        // Typing that began before the draft arrived wins over it.
        if (live && saved) setForm((f) => (isEmpty(f) ? masked(spec, withHeldFiles(spec, saved)) : f));
      })
      .catch(() => undefined)
      .finally(() => {
        if (live) setDraftRead(true);
      });
    return () => {
      live = false;
    };
  }, [draftRead, spec]);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      if (draftRead && !draftDone) void commands.saveDraft("register", JSON.stringify(form)).catch(() => undefined);
      commands
        .validateForm("register", form)
        .then((e) => {
          if (live) setLiveErrors(e);
        })
        .catch(() => undefined);
      commands
        .formLayout("register", form)
        .then((l) => {
          if (live) setLayout(l);
        })
        .catch(() => undefined);
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [form, draftRead, draftDone]);

  const set = (field: string, value: string) => {
    // An API error about a field no longer applies once the field changes.
    setApiErrors((prev) => prev.filter((e) => e.field !== field));
    setForm((f) => ({ ...f, [field]: value }));
    // Typing again after a registration starts a new draft.
    setDraftDone(false);
  };
  const leave = (field: string) => {
    setTouched((s) => new Set(s).add(field));
    const kind = spec.fields.find((f) => f.key === field)?.kind;
    if (kind?.type !== "phone" || !form[field]) return;
    // Shown as it will be sent: `11 99999-9999` becomes `+55 11 99999-9999`.
    const typed = form[field];
    void commands
      .readPhone("register", field, form)
      .then((p) => {
        if (p !== null) setForm((f) => (f[field] === typed ? { ...f, [field]: p } : f));
      })
      .catch(() => undefined);
  };
  const show = (field: string) => submitted || touched.has(field);
  const setFile = (field: string, file: AttachedFileView | null) => {
    const next = Object.fromEntries(Object.entries(keptFiles).filter(([k]) => k !== field));
    if (file) next[field] = file;
    keptFiles = next;
    setFiles(next);
    setTouched((s) => new Set(s).add(field));
  };

  // The files' bytes going out with the registration.
  useEffect(() => {
    const sub = on(events.uploadProgress, (p) => {
      if (p.itemType === "register") setProgress({ sent: Number(p.sent), total: Number(p.total) });
    });
    return () => {
      void sub.then((unlisten) => unlisten());
    };
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    setApiErrors([]);
    try {
      const local = await commands.validateForm("register", form);
      setLiveErrors(local);
      if (local.length > 0) return;
    } catch (err) {
      setOutcome({ kind: "refused", error: toErrorView(err) });
      return;
    }
    setBusy(true);
    setOutcome(null);
    setProgress(null);
    try {
      const result = outcomeOf(await commands.register(form));
      setOutcome(result);
      if (result.kind === "created" || result.kind === "existed" || result.kind === "queued") {
        setDraftDone(true);
        // The outbox holds the files now.
        keptFiles = {};
        setFiles({});
        await commands.clearDraft("register");
      }
      if (result.kind === "refused" || result.kind === "conflict") setApiErrors(result.error.fieldErrors);
      if (result.kind === "conflict") {
        const existing = await findConflicting(result.error, form).catch(() => null);
        setOutcome({ ...result, existing });
      }
    } catch (err) {
      const view = toErrorView(err);
      setOutcome({ kind: "refused", error: view });
      setApiErrors(view.fieldErrors);
    } finally {
      setBusy(false);
    }
  }

  const errors = [...liveErrors, ...apiErrors];

  return (
    <form className="panel form" onSubmit={submit} aria-labelledby="register-title" noValidate data-testid="register-form">
      <header className="panel-head">
        <h2 id="register-title">{t("registerTitle")}</h2>
        <button type="button" onClick={onClose} aria-label={t("close")}>
          ✕
        </button>
      </header>
      <p className="hint">{t("draftKept")}</p>
      {outcome && <OutcomeBox outcome={outcome} onOpenCustomer={onOpenCustomer} />}
      <FormFields
        spec={spec}
        values={form}
        onChange={set}
        onLeave={leave}
        errors={errors}
        show={show}
        layout={layout}
        files={files}
        onFile={setFile}
        autoFocus
      />
      {busy && progress && progress.total > 0 && (
        <div className="send-progress" data-testid="register-progress">
          <progress max={progress.total} value={progress.sent} aria-label={t("sendingFiles")} />
          <small>{t("uploading", { percent: Math.round((100 * progress.sent) / progress.total) })}</small>
        </div>
      )}
      <footer className="panel-foot">
        <button type="button" onClick={onClose}>
          {t("cancel")}
        </button>
        <button type="submit" className="primary" disabled={busy} data-testid="register-submit">
          {busy ? t("registering") : t("register")}
        </button>
      </footer>
    </form>
  );
}

function OutcomeBox({ outcome, onOpenCustomer }: { outcome: Outcome; onOpenCustomer: (id: string) => void }) {
  const box = useRef<HTMLDivElement>(null);
  // Brought into view when a new outcome arrives (the form is long and was sent from its
  // foot) — once, not on every render, so it never pulls the form away from the user.
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: "nearest" });
  }, [outcome]);
  return (
    <div ref={box}>
      <OutcomeText outcome={outcome} onOpenCustomer={onOpenCustomer} />
    </div>
  );
}

function OutcomeText({ outcome, onOpenCustomer }: { outcome: Outcome; onOpenCustomer: (id: string) => void }) {
  const { t } = useI18n();
  switch (outcome.kind) {
    case "created":
    case "existed":
      return (
        <div className={`banner ${outcome.kind === "created" ? "success" : "info"}`} role="status" data-testid={`outcome-${outcome.kind}`}>
          <strong>{t(outcome.kind === "created" ? "registerCreated" : "registerExisted")}</strong>
          <button type="button" className="link" onClick={() => onOpenCustomer(outcome.customerId)}>
            {t("openCustomer")}
          </button>
        </div>
      );
    case "queued":
      return (
        <div className="banner info" role="status" data-testid="outcome-queued">
          <strong>{t("registerQueued")}</strong>
        </div>
      );
    case "conflict":
      return (
        <div data-testid="outcome-conflict">
          <ErrorBox message={`${t("registerConflict")} (${outcome.error.message})`} requestId={outcome.error.requestId} />
          {outcome.existing && (
            <button
              type="button"
              className="link"
              onClick={() => outcome.existing && onOpenCustomer(outcome.existing.id)}
              data-testid="conflict-open"
            >
              {t("openExisting", { name: outcome.existing.name })}
            </button>
          )}
        </div>
      );
    case "refused":
      return (
        <div data-testid="outcome-refused">
          <ErrorBox message={t("registerRefused", { message: outcome.error.message })} requestId={outcome.error.requestId} />
        </div>
      );
  }
}
