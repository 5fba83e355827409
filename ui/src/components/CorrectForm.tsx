import { useEffect, useState, type FormEvent } from "react";
import { commands, toErrorView, type Correction, type CustomerDetail, type ErrorView, type FieldError } from "../ipc";
import { maskPhone } from "../format";
import { useI18n } from "../i18n";
import { ErrorBox, Field } from "./Field";

type Values = { name: string; email: string; phone: string; tradingName: string };

/** Only the fields that differ from the customer's: `null` leaves one as it is. */
export function correctionOf(c: CustomerDetail, v: Values): Correction {
  const changed = (now: string, before: string | null) => (now.trim() !== (before ?? "").trim() ? now.trim() : null);
  return {
    name: changed(v.name, c.name),
    email: changed(v.email, c.email),
    phone: changed(v.phone, c.phone),
    tradingName: changed(v.tradingName, c.tradingName),
  };
}

type Props = { customer: CustomerDetail; onClose: () => void; onSaved: () => void };

/** Corrects a customer's updatable data; CPF, CNPJ and external id are shown read-only. */
export function CorrectForm({ customer, onClose, onSaved }: Props) {
  const { t } = useI18n();
  const [values, setValues] = useState<Values>({
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    tradingName: customer.tradingName ?? "",
  });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [apiError, setApiError] = useState<ErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const correction = correctionOf(customer, values);
  const nothing = Object.values(correction).every((v) => v === null);

  useEffect(() => {
    let live = true;
    const fix = correctionOf(customer, values);
    if (Object.values(fix).every((v) => v === null)) return;
    commands
      .validateCorrection(fix)
      .then((e) => live && setErrors(e))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [customer, values]);

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
        <Field name="cpf" label={t("fieldCpf")} value={customer.cpf} onChange={() => {}} errors={[]} show={false} readOnly />
        <Field name="cnpj" label={t("fieldCnpj")} value={customer.cnpj ?? "—"} onChange={() => {}} errors={[]} show={false} readOnly />
        <Field
          name="external_id"
          label={t("fieldExternalId")}
          value={customer.externalId ?? "—"}
          onChange={() => {}}
          errors={[]}
          show={false}
          readOnly
        />
      </div>
      <Field name="name" label={t("fieldName")} value={values.name} onChange={(v) => setValues({ ...values, name: v })} errors={shown} show />
      <div className="grid-2">
        <Field
          name="email"
          label={t("fieldEmail")}
          value={values.email}
          onChange={(v) => setValues({ ...values, email: v })}
          errors={shown}
          show
          inputProps={{ type: "email" }}
        />
        <Field
          name="phone"
          label={t("fieldPhone")}
          value={values.phone}
          onChange={(v) => setValues({ ...values, phone: maskPhone(v) })}
          errors={shown}
          show
          hint={t("phoneHint")}
          inputProps={{ type: "tel" }}
        />
      </div>
      <Field
        name="trading_name"
        label={t("fieldTradingName")}
        value={values.tradingName}
        optional
        onChange={(v) => setValues({ ...values, tradingName: v })}
        errors={shown}
        show
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
