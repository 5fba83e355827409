import type { ErrorView } from "../ipc";
import { formatRelative } from "../format";
import { useI18n } from "../i18n";

type Props = {
  credentialsRefused: ErrorView | null;
  offline: boolean;
  lastSync: string | null;
  syncError: ErrorView | null;
  onSettings: () => void;
};

/** What stops work, under the toolbar: refused credentials, no API, a failed sync. */
export function Banners({ credentialsRefused, offline, lastSync, syncError, onSettings }: Props) {
  const { t, locale } = useI18n();
  return (
    <>
      {credentialsRefused && (
        <div className="banner error" role="alert" data-testid="credentials-refused">
          <strong>{t("credentialsRefused")}</strong>
          <button type="button" onClick={onSettings}>
            {t("settings")}
          </button>
          {credentialsRefused.requestId && <small>{t("requestId", { id: credentialsRefused.requestId })}</small>}
        </div>
      )}
      {offline ? (
        <div className="banner offline" role="alert" data-testid="offline-banner">
          <strong>{t("offline")}</strong>
          {lastSync && <small>{t("syncedAt", { when: formatRelative(locale, lastSync) })}</small>}
        </div>
      ) : (
        syncError && (
          <div className="banner error" role="alert" data-testid="sync-error">
            <strong>{t("syncFailed", { message: syncError.message })}</strong>
            {syncError.requestId && <small>{t("requestId", { id: syncError.requestId })}</small>}
          </div>
        )
      )}
    </>
  );
}
