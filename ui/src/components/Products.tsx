import type { ProductView } from "../bindings/ProductView";
import { formatDateTime, formatMoney, formatRate } from "../format";
import { label, useI18n } from "../i18n";

/**
 * What the customer has after KYC (credit offers, cards, wallets), as the core pushed it
 * with the customer: amounts as the API's decimal strings in their currency.
 */
export function Products({ products, approved }: { products: ProductView[]; approved: boolean }) {
  const { t, locale } = useI18n();
  return (
    <section aria-labelledby="products-title" data-testid="offers">
      <h3 id="products-title">{t("products")}</h3>
      {products.length === 0 ? (
        <p className="hint">{approved ? t("productsNone") : t("productsOnlyApproved")}</p>
      ) : (
        <table className="offers">
          <thead>
            <tr>
              <th scope="col">{t("productKind")}</th>
              <th scope="col">{t("productAmount")}</th>
              <th scope="col">{t("productRate")}</th>
              <th scope="col">{t("offerExpires")}</th>
              <th scope="col">{t("offerStatus")}</th>
            </tr>
          </thead>
          <tbody>
            {products.map((p) => (
              <tr key={p.id} data-testid="offer" data-kind={p.kind}>
                <td>
                  {label(locale, `product.${p.kind}`, p.kind)}
                  {p.reference && <small className="mono"> {p.reference}</small>}
                </td>
                <td className="mono" data-testid="offer-amount">
                  {p.amount ? formatMoney(locale, p.amount, p.currency ?? "") : "—"}
                </td>
                <td className="mono" data-testid="offer-rate">
                  {p.ratePercent ? formatRate(locale, p.ratePercent) : "—"}
                </td>
                <td>{p.expiresAt ? formatDateTime(locale, p.expiresAt) : "—"}</td>
                <td>{p.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
