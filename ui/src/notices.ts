// What the app tells staff about without them looking: a customer who became active,
// a kyc item a reviewer rejected. Worded here, in the user's language, for both the
// in-app toast and the desktop notification.
import type { Notice } from "./bindings/Notice";
import { translate, type Locale } from "./i18n";

export type NoticeText = {
  title: string;
  body: string;
  customerId: string | null;
  /** How the toast is marked: good news, bad news, or a summary of both. */
  tone: "good" | "bad" | "info";
};

/** More than this at once (e.g. after a long time offline) become one summary. */
export const MAX_SEPARATE = 3;

const STORAGE_KEY = "kyc-desk.notifications";

export function describeNotices(locale: Locale, notices: Notice[]): NoticeText[] {
  if (notices.length > MAX_SEPARATE) {
    const active = notices.filter((n) => n.kind === "customerApproved").length;
    return [
      {
        title: translate(locale, "noticeSummaryTitle", { count: notices.length }),
        body: translate(locale, "noticeSummaryBody", { active, rejected: notices.length - active }),
        customerId: null,
        tone: "info",
      },
    ];
  }
  return notices.map((n) =>
    n.kind === "customerApproved"
      ? {
          title: translate(locale, "noticeActiveTitle"),
          body: translate(locale, "noticeActiveBody", { name: n.name }),
          customerId: n.customerId,
          tone: "good",
        }
      : {
          title: translate(locale, "noticeRejectedTitle", { item: n.description }),
          body: n.message
            ? translate(locale, "noticeRejectedBody", { name: n.name, message: n.message })
            : n.name,
          customerId: n.customerId,
          tone: "bad",
        },
  );
}

/** Desktop notifications are on unless turned off in Settings. */
export function desktopNotificationsOn(): boolean {
  return localStorage.getItem(STORAGE_KEY) !== "off";
}

export function setDesktopNotifications(on: boolean) {
  localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
}
