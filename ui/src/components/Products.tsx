import { useEffect, useState, type FormEvent } from "react";
import type { FormValues } from "../bindings/FormValues";
import type { ProductSpec } from "../bindings/ProductSpec";
import type { ProductView } from "../bindings/ProductView";
import { commands, toErrorView, type CreatedView, type ErrorView, type FieldError } from "../ipc";
import type { ProductAction } from "../bindings/ProductAction";
import type { ProductDetailView } from "../bindings/ProductDetailView";
import { formatDateTime, formatMoney, formatRate } from "../format";
import { label, useI18n } from "../i18n";
import { ErrorBox } from "./Field";
import { FormFields } from "./FormFields";

type Props = {
  customerId: string;
  /** The customer's stage (`approved`, …): products are created only at the one declared. */
  stage: string;
  products: ProductView[];
  /** What the provider declares of its products: actions and the create form. */
  specs: ProductSpec[];
};

/**
 * What the customer has after KYC (credit offers, cards, wallets), as the core pushed it
 * with the customer: amounts as the API's decimal strings in their currency; the
 * actions the provider offers from each product's status; and, where the provider lets
 * staff create one (issue a card), its form.
 */
export function Products({ customerId, stage, products, specs }: Props) {
  const { t, locale } = useI18n();
  const approved = stage === "approved";
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  // Columns only for what these products have (cards have no rate nor expiry).
  const hasRate = products.some((p) => p.ratePercent);
  const hasExpiry = products.some((p) => p.expiresAt);
  const columns = 4 + (hasRate ? 1 : 0) + (hasExpiry ? 1 : 0);
  // Providers with more to say about a product (a wallet's accounts and movements).
  const hasDetails = specs.some((s) => s.kind === "wallet");
  const actionsOf = (p: ProductView) =>
    specs.find((s) => s.kind === p.kind)?.actions.filter((a) => a.from.some((f) => f.toLowerCase() === p.status.toLowerCase())) ?? [];

  // An action that takes a reason asks for it first, beside the product.
  const [asking, setAsking] = useState<{ product: string; action: string; reason: string } | null>(null);
  const [details, setDetails] = useState<string | null>(null);

  async function act(p: ProductView, action: string, reason: string | null) {
    setBusy(`${p.id}:${action}`);
    setError(null);
    try {
      await commands.productAction(customerId, p.id, action, reason);
      setAsking(null);
    } catch (e) {
      setError(toErrorView(e));
    } finally {
      setBusy(null);
    }
  }

  const start = (p: ProductView, a: ProductAction) =>
    a.needsReason ? setAsking({ product: p.id, action: a.name, reason: "" }) : void act(p, a.name, null);

  return (
    <section aria-labelledby="products-title" data-testid="offers">
      <h3 id="products-title">{t("products")}</h3>
      {specs
        .filter((s) => s.create)
        .map((s) => (
          <CreateProduct key={s.kind} customerId={customerId} spec={s} allowed={!s.createAt || s.createAt === stage} />
        ))}
      {error && <ErrorBox message={error.message} requestId={error.requestId} />}
      {products.length === 0 ? (
        <p className="hint" data-testid="products-none">
          {approved ? t("productsNone") : t("productsOnlyApproved")}
        </p>
      ) : (
        <table className="offers">
          <thead>
            <tr>
              <th scope="col">{t("productKind")}</th>
              <th scope="col">{t("productAmount")}</th>
              {hasRate && <th scope="col">{t("productRate")}</th>}
              {hasExpiry && <th scope="col">{t("offerExpires")}</th>}
              <th scope="col">{t("offerStatus")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {products.flatMap((p) => [
              <tr key={p.id} data-testid="offer" data-kind={p.kind} data-status={p.status} data-currency={p.currency ?? undefined}>
                <td>
                  {label(locale, `product.${p.kind}`, p.kind)}
                  {p.reference && <small className="mono"> {p.reference}</small>}
                </td>
                <td className="mono" data-testid="offer-amount">
                  {p.amount ? formatMoney(locale, p.amount, p.currency ?? "") : "—"}
                </td>
                {hasRate && (
                  <td className="mono" data-testid="offer-rate">
                    {p.ratePercent ? formatRate(locale, p.ratePercent) : "—"}
                  </td>
                )}
                {hasExpiry && <td>{p.expiresAt ? formatDateTime(locale, p.expiresAt) : "—"}</td>}
                <td data-testid="product-status">{label(locale, `productStatus.${p.status}`, p.status)}</td>
                <td>
                  <div className="actions">
                  {actionsOf(p).map((a) => (
                    <button
                      key={a.name}
                      type="button"
                      disabled={busy !== null}
                      onClick={() => start(p, a)}
                      data-testid={`product-${a.name}`}
                    >
                      {busy === `${p.id}:${a.name}` ? t("working") : label(locale, `action.${a.name}`, a.name)}
                    </button>
                  ))}
                  {hasDetails && (
                    <button
                      type="button"
                      aria-expanded={details === p.id}
                      onClick={() => setDetails(details === p.id ? null : p.id)}
                      data-testid="product-details"
                    >
                      {t("productDetails")}
                    </button>
                  )}
                  </div>
                </td>
              </tr>,
              asking?.product === p.id && (
                <tr key={`${p.id}-reason`}>
                  <td colSpan={columns}>
                    <form
                      className="reason"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void act(p, asking.action, asking.reason);
                      }}
                      data-testid="reason-form"
                    >
                      <label>
                        {t("reasonFor", { action: label(locale, `action.${asking.action}`, asking.action) })}
                        <input
                          value={asking.reason}
                          maxLength={255}
                          autoFocus
                          onChange={(e) => setAsking({ ...asking, reason: e.target.value })}
                          data-testid="reason-input"
                        />
                      </label>
                      <button type="button" onClick={() => setAsking(null)}>
                        {t("cancel")}
                      </button>
                      <button type="submit" className="primary" disabled={busy !== null || !asking.reason.trim()} data-testid="reason-confirm">
                        {label(locale, `action.${asking.action}`, asking.action)}
                      </button>
                    </form>
                  </td>
                </tr>
              ),
              details === p.id && (
                <tr key={`${p.id}-details`}>
                  <td colSpan={columns}>
                    <ProductDetails customerId={customerId} productId={p.id} />
                  </td>
                </tr>
              ),
            ])}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The form to create a product of a kind (issue a card), checked by Rust as typed. */
function CreateProduct({ customerId, spec, allowed }: { customerId: string; spec: ProductSpec; allowed: boolean }) {
  const { t, locale } = useI18n();
  const form = spec.create;
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CreatedView | null>(null);
  const [failure, setFailure] = useState<ErrorView | null>(null);
  const kindLabel = label(locale, `product.${spec.kind}`, spec.kind);

  useEffect(() => {
    if (!open || !form) return;
    let live = true;
    const timer = setTimeout(() => {
      commands
        .validateForm(form.id, values)
        .then((e) => live && setErrors(e))
        .catch(() => undefined);
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [open, form, values]);

  if (!form) return null;
  if (!allowed)
    return (
      <p className="hint" data-testid={`create-${spec.kind}-unavailable`}>
        {t("createOnlyAt", { kind: kindLabel, stage: label(locale, `stage.${spec.createAt ?? ""}`, spec.createAt ?? "") })}
      </p>
    );

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!form) return;
    setSubmitted(true);
    setFailure(null);
    const local = await commands.validateForm(form.id, values).catch(() => []);
    setErrors(local);
    if (local.length > 0) return;
    setBusy(true);
    try {
      const r = await commands.createProduct(customerId, spec.kind, values);
      setResult(r);
      if (r.outcome !== "notMade") {
        setValues({});
        setSubmitted(false);
        setOpen(false);
      }
    } catch (err) {
      const v = toErrorView(err);
      setFailure(v);
      setErrors(v.fieldErrors);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="create-product">
      {result && (
        <div
          className={`banner ${result.outcome === "notMade" ? "warning" : "success"}`}
          role="status"
          data-testid={`created-${result.outcome}`}
        >
          {result.outcome === "made" && t("createdMade", { kind: kindLabel })}
          {result.outcome === "recovered" && t("createdRecovered", { kind: kindLabel })}
          {result.outcome === "notMade" && t("createdNotMade", { kind: kindLabel, message: result.message })}
        </div>
      )}
      {!open ? (
        <button type="button" onClick={() => setOpen(true)} data-testid={`create-${spec.kind}-open`}>
          {label(locale, `create.${spec.kind}`, spec.kind)}
        </button>
      ) : (
        <form onSubmit={submit} className="inline-form" noValidate data-testid={`create-${spec.kind}-form`}>
          {failure && <ErrorBox message={failure.message} requestId={failure.requestId} />}
          <FormFields
            spec={form}
            values={values}
            onChange={(k, v) => setValues((old) => ({ ...old, [k]: v }))}
            errors={errors}
            show={() => submitted}
            autoFocus
          />
          <div className="panel-foot">
            <button type="button" onClick={() => setOpen(false)}>
              {t("cancel")}
            </button>
            <button type="submit" className="primary" disabled={busy} data-testid={`create-${spec.kind}-submit`}>
              {busy ? t("working") : label(locale, `create.${spec.kind}`, spec.kind)}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** A product's payment methods, recent movements and events, read live when opened. */
function ProductDetails({ customerId, productId }: { customerId: string; productId: string }) {
  const { t, locale } = useI18n();
  const [d, setD] = useState<ProductDetailView | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  useEffect(() => {
    let live = true;
    commands
      .productDetail(customerId, productId)
      .then((v) => live && setD(v))
      .catch((e) => live && setError(toErrorView(e)));
    return () => {
      live = false;
    };
  }, [customerId, productId]);
  if (error) return <ErrorBox message={error.message} requestId={error.requestId} />;
  if (!d) return <p className="hint">{t("loading")}</p>;
  return (
    <div className="product-details" data-testid="product-detail">
      <h4>{t("paymentMethods")}</h4>
      {d.paymentMethods.length === 0 ? (
        <p className="hint">{t("nothingYet")}</p>
      ) : (
        <ul>
          {d.paymentMethods.map((m, i) => (
            <li key={i} data-testid="payment-method">
              {[m.institution, m.reference, m.holder].filter(Boolean).join(" · ")}
            </li>
          ))}
        </ul>
      )}
      <h4>{t("movements")}</h4>
      {d.movements.length === 0 ? (
        <p className="hint">{t("nothingYet")}</p>
      ) : (
        <ul>
          {d.movements.map((m, i) => (
            <li key={i} data-testid="movement">
              <span className="mono">
                {m.direction === "debit" ? "−" : "+"}
                {formatMoney(locale, m.amount, m.currency)}
              </span>{" "}
              {m.description} <small>{[m.status, m.at ? formatDateTime(locale, m.at) : null].filter(Boolean).join(" · ")}</small>
            </li>
          ))}
        </ul>
      )}
      {d.events.length > 0 && (
        <>
          <h4>{t("productEvents")}</h4>
          <ul>
            {d.events.map((e, i) => (
              <li key={i} data-testid="product-event">
                {[e.at ? formatDateTime(locale, e.at) : null, e.status ? label(locale, `productStatus.${e.status}`, e.status) : e.kind, e.reason]
                  .filter(Boolean)
                  .join(" · ")}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
