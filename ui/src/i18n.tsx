// Strings in English and Brazilian Portuguese from one typed dictionary: a key missing
// from either language is a type error. Dates and numbers go through Intl.
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";

const en = {
  appTitle: "KYC Desk",
  demoBadge: "Demo data · built-in sandbox",
  demoBadgeHint: "You are connected to the local sandbox that ships with the app. Nothing here reaches Dinie.",
  customers: "Customers",
  colName: "Name",
  colDocument: "CPF / CNPJ",
  colStatus: "Status",
  colKyc: "KYC",
  colUpdated: "Updated",
  syncNow: "Sync now",
  syncing: "Syncing… {count} customers",
  syncedAt: "Last sync {when}",
  neverSynced: "Not synced yet",
  syncFailed: "Sync failed: {message}",
  offline: "Offline: showing cached data. The API could not be reached.",
  requestId: "Request id {id}",
  total: "{count} customers",
  emptyTitle: "No customers yet",
  emptyBody: "Press Sync now to fetch customers from the API.",
  loading: "Loading…",
  language: "Language",
  theme: "Theme",
  themeLight: "Light",
  themeDark: "Dark",
  kycProgress: "{done} of {total} KYC items approved",
  "status.pending_kyc": "Pending KYC",
  "status.under_review": "Under review",
  "status.active": "Active",
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const ptBR: Dictionary = {
  appTitle: "KYC Desk",
  demoBadge: "Dados de demonstração · sandbox embutido",
  demoBadgeHint: "Você está conectado ao sandbox local que acompanha o app. Nada aqui chega à Dinie.",
  customers: "Clientes",
  colName: "Nome",
  colDocument: "CPF / CNPJ",
  colStatus: "Situação",
  colKyc: "KYC",
  colUpdated: "Atualizado",
  syncNow: "Sincronizar",
  syncing: "Sincronizando… {count} clientes",
  syncedAt: "Última sincronização {when}",
  neverSynced: "Ainda não sincronizado",
  syncFailed: "Falha na sincronização: {message}",
  offline: "Sem conexão: mostrando dados em cache. Não foi possível acessar a API.",
  requestId: "ID da requisição {id}",
  total: "{count} clientes",
  emptyTitle: "Nenhum cliente ainda",
  emptyBody: "Clique em Sincronizar para buscar os clientes na API.",
  loading: "Carregando…",
  language: "Idioma",
  theme: "Tema",
  themeLight: "Claro",
  themeDark: "Escuro",
  kycProgress: "{done} de {total} itens de KYC aprovados",
  "status.pending_kyc": "KYC pendente",
  "status.under_review": "Em análise",
  "status.active": "Ativo",
};

export const dictionaries = { en, "pt-BR": ptBR } satisfies Record<string, Dictionary>;
export type Locale = keyof typeof dictionaries;
export const locales: Locale[] = ["en", "pt-BR"];

export function translate(locale: Locale, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template: string = dictionaries[locale][key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A status label; statuses this version does not know are shown as they come. */
export function statusLabel(locale: Locale, status: string): string {
  const key = `status.${status}`;
  return key in en ? translate(locale, key as MessageKey) : status;
}

export function initialLocale(): Locale {
  const saved = localStorage.getItem("kyc-desk.locale");
  if (saved === "en" || saved === "pt-BR") return saved;
  return navigator.language.toLowerCase().startsWith("pt") ? "pt-BR" : "en";
}

type I18n = {
  locale: Locale;
  setLocale: (l: Locale) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
};

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, locale: fixed }: { children: ReactNode; locale?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(fixed ?? initialLocale);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale: (l) => {
        localStorage.setItem("kyc-desk.locale", l);
        document.documentElement.lang = l;
        setLocaleState(l);
      },
      t: (key, vars) => translate(locale, key, vars),
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error("useI18n outside I18nProvider");
  return ctx;
}
