import { useQuery } from "@tanstack/react-query";
import { commands } from "../ipc";
import { formatBRL, formatDateTime, formatRate } from "../format";
import { useI18n } from "../i18n";

/** The customer's credit offers: amount in BRL, monthly rate, expiry. */
export function Offers({ customerId, active }: { customerId: string; active: boolean }) {
  const { t, locale } = useI18n();
  const offers = useQuery({
    queryKey: ["offers", customerId],
    queryFn: () => commands.creditOffers(customerId),
    // Read again when the core says this customer changed (their offer arrived).
    enabled: active,
  });
  return (
    <section aria-labelledby="offers-title" data-testid="offers">
      <h3 id="offers-title">{t("offers")}</h3>
      {!active ? (
        <p className="hint">{t("offersOnlyActive")}</p>
      ) : (offers.data?.length ?? 0) === 0 ? (
        <p className="hint">{t("offersNone")}</p>
      ) : (
        <table className="offers">
          <thead>
            <tr>
              <th scope="col">{t("offerAmount")}</th>
              <th scope="col">{t("offerRate")}</th>
              <th scope="col">{t("offerExpires")}</th>
              <th scope="col">{t("offerStatus")}</th>
            </tr>
          </thead>
          <tbody>
            {offers.data?.map((o) => (
              <tr key={o.id} data-testid="offer">
                <td className="mono" data-testid="offer-amount">
                  {formatBRL(locale, o.approvedAmount)}
                </td>
                <td className="mono" data-testid="offer-rate">
                  {formatRate(locale, o.interestRate)}
                </td>
                <td>{o.expiresAt ? formatDateTime(locale, o.expiresAt) : "—"}</td>
                <td>{o.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
