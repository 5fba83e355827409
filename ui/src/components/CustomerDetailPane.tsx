import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import type { ChangeView } from "../bindings/ChangeView";
import type { KycItemView } from "../bindings/KycItemView";
import { commands, toErrorView, type CustomerDetail } from "../ipc";
import { formatDateTime, formatRelative } from "../format";
import { itemStatusLabel, label, useI18n, type Locale } from "../i18n";
import { useProviderSpec } from "../provider";
import { customerStore, useCustomerDetail } from "../store";
import { Biometrics } from "./Biometrics";
import { CorrectForm } from "./CorrectForm";
import { DocumentViewer } from "./DocumentViewer";
import { ErrorBox } from "./Field";
import { IdentityCheck } from "./IdentityCheck";
import { JobBar, useJob } from "./Jobs";
import { NotesAndTags } from "./NotesAndTags";
import { Products } from "./Products";
import { StageBadge } from "./StageBadge";
import { UploadZone } from "./UploadZone";

type Props = { id: string; onClose: () => void };

/**
 * One customer: registration data, status and its history, the kyc checklist with
 * what each item needs, uploads, biometrics and offers. Reads the cache (so it works
 * offline); the core follows the customer while something is in flight (no polling).
 */
export function CustomerDetailPane({ id, onClose }: Props) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const [correcting, setCorrecting] = useState(false);
  const report = useJob();
  // The case report (PDF) in the language the window speaks, into the exports folder.
  const caseReport = () =>
    report.run(
      "jobReport",
      () => commands.caseReport(id, locale),
      (d) => ({ status: "saved", label: "jobReport", path: d.path, rows: d.rows }),
    );
  // Once a capture was started here, its panel stays to show how it ended.
  const [bioStarted, setBioStarted] = useState(false);
  const onSessionChange = useCallback((open: boolean) => {
    if (open) setBioStarted(true);
  }, []);
  const [viewing, setViewing] = useState<string | null>(null);
  // Read from the cache when opened (or after an action here); after that the core
  // pushes this customer's detail into the store whenever it changes.
  // Not kept once closed (gcTime 0): a detail read on an earlier opening would be put in
  // the store over what the core pushed since (documents copied, products arrived).
  const detail = useQuery({ queryKey: ["customer", id], queryFn: () => commands.customerDetail(id), gcTime: 0 });
  useEffect(() => {
    if (detail.data) customerStore.putDetail(detail.data);
  }, [detail.data]);
  const spec = useProviderSpec();
  const c = useCustomerDetail(id) ?? detail.data;

  const reload = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ["customer", id] });
    void queryClient.invalidateQueries({ queryKey: ["customers"] });
  }, [queryClient, id]);

  // Fresh from the API when opened; after that the core follows this customer while a
  // review, a capture or an offer is pending, and says when they change: no polling.
  useEffect(() => {
    let live = true;
    // Watched first, so what the refresh changes is pushed here.
    void commands
      .watchCustomer(id)
      .then(() => commands.refreshCustomer(id))
      .then((changed) => live && changed && reload())
      .catch(() => undefined);
    return () => {
      live = false;
      void commands.watchCustomer(null).catch(() => undefined);
    };
  }, [id, reload]);


  // An approved customer's products, fresh from the API once when opened (the core
  // caches them and pushes the detail if they changed; offline, the cached ones stay).
  const approved = c?.stage === "approved";
  const offersProducts = (spec?.products.length ?? 0) > 0;
  useEffect(() => {
    if (approved && offersProducts) void commands.products(id).catch(() => undefined);
  }, [id, approved, offersProducts]);

  if (detail.isError) {
    const e = toErrorView(detail.error);
    return (
      <section className="panel detail">
        <ErrorBox message={e.message} requestId={e.requestId} />
      </section>
    );
  }
  if (!c || !spec) return <section className="panel detail" aria-busy="true" />;
  const can = spec.capabilities;
  if (correcting && spec.correct)
    return <CorrectForm spec={spec.correct} customer={c} onClose={() => setCorrecting(false)} onSaved={reload} />;

  const biometricsItem = c.kyc.find((i) => i.itemType === "biometrics") ?? null;
  const viewed = c.documents.find((d) => d.id === viewing) ?? null;
  return (
    <section className="panel detail" aria-labelledby="detail-title" data-testid="customer-detail">
      <header className="panel-head">
        <div>
          <h2 id="detail-title" data-testid="detail-name">
            {c.name}
          </h2>
          {c.tradingName && <p className="subtitle">{c.tradingName}</p>}
        </div>
        <StageBadge stage={c.stage} status={c.status} testId="detail-status" />
        {can.checklist && (
          <span className="mono" title={t("kycProgress", { done: c.kycDone, total: c.kycTotal })} data-testid="detail-progress">
            {c.kycDone}/{c.kycTotal}
          </span>
        )}
        <span className="spacer" />
        <button type="button" disabled={report.busy} onClick={() => void caseReport()} data-testid="case-report">
          {t("caseReport")}
        </button>
        {can.correct && spec.correct && (
          <button type="button" onClick={() => setCorrecting(true)} data-testid="correct-open">
            {t("correctData")}
          </button>
        )}
        <button type="button" onClick={onClose} aria-label={t("close")} aria-keyshortcuts="Escape" data-testid="detail-close">
          ✕
        </button>
      </header>

      <JobBar job={report.job} onCancel={report.cancel} onClose={report.clear} />

      <Registration c={c} />

      {!can.correct && !can.upload && (
        <p className="banner info" role="note" data-testid="no-actions">
          {t(c.stage === "rejected" ? "noActionsRejected" : "noActions", { provider: spec.name })}
        </p>
      )}

      {can.checklist && (
        <section aria-labelledby="checklist-title">
          <h3 id="checklist-title">{t("checklist")}</h3>
          <ol className="checklist">
            {c.kyc.map((item) => (
              <ChecklistItem
                key={item.itemType}
                customerId={c.id}
                item={item}
                canUpload={can.upload}
                onChanged={reload}
                onCorrect={() => setCorrecting(true)}
              />
            ))}
          </ol>
        </section>
      )}

      {can.biometrics && biometricsItem && (biometricsItem.action === "biometrics" || bioStarted) && (
        <Biometrics customerId={c.id} itemStatus={biometricsItem.status} onOpenChange={onSessionChange} />
      )}

      {c.documents.length > 0 && (
        <section aria-labelledby="docs-title">
          <h3 id="docs-title">{t("documents")}</h3>
          <ul className="documents">
            {c.documents.map((d) => (
              <li key={d.id} data-testid="document">
                {d.thumbnail && <img src={d.thumbnail} alt="" className="thumb" />}
                <span>{label(locale, `field.${d.itemType}`, d.filename)}</span>
                <small>
                  {d.filename} · {(d.size / 1024).toFixed(0)} KB
                  {d.uploadedAt ? ` · ${formatDateTime(locale, d.uploadedAt)}` : d.hosted ? ` · ${t("hostedCopy")}` : ` · ${t("queued")}`}
                </small>
                {d.localCopy && (
                  <button type="button" onClick={() => setViewing(d.id)}>
                    {t("view")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      {spec.identityCheck && <IdentityCheck customerId={c.id} spec={spec.identityCheck} />}
      {spec.products.length > 0 && (
        <Products customerId={c.id} stage={c.stage} products={c.products} specs={spec.products} />
      )}
      <NotesAndTags customerId={c.id} />
      <Timeline entries={c.timeline} locale={locale} />
      {viewed && <DocumentViewer customer={c} document={viewed} onClose={() => setViewing(null)} />}
    </section>
  );
}

function Registration({ c }: { c: CustomerDetail }) {
  const { t, locale } = useI18n();
  const a = c.address;
  const address = a ? [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(" "), a.state, a.country].filter(Boolean).join(", ") : null;
  const rows: [string, string | null, string][] = [
    ...c.identifiers.map((i): [string, string, string] => [label(locale, `id.${i.kind}`, i.kind), i.value, `id-${i.kind}`]),
    [t("fieldEmail"), c.email, "email"],
    [t("fieldPhone"), c.phone, "phone"],
    [label(locale, "field.birth_date"), c.birthDate, "birth-date"],
    [t("address"), address, "address"],
    [t("fieldExternalId"), c.externalId, "external-id"],
    [t("providerStatus"), c.status, "provider-status"],
    [t("fieldCreated"), formatDateTime(locale, c.createdAt), "created"],
    [t("fieldUpdated"), formatDateTime(locale, c.updatedAt), "updated"],
  ];
  return (
    <section aria-label={t("registration")}>
      <dl className="facts">
        {rows
          .filter(([, v]) => v)
          .map(([label, value, key]) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd className={key.startsWith("id-") ? "mono" : undefined} data-testid={`detail-${key}`}>
                {value}
              </dd>
            </div>
          ))}
      </dl>
    </section>
  );
}

function ChecklistItem({
  customerId,
  item,
  canUpload,
  onChanged,
  onCorrect,
}: {
  customerId: string;
  item: KycItemView;
  canUpload: boolean;
  onChanged: () => void;
  onCorrect: () => void;
}) {
  const { t, locale } = useI18n();
  return (
    <li className={`item item-${item.status}`} data-testid={`item-${item.itemType}`}>
      <div className="item-head">
        <span className="item-description">{item.description}</span>
        <small className="item-kind">
          {t(item.kind === "data" ? "kind.data" : "kind.document")}
          {item.mandatory && ` · ${t("mandatory")}`}
        </small>
        <span className={`badge item-status-${item.status}`} data-testid="item-status">
          {itemStatusLabel(locale, item.status)}
        </span>
      </div>
      {item.message && (
        <p className="item-message" data-testid="item-message">
          {item.message}
        </p>
      )}
      <div className="item-meta">
        {item.uploadedAt && <span>{t("uploadedAt", { when: formatRelative(locale, item.uploadedAt) })}</span>}
        {item.action === "wait" && <span>{t("actionWait")}</span>}
      </div>
      {canUpload && item.kind === "document" && item.itemType !== "biometrics" && (
        // Stays mounted after a send, so its progress and outcome stay on screen while
        // the item moves on to review.
        <UploadZone
          customerId={customerId}
          itemType={item.itemType}
          label={item.description}
          canAdd={item.action === "upload"}
          onSent={onChanged}
        />
      )}
      {item.action === "correct" && (
        <button type="button" onClick={onCorrect}>
          {t("actionCorrect")}
        </button>
      )}
      {item.action === "biometrics" && (
        <button type="button" onClick={() => document.getElementById("bio-title")?.scrollIntoView({ behavior: "smooth" })}>
          {t("actionBiometrics")}
        </button>
      )}
    </li>
  );
}

function Timeline({ entries, locale }: { entries: ChangeView[]; locale: Locale }) {
  const { t } = useI18n();
  const text = (e: ChangeView) => {
    if (e.kind === "identity_check") {
      const check = label(locale, `check.${e.itemType ?? ""}`, e.itemType ?? "");
      return t(e.newValue === "match" ? "timelineCheckMatch" : "timelineCheckMismatch", { check, author: e.message ?? "" });
    }
    if (e.kind === "status") {
      // The provider's own words for its statuses, as they came.
      const to = e.newValue;
      return e.oldValue ? t("timelineStatus", { from: e.oldValue, to }) : t("timelineStatusFirst", { to });
    }
    const item = e.itemType ?? "";
    const to = itemStatusLabel(locale, e.newValue);
    return e.oldValue
      ? t("timelineItem", { item, from: itemStatusLabel(locale, e.oldValue), to })
      : t("timelineItemFirst", { item, to });
  };
  return (
    <section aria-labelledby="timeline-title">
      <h3 id="timeline-title">{t("timeline")}</h3>
      {entries.length === 0 ? (
        <p className="hint">{t("timelineEmpty")}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {entries.map((e, i) => (
            <li key={`${e.at}-${i}`}>
              <time dateTime={e.at}>{formatDateTime(locale, e.at)}</time>
              <span>{text(e)}</span>
              {e.message && e.kind !== "identity_check" && <small>{e.message}</small>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
