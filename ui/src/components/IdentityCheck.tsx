import { useState, type FormEvent } from "react";
import type { FormValues } from "../bindings/FormValues";
import type { IdentityCheckSpec } from "../bindings/IdentityCheckSpec";
import { commands, toErrorView, type ErrorView, type FieldError } from "../ipc";
import type { IdentityCheckView } from "../bindings/IdentityCheckView";
import { label, useI18n } from "../i18n";
import { ErrorBox } from "./Field";
import { FormFields } from "./FormFields";

/**
 * A reviewer's identity check (a BVN lookup): after the customer's consent is
 * confirmed, the record found is shown beside what the customer declared, each
 * difference flagged. The record lives only on this screen: closing it forgets it; the
 * timeline keeps who checked, when, and whether it matched.
 */
export function IdentityCheck({ customerId, spec }: { customerId: string; spec: IdentityCheckSpec }) {
  const { t, locale } = useI18n();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<IdentityCheckView | null>(null);
  const [failure, setFailure] = useState<ErrorView | null>(null);
  const name = label(locale, `check.${spec.id}`, spec.id);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    setFailure(null);
    const local = await commands.validateForm(spec.form.id, values).catch(() => []);
    setErrors(local);
    if (local.length > 0) return;
    setBusy(true);
    try {
      setResult(await commands.identityCheck(customerId, values));
    } catch (err) {
      const v = toErrorView(err);
      setFailure(v);
      setErrors(v.fieldErrors);
    } finally {
      setBusy(false);
    }
  }

  function close() {
    setOpen(false);
    setResult(null);
    setValues({});
    setSubmitted(false);
  }

  return (
    <section aria-labelledby="identity-title" data-testid="identity-check">
      <h3 id="identity-title">{name}</h3>
      {!open ? (
        <button type="button" onClick={() => setOpen(true)} data-testid="identity-open">
          {t("identityRun", { check: name })}
        </button>
      ) : result ? (
        <div>
          <div className={`banner ${result.matches ? "success" : "warning"}`} role="status" data-testid="identity-verdict">
            <strong>{result.matches ? t("identityMatches") : t("identityMismatch")}</strong>
          </div>
          <table className="offers identity">
            <thead>
              <tr>
                <th scope="col">{t("identityFact")}</th>
                <th scope="col">{t("identityFound")}</th>
                <th scope="col">{t("identityDeclared")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("identityVerdict")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {result.facts.map((f) => (
                <tr key={f.key} data-testid="identity-fact" data-key={f.key} className={f.matches === false ? "mismatch" : undefined}>
                  <td>{label(locale, `fact.${f.key}`, f.key)}</td>
                  <td data-testid="identity-found">{f.found}</td>
                  <td>{f.declared ?? "—"}</td>
                  <td data-testid="identity-match">
                    {f.matches === null ? t("identityNotCompared") : f.matches ? "✓" : `✗ ${t("identityDiffers")}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">{t("identityNotKept")}</p>
          <button type="button" onClick={close} data-testid="identity-close">
            {t("close")}
          </button>
        </div>
      ) : (
        <form onSubmit={submit} className="inline-form" noValidate data-testid="identity-form">
          {failure && <ErrorBox message={failure.message} requestId={failure.requestId} />}
          <FormFields
            spec={spec.form}
            values={values}
            onChange={(k, v) => setValues((old) => ({ ...old, [k]: v }))}
            errors={errors}
            show={() => submitted}
            autoFocus
          />
          <div className="panel-foot">
            <button type="button" onClick={close}>
              {t("cancel")}
            </button>
            <button type="submit" className="primary" disabled={busy} data-testid="identity-submit">
              {busy ? t("working") : t("identityRun", { check: name })}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
