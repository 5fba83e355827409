import { useEffect, useState, type FormEvent } from "react";
import { commands, toErrorView, type ErrorView, type FieldError, type Registration, type WriteView } from "../ipc";
import { maskCnpj, maskCpf, maskPhone } from "../format";
import { useI18n } from "../i18n";
import { ErrorBox, Field } from "./Field";

/** Where drafts lived before they moved into the encrypted cache (read once, then removed). */
const OLD_DRAFT_KEY = "kyc-desk.draft.register";

export const emptyRegistration: Registration = {
  cpf: "",
  cnpj: "",
  name: "",
  email: "",
  phone: "",
  tradingName: "",
  externalId: "",
};

/**
 * The draft kept in the profile's encrypted cache (Rust), or one an earlier version left
 * in the webview's storage, which is moved into the cache and removed from there.
 */
async function loadDraft(): Promise<Registration | null> {
  const parse = (saved: string | null) => {
    try {
      return saved ? { ...emptyRegistration, ...(JSON.parse(saved) as Partial<Registration>) } : null;
    } catch {
      return null;
    }
  };
  const old = localStorage.getItem(OLD_DRAFT_KEY);
  if (old !== null) {
    await commands.saveDraft("register", old);
    localStorage.removeItem(OLD_DRAFT_KEY);
  }
  return parse(await commands.loadDraft("register"));
}

const sameAs = (a: Registration, b: Registration) => JSON.stringify(a) === JSON.stringify(b);

type Outcome =
  | { kind: "created" | "existed"; customerId: string }
  | { kind: "queued" }
  | { kind: "conflict"; error: ErrorView }
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
  onClose: () => void;
  onOpenCustomer: (id: string) => void;
  /** A refused registration put back in the form, with the API's reason. */
  initial?: { registration: Registration; error: ErrorView } | undefined;
};

/** A registration as stored (digits only) in the form's masks. */
function masked(r: Registration): Registration {
  return { ...r, cpf: maskCpf(r.cpf), cnpj: r.cnpj ? maskCnpj(r.cnpj) : "", phone: maskPhone(r.phone) };
}

/**
 * Registers a customer. Validation is Rust's (the same rules the core applies), live
 * as the user types; the API's own field errors land beside the same fields. What was
 * typed is kept as a draft until the customer exists, so closing the form, a refusal
 * or a crash loses nothing.
 */
export function RegisterForm({ onClose, onOpenCustomer, initial }: Props) {
  const { t } = useI18n();
  const [form, setForm] = useState<Registration>(() => (initial ? masked(initial.registration) : emptyRegistration));
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
        if (live && saved) setForm((f) => (sameAs(f, emptyRegistration) ? saved : f));
      })
      .catch(() => undefined)
      .finally(() => {
        if (live) setDraftRead(true);
      });
    return () => {
      live = false;
    };
  }, [draftRead]);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      if (draftRead && !draftDone) void commands.saveDraft("register", JSON.stringify(form)).catch(() => undefined);
      commands
        .validateRegistration(form)
        .then((e) => {
          if (live) setLiveErrors(e);
        })
        .catch(() => undefined);
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [form, draftRead, draftDone]);

  const set = (field: keyof Registration, value: string) => {
    // An API error about a field no longer applies once the field changes.
    setApiErrors((prev) => prev.filter((e) => e.field !== wire(field)));
    setForm((f) => ({ ...f, [field]: value }));
    // Typing again after a registration starts a new draft.
    setDraftDone(false);
  };
  const leave = (field: string) => setTouched((s) => new Set(s).add(field));
  const show = (field: string) => submitted || touched.has(field);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    const local = await commands.validateRegistration(form);
    setLiveErrors(local);
    setApiErrors([]);
    if (local.length > 0) return;
    setBusy(true);
    setOutcome(null);
    try {
      const result = outcomeOf(await commands.register(form));
      setOutcome(result);
      if (result.kind === "created" || result.kind === "existed" || result.kind === "queued") {
        setDraftDone(true);
        await commands.clearDraft("register");
      }
      if (result.kind === "refused") setApiErrors(result.error.fieldErrors);
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
      <div className="grid-2">
        <Field
          name="cpf"
          label={t("fieldCpf")}
          value={form.cpf}
          onChange={(v) => set("cpf", maskCpf(v))}
          onBlur={() => leave("cpf")}
          errors={errors}
          show={show("cpf")}
          inputProps={{ inputMode: "numeric", autoFocus: true, placeholder: "000.000.000-00" }}
        />
        <Field
          name="cnpj"
          label={t("fieldCnpj")}
          value={form.cnpj}
          optional
          onChange={(v) => set("cnpj", maskCnpj(v))}
          onBlur={() => leave("cnpj")}
          errors={errors}
          show={show("cnpj")}
          inputProps={{ inputMode: "numeric", placeholder: "00.000.000/0000-00" }}
        />
      </div>
      <Field
        name="name"
        label={t("fieldName")}
        value={form.name}
        onChange={(v) => set("name", v)}
        onBlur={() => leave("name")}
        errors={errors}
        show={show("name")}
        inputProps={{ autoComplete: "off" }}
      />
      <div className="grid-2">
        <Field
          name="email"
          label={t("fieldEmail")}
          value={form.email}
          onChange={(v) => set("email", v)}
          onBlur={() => leave("email")}
          errors={errors}
          show={show("email")}
          inputProps={{ type: "email", autoComplete: "off" }}
        />
        <Field
          name="phone"
          label={t("fieldPhone")}
          value={form.phone}
          onChange={(v) => set("phone", maskPhone(v))}
          onBlur={() => {
            leave("phone");
            // Shown as it will be sent: `11 99999-9999` becomes `+55 11 99999-9999`.
            void commands
              .readPhone(form.phone)
              .then((p) => {
                if (p !== null) setForm((f) => (f.phone === form.phone ? { ...f, phone: p } : f));
              })
              .catch(() => undefined);
          }}
          errors={errors}
          show={show("phone")}
          hint={t("phoneHint")}
          inputProps={{ type: "tel", placeholder: "(11) 99999-9999" }}
        />
      </div>
      <div className="grid-2">
        <Field
          name="trading_name"
          label={t("fieldTradingName")}
          value={form.tradingName}
          optional
          onChange={(v) => set("tradingName", v)}
          onBlur={() => leave("trading_name")}
          errors={errors}
          show={show("trading_name")}
        />
        <Field
          name="external_id"
          label={t("fieldExternalId")}
          value={form.externalId}
          optional
          onChange={(v) => set("externalId", v)}
          onBlur={() => leave("external_id")}
          errors={errors}
          show={show("external_id")}
        />
      </div>
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

/** The wire name of a form field, as errors name it. */
function wire(field: keyof Registration): string {
  return field === "tradingName" ? "trading_name" : field === "externalId" ? "external_id" : field;
}

function OutcomeBox({ outcome, onOpenCustomer }: { outcome: Outcome; onOpenCustomer: (id: string) => void }) {
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
