import { useEffect, useState } from "react";
import { commands, toErrorView, type BiometricsView, type ErrorView } from "../ipc";
import { formatCountdown } from "../format";
import { useI18n } from "../i18n";
import { ErrorBox } from "./Field";

type Props = {
  customerId: string;
  /** The biometrics item's status: completion shows once it is approved. */
  itemStatus: string | null;
  /** Whether a session is open (the detail pane then refreshes the customer often). */
  onOpenChange: (open: boolean) => void;
};

/** Starts a capture session, shows its link (copy, open in the system browser) and expiry. */
export function Biometrics({ customerId, itemStatus, onOpenChange }: Props) {
  const { t } = useI18n();
  const [session, setSession] = useState<BiometricsView | null>(null);
  const [error, setError] = useState<ErrorView | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!session) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [session]);

  const completed = itemStatus === "approved";
  const left = session ? new Date(session.expiresAt).getTime() - now : 0;
  const open = session !== null && !completed && left > 0;
  useEffect(() => onOpenChange(open), [open, onOpenChange]);
  useEffect(() => () => onOpenChange(false), [onOpenChange]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setSession(await commands.startBiometrics(customerId));
    } catch (e) {
      setError(toErrorView(e));
    } finally {
      setBusy(false);
    }
  }

  async function copy(url: string) {
    await navigator.clipboard.writeText(url);
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }

  return (
    <section className="biometrics" aria-labelledby="bio-title" data-testid="biometrics">
      <h3 id="bio-title">{t("biometrics")}</h3>
      {error && <ErrorBox message={error.message} requestId={error.requestId} />}
      {completed ? (
        <p className="banner success" role="status" data-testid="biometrics-done">
          {t("biometricsDone")}
        </p>
      ) : session === null ? (
        <button type="button" className="primary" onClick={() => void start()} disabled={busy} data-testid="biometrics-start">
          {t("biometricsStart")}
        </button>
      ) : (
        <div className="session">
          <p className="hint">{t("biometricsHint")}</p>
          <label>
            {t("biometricsLink")}
            <input readOnly value={session.sessionUrl} onFocus={(e) => e.target.select()} data-testid="biometrics-url" />
          </label>
          <div className="actions">
            <button type="button" onClick={() => void copy(session.sessionUrl)}>
              {copied ? t("copied") : t("copy")}
            </button>
            <button type="button" onClick={() => void commands.openExternal(session.sessionUrl).catch((e) => setError(toErrorView(e)))}>
              {t("biometricsOpen")}
            </button>
            {left > 0 ? (
              <span className="countdown" role="timer" data-testid="biometrics-expiry">
                {t("biometricsExpiresIn", { time: formatCountdown(left) })}
              </span>
            ) : (
              <span className="error">{t("biometricsExpired")}</span>
            )}
            {left <= 0 && (
              <button type="button" onClick={() => void start()}>
                {t("biometricsStart")}
              </button>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
