import type { Locale } from "./i18n";

export function formatDateTime(locale: Locale, iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" }).format(d);
}

export function formatRelative(locale: Locale, iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const abs = Math.abs(seconds);
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  return rtf.format(Math.round(seconds / 86400), "day");
}

export function formatCount(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale).format(n);
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * An amount from the API's decimal string ("15000.00") in its currency. The string goes
 * to Intl as it is (read exactly, never through a float); anything else is shown as sent.
 */
export function formatMoney(locale: Locale, amount: string, currency: string): string {
  if (!DECIMAL.test(amount)) return currency ? `${amount} ${currency}` : amount;
  try {
    const f = new Intl.NumberFormat(locale, currency ? { style: "currency", currency } : {});
    return f.format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A monthly rate as the API gives it, in percent ("3.5" means 3.5 % a month): "3,50 %". */
export function formatRate(locale: Locale, percent: string): string {
  if (!DECIMAL.test(percent)) return percent;
  const f = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${f.format(percent as unknown as number)}%`;
}

/** A countdown, "4:05" or "1:02:03". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/**
 * A display mask while typing, from the pattern Rust declares for the field (`0` a
 * digit, anything else punctuation): digits only, formatted as they grow.
 */
export function maskWith(pattern: string, input: string): string {
  const digits = input.replace(/\D/g, "").slice(0, pattern.replace(/[^0]/g, "").length);
  let out = "";
  let i = 0;
  for (const p of pattern) {
    if (i >= digits.length) break;
    out += p === "0" ? digits[i++] : p;
  }
  return out;
}

/** Phones are E.164: a leading + and up to 15 digits, whatever separators were typed. */
export function maskPhone(input: string): string {
  // As people write numbers: digits, spaces, dots, dashes, parentheses and a leading +.
  // Which country it is and what it becomes in E.164 is Rust's call (`readPhone`).
  const kept = input.replace(/[^\d\s().+-]/g, "");
  const lead = kept.trimStart().startsWith("+") ? "+" : "";
  return (lead + kept.replace(/\+/g, "").trimStart()).slice(0, 24);
}
