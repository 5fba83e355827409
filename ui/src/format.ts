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

/** An amount in reais from the API's decimal string ("15000.00"). */
export function formatBRL(locale: Locale, amount: string): string {
  const n = Number(amount);
  if (!Number.isFinite(n)) return amount;
  return new Intl.NumberFormat(locale, { style: "currency", currency: "BRL" }).format(n);
}

/** A rate such as 0.0299 as "2.99%". */
/** A monthly rate as the API gives it, in percent (3.5 means 3.5 % a month): "3.50%". */
export function formatRate(locale: Locale, percent: number): string {
  return new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    percent / 100,
  );
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

/** Display masks while typing: digits only, formatted as they grow. */
export function maskCpf(input: string): string {
  const d = input.replace(/\D/g, "").slice(0, 11);
  return d
    .replace(/^(\d{3})(\d)/, "$1.$2")
    .replace(/^(\d{3})\.(\d{3})(\d)/, "$1.$2.$3")
    .replace(/\.(\d{3})(\d{1,2})$/, ".$1-$2");
}

export function maskCnpj(input: string): string {
  const d = input.replace(/\D/g, "").slice(0, 14);
  return d
    .replace(/^(\d{2})(\d)/, "$1.$2")
    .replace(/^(\d{2})\.(\d{3})(\d)/, "$1.$2.$3")
    .replace(/^(\d{2})\.(\d{3})\.(\d{3})(\d)/, "$1.$2.$3/$4")
    .replace(/\/(\d{4})(\d{1,2})$/, "/$1-$2");
}

/** Phones are E.164: a leading + and up to 15 digits, whatever separators were typed. */
export function maskPhone(input: string): string {
  // As people write numbers: digits, spaces, dots, dashes, parentheses and a leading +.
  // Which country it is and what it becomes in E.164 is Rust's call (`readPhone`).
  const kept = input.replace(/[^\d\s().+-]/g, "");
  const lead = kept.trimStart().startsWith("+") ? "+" : "";
  return (lead + kept.replace(/\+/g, "").trimStart()).slice(0, 24);
}
