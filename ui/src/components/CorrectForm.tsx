import { useEffect, useState, type FormEvent } from "react";
import type { FormSpec } from "../bindings/FormSpec";
import type { FormValues } from "../bindings/FormValues";
import { commands, toErrorView, type CustomerDetail, type ErrorView, type FieldError } from "../ipc";
import { label, useI18n } from "../i18n";
import { ErrorBox, Field } from "./Field";
import { FormFields } from "./FormFields";

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The customer's current value of a form field (by its key: `trading_name` → `tradingName`). */
export function currentValue(c: CustomerDetail, key: string): string {
  const id = c.identifiers.find((i) => i.kind === key);
  if (id) return id.value;
  const v = (c as unknown as Record<string, unknown>)[camel(key)];
  return typeof v === "string" ? v : "";
}

/** Only the fields that differ from the customer's: the rest stay as they are. */
export function correctionOf(spec: FormSpec, c: CustomerDetail, v: FormValues): FormValues {
  const out: FormValues = {};
  for (const f of spec.fields) {
    const now = (v[f.key] ?? "").trim();
    if (now !== currentValue(c, f.key).trim()) out[f.key] = now;
  }
  return out;
}

type Props = { spec: FormSpec; customer: CustomerDetail; onClose: () => void; onSaved: () => void };

/** Corrects what the provider lets change; identifiers and the external id are shown read-only. */
export function CorrectForm({ spec, customer, onClose, onSaved }: Props) {
  const { t, locale } = useI18n();
  const [values, setValues] = useState<FormValues>(() =>
    Object.fromEntries(spec.fields.map((f) => [f.key, currentValue(customer, f.key)])),
  );
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [apiError, setApiError] = useState<ErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const correction = correctionOf(spec, customer, values);
  const nothing = Object.keys(correction).length === 0;

  useEffect(() => {
    let live = true;
    const fix = correctionOf(spec, customer, values);
    if (Object.keys(fix).length === 0) return;
    commands
      .validateForm("correct", fix)
      .then((e) => live && setErrors(e))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [spec, customer, values]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (nothing) return;
    setBusy(true);
    setApiError(null);
    setDone(null);
    try {
      const r = await commands.correct(customer.id, correction);
      if (r.outcome === "refused") {
        setApiError(r.error);
        setErrors(r.error.fieldErrors);
      } else {
        setDone(r.outcome === "queued" ? t("uploadQueued") : t("correctDone"));
        onSaved();
      }
    } catch (err) {
      const v = toErrorView(err);
      setApiError(v);
      setErrors(v.fieldErrors);
    } finally {
      setBusy(false);
    }
  }

  const shown = nothing ? [] : errors.filter((e) => e.field !== "correction");
  const fixed = [
    ...customer.identifiers.map((i) => ({ key: i.kind, label: label(locale, `id.${i.kind}`, i.kind), value: i.value })),
    { key: "external_id", label: t("fieldExternalId"), value: customer.externalId ?? "—" },
  ];
  return (
    <form className="panel form" onSubmit={submit} aria-labelledby="correct-title" noValidate data-testid="correct-form">
      <header className="panel-head">
        <h2 id="correct-title">{t("correctTitle", { name: customer.name })}</h2>
        <button type="button" onClick={onClose} aria-label={t("close")}>
          ✕
        </button>
      </header>
      {apiError && <ErrorBox message={apiError.message} requestId={apiError.requestId} />}
      {done && (
        <div className="banner success" role="status" data-testid="correct-done">
          <strong>{done}</strong>
        </div>
      )}
      <p className="hint">{t("readOnlyHint")}</p>
      <div className="grid-3 readonly">
        {fixed.map((f) => (
          <Field key={f.key} name={f.key} label={f.label} value={f.value} onChange={() => {}} errors={[]} show={false} readOnly />
        ))}
      </div>
      <FormFields
        spec={spec}
        values={values}
        onChange={(key, v) => setValues((prev) => ({ ...prev, [key]: v }))}
        errors={shown}
        show={() => true}
      />
      <footer className="panel-foot">
        {nothing && <small className="hint">{t("nothingChanged")}</small>}
        <button type="button" onClick={onClose}>
          {t("cancel")}
        </button>
        <button type="submit" className="primary" disabled={busy || nothing || shown.length > 0} data-testid="correct-submit">
          {busy ? t("saving") : t("save")}
        </button>
      </footer>
    </form>
  );
}
