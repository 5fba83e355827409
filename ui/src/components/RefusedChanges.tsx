import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { commands, toErrorView, type ErrorView, type RefusedWrite } from "../ipc";
import { formatDateTime } from "../format";
import { fieldErrorText, useI18n, type MessageKey } from "../i18n";
import { ErrorBox } from "./Field";
import { Modal } from "./Modal";

const kindLabel: Record<string, MessageKey> = {
  register: "refusedRegister",
  correct: "refusedCorrect",
  upload: "refusedUpload",
};

type Props = {
  onClose: () => void;
  /** Puts a refused registration back in the registration form. */
  onEditRegistration: (w: RefusedWrite) => void;
  onOpenCustomer: (id: string) => void;
};

/**
 * Writes saved while offline and refused when they were sent: each with the API's
 * message, field errors and request id, and a way to redo it. API text is text.
 */
export function RefusedChanges({ onClose, onEditRegistration, onOpenCustomer }: Props) {
  const { t, locale } = useI18n();
  const queryClient = useQueryClient();
  const refused = useQuery({ queryKey: ["refused"], queryFn: commands.refusedWrites });
  const [error, setError] = useState<ErrorView | null>(null);
  /** The refused upload whose dismissal (which deletes its file's copy) awaits a yes. */
  const [confirming, setConfirming] = useState<number | null>(null);

  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    setConfirming(null);
    try {
      await what();
    } catch (e) {
      setError(toErrorView(e));
    } finally {
      await queryClient.invalidateQueries({ queryKey: ["refused"] });
    }
  };
  const dismiss = (seq: number) => act(() => commands.dismissWrite(seq));
  const retry = (seq: number) => act(() => commands.retryWrite(seq));

  return (
    <Modal className="panel refused" labelledBy="refused-title" onClose={onClose} testId="refused-changes">
      <header className="panel-head">
        <h2 id="refused-title">{t("refusedTitle")}</h2>
        <span className="spacer" />
        <button type="button" onClick={onClose} aria-label={t("close")}>
          ✕
        </button>
      </header>
      <p className="hint">{t("refusedHint")}</p>
      {error && <ErrorBox message={error.message} requestId={error.requestId} />}
      {refused.data?.length === 0 && <p className="empty">{t("refusedNone")}</p>}
      <ul className="refused-list">
        {refused.data?.map((w) => (
          <li key={w.seq} data-testid="refused-write">
            <div className="refused-head">
              <strong data-testid="refused-label">
                {t(kindLabel[w.kind] ?? "refusedCorrect")}: {w.label}
              </strong>
              <small>{t("queuedAt", { when: formatDateTime(locale, w.queuedAt) })}</small>
            </div>
            <ErrorBox message={w.error.message} requestId={w.error.requestId} />
            {w.error.fieldErrors.length > 0 && (
              <ul className="field-errors">
                {w.error.fieldErrors.map((f) => (
                  <li key={`${f.field}-${f.code}`}>
                    <code>{f.field}</code>: {fieldErrorText(locale, f.code, f.message)}
                  </li>
                ))}
              </ul>
            )}
            <div className="refused-actions">
              {w.registration && (
                <button
                  type="button"
                  className="primary"
                  onClick={() => {
                    onEditRegistration(w);
                    void dismiss(w.seq);
                  }}
                  data-testid="refused-edit"
                >
                  {t("editInForm")}
                </button>
              )}
              {!w.registration && w.customerId !== null && (
                <button
                  type="button"
                  onClick={() => {
                    if (w.customerId !== null) onOpenCustomer(w.customerId);
                  }}
                >
                  {t("openCustomer")}
                </button>
              )}
              <button type="button" onClick={() => void retry(w.seq)} data-testid="refused-retry">
                {t("retry")}
              </button>
              {confirming === w.seq ? (
                <span className="confirm" role="group" aria-label={t("dismissUploadConfirm")}>
                  <span>{t("dismissUploadConfirm")}</span>
                  <button
                    type="button"
                    className="danger"
                    autoFocus
                    onClick={() => void dismiss(w.seq)}
                    data-testid="refused-dismiss-confirm"
                  >
                    {t("dismissAndDelete")}
                  </button>
                  <button type="button" onClick={() => setConfirming(null)}>
                    {t("cancel")}
                  </button>
                </span>
              ) : (
                <button
                  type="button"
                  onClick={() => (w.kind === "upload" ? setConfirming(w.seq) : void dismiss(w.seq))}
                  data-testid="refused-dismiss"
                >
                  {t("dismiss")}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
