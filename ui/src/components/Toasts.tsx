import { useEffect, useRef, useState } from "react";
import { commands, events, on } from "../ipc";
import { useI18n } from "../i18n";
import { describeNotices, desktopNotificationsOn, type NoticeText } from "../notices";

type Toast = NoticeText & { key: number };

/** How long a toast stays (the desktop notification stays as the OS decides). */
const TOAST_MS = 20_000;
/** Toasts on screen at most; older ones give way. */
const MAX_TOASTS = 4;

/**
 * Notices as toasts in the corner of the window and, unless turned off in Settings,
 * as desktop notifications. Text only: names and review messages come from the API.
 */
export function Toasts({ onOpen }: { onOpen: (customerId: string) => void }) {
  const { t, locale } = useI18n();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(0);
  const localeRef = useRef(locale);
  useEffect(() => {
    localeRef.current = locale;
  }, [locale]);

  useEffect(() => {
    const sub = on(events.notices, (notices) => {
      const texts = describeNotices(localeRef.current, notices);
      const added = texts.map((x) => ({ ...x, key: next.current++ }));
      setToasts((prev) => [...prev, ...added].slice(-MAX_TOASTS));
      for (const a of added) {
        window.setTimeout(() => setToasts((prev) => prev.filter((p) => p.key !== a.key)), TOAST_MS);
        // A failed desktop notification (no notification server) still leaves the toast.
        if (desktopNotificationsOn()) void commands.notifyDesktop(a.title, a.body).catch(() => undefined);
      }
    });
    return () => void sub.then((unlisten) => unlisten());
  }, []);

  const dismiss = (key: number) => setToasts((prev) => prev.filter((p) => p.key !== key));

  return (
    <div className="toasts" role="region" aria-label={t("notifications")} aria-live="polite">
      {toasts.map((x) => (
        <div key={x.key} className={`toast ${x.tone}`} role="status" data-testid="notice">
          <div>
            <strong data-testid="notice-title">{x.title}</strong>
            <p data-testid="notice-body">{x.body}</p>
          </div>
          <div className="toast-actions">
            {x.customerId !== null && (
              <button
                type="button"
                onClick={() => {
                  if (x.customerId !== null) onOpen(x.customerId);
                  dismiss(x.key);
                }}
                data-testid="notice-open"
              >
                {t("open")}
              </button>
            )}
            <button type="button" onClick={() => dismiss(x.key)} aria-label={t("dismiss")}>
              ✕
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
