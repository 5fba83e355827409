import type { ProfileView } from "../bindings/ProfileView";
import type { OutboxSummary } from "../ipc";
import { locales, useI18n, type Locale } from "../i18n";

export type Theme = "light" | "dark";

type Props = {
  profile: ProfileView | undefined;
  /** What the sync is doing, or when it last finished. */
  syncText: string;
  syncing: boolean;
  outbox: OutboxSummary;
  onSync: () => void;
  /** Absent when the provider takes no registrations from the desk. */
  onRegister: (() => void) | undefined;
  onSettings: () => void;
  onRefused: () => void;
  theme: Theme;
  onTheme: (t: Theme) => void;
};

/** The window's toolbar: the connection, sync, the outbox, new customer, settings, language and theme. */
export function Toolbar({ profile, syncText, syncing, outbox, onSync, onRegister, onSettings, onRefused, theme, onTheme }: Props) {
  const { t, locale, setLocale } = useI18n();
  return (
    <header className="toolbar">
      <h1>{t("appTitle")}</h1>
      {profile?.isDemo && (
        <span className="demo-badge" title={t("demoBadgeHint")} data-testid="demo-badge">
          {t("demoBadge")}
        </span>
      )}
      <span className="spacer" />
      <span className="sync-status" role="status" aria-live="polite" data-testid="sync-status">
        {syncText}
      </span>
      {outbox.pending > 0 && (
        <span className="badge" data-testid="outbox-pending">
          {t("outboxPending", { count: outbox.pending })}
        </span>
      )}
      {outbox.failed > 0 && (
        <button type="button" className="badge error" onClick={onRefused} data-testid="outbox-failed">
          {t("outboxFailed", { count: outbox.failed })}
        </button>
      )}
      <button type="button" onClick={onSync} disabled={syncing} aria-keyshortcuts="F5 Control+R" data-testid="sync-now">
        {t("syncNow")}
      </button>
      {onRegister && (
        <button type="button" className="primary" onClick={onRegister} aria-keyshortcuts="Control+N" data-testid="new-customer">
          {t("newCustomer")}
        </button>
      )}
      <button type="button" onClick={onSettings} aria-keyshortcuts="Control+," data-testid="open-settings">
        {t("settings")}
      </button>
      <label className="select">
        <span className="visually-hidden">{t("language")}</span>
        <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label={t("language")} data-testid="language">
          {locales.map((l) => (
            <option key={l} value={l}>
              {l === "en" ? "English" : "Português (Brasil)"}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        onClick={() => onTheme(theme === "dark" ? "light" : "dark")}
        aria-label={`${t("theme")}: ${theme === "dark" ? t("themeDark") : t("themeLight")}`}
        data-testid="theme-toggle"
      >
        {theme === "dark" ? "☾" : "☀"}
      </button>
    </header>
  );
}
