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
  totalOne: "1 customer",
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
  "item.pending": "Pending",
  "item.in_review": "In review",
  "item.approved": "Approved",
  "item.rejected": "Rejected",
  "item.pending_correction": "Needs correction",
  "kind.document": "Document",
  "kind.data": "Data",
  search: "Search",
  searchPlaceholder: "Name, CPF, CNPJ, e-mail or external id",
  allStatuses: "All",
  sort: "Sort",
  sortNewest: "Newest",
  sortUpdated: "Recently updated",
  sortName: "Name",
  totalCapped: "{count}+ customers",
  noMatches: "No customer matches this search.",
  newCustomer: "New customer",
  close: "Close",
  cancel: "Cancel",
  retry: "Retry",
  copy: "Copy",
  copied: "Copied",
  selectCustomer: "Select a customer to see their KYC.",
  registration: "Registration",
  fieldCpf: "CPF",
  fieldCnpj: "CNPJ",
  fieldName: "Full name",
  fieldEmail: "E-mail",
  fieldPhone: "Phone",
  fieldTradingName: "Trading name",
  fieldExternalId: "External id",
  fieldCreated: "Registered",
  fieldUpdated: "Updated",
  optional: "optional",
  checklist: "KYC checklist",
  mandatory: "Mandatory",
  uploadedAt: "Received {when}",
  actionUpload: "Upload a document",
  actionCorrect: "Correct the data",
  actionWait: "Awaiting review",
  actionBiometrics: "Start biometrics",
  chooseFiles: "Choose files…",
  dropHere: "or drop PDF, JPEG or PNG files here (10 MB max.)",
  uploading: "Sending… {percent}%",
  uploadDone: "Sent: in review",
  uploadQueued: "Offline: queued, will be sent when the API answers",
  uploadFailed: "Not sent: {message}",
  fileTooBig: "{name} is {size} MB: the limit is 10 MB",
  fileWrongType: "{name} is not a PDF, JPEG or PNG",
  timeline: "History",
  timelineEmpty: "No changes seen yet.",
  timelineStatus: "Status: {from} → {to}",
  timelineStatusFirst: "Status: {to}",
  timelineItem: "{item}: {from} → {to}",
  timelineItemFirst: "{item}: {to}",
  documents: "Documents sent from this computer",
  view: "View",
  queued: "Queued",
  offers: "Credit offers",
  offersNone: "No offers yet.",
  offersOnlyActive: "Offers appear once the customer is active.",
  offerAmount: "Amount",
  offerRate: "Rate (monthly)",
  offerExpires: "Expires",
  offerStatus: "Status",
  biometrics: "Biometrics",
  biometricsStart: "Start biometric capture",
  biometricsOpen: "Open in browser",
  biometricsLink: "Capture link",
  biometricsExpiresIn: "Expires in {time}",
  biometricsExpired: "This link has expired: start a new session.",
  biometricsDone: "Biometric capture completed.",
  biometricsHint: "Send the link to the customer, or open it here in the system browser.",
  correctData: "Correct data",
  correctTitle: "Correct {name}",
  readOnlyHint: "CPF, CNPJ and external id cannot change.",
  save: "Save",
  saving: "Saving…",
  nothingChanged: "Change at least one field.",
  correctDone: "Saved. The new data is being verified.",
  registerTitle: "Register a customer",
  register: "Register",
  registering: "Registering…",
  registerCreated: "Customer created.",
  registerExisted: "This customer was already registered with the same CPF/CNPJ and external id: nothing new was created.",
  registerConflict: "Another customer already has this CPF/CNPJ with a different external id. Nothing was created.",
  registerQueued: "Offline: the registration is queued and will be sent when the API answers. Nothing is lost.",
  registerRefused: "The API refused the registration: {message}",
  openCustomer: "Open the customer",
  draftKept: "Your draft is kept if you close this form.",
  errorGeneric: "Something went wrong: {message}",
  outboxPending: "{count} change(s) waiting to be sent",
  outboxFailed: "{count} change(s) refused by the API",
  "fieldError.required": "Required.",
  "fieldError.invalid_cpf": "Not a valid CPF (check digits).",
  "fieldError.invalid_cnpj": "Not a valid CNPJ (check digits).",
  "fieldError.invalid_email": "Must look like name@example.com.",
  "fieldError.invalid_phone": "Use international format, e.g. +5511999999999.",
  "fieldError.too_long": "Too long.",
  documentViewer: "Document viewer",
  zoomIn: "Zoom in",
  zoomOut: "Zoom out",
  rotate: "Rotate",
  fit: "Fit",
  page: "Page {page} of {pages}",
  previousPage: "Previous page",
  nextPage: "Next page",
  viewerUnavailable: "This document has no copy on this computer.",
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
  totalOne: "1 cliente",
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
  "item.pending": "Pendente",
  "item.in_review": "Em análise",
  "item.approved": "Aprovado",
  "item.rejected": "Reprovado",
  "item.pending_correction": "Requer correção",
  "kind.document": "Documento",
  "kind.data": "Dado",
  search: "Buscar",
  searchPlaceholder: "Nome, CPF, CNPJ, e-mail ou ID externo",
  allStatuses: "Todos",
  sort: "Ordenar",
  sortNewest: "Mais recentes",
  sortUpdated: "Atualizados recentemente",
  sortName: "Nome",
  totalCapped: "{count}+ clientes",
  noMatches: "Nenhum cliente corresponde a esta busca.",
  newCustomer: "Novo cliente",
  close: "Fechar",
  cancel: "Cancelar",
  retry: "Tentar de novo",
  copy: "Copiar",
  copied: "Copiado",
  selectCustomer: "Selecione um cliente para ver o KYC.",
  registration: "Cadastro",
  fieldCpf: "CPF",
  fieldCnpj: "CNPJ",
  fieldName: "Nome completo",
  fieldEmail: "E-mail",
  fieldPhone: "Telefone",
  fieldTradingName: "Nome fantasia",
  fieldExternalId: "ID externo",
  fieldCreated: "Cadastrado",
  fieldUpdated: "Atualizado",
  optional: "opcional",
  checklist: "Checklist de KYC",
  mandatory: "Obrigatório",
  uploadedAt: "Recebido {when}",
  actionUpload: "Enviar um documento",
  actionCorrect: "Corrigir o dado",
  actionWait: "Aguardando análise",
  actionBiometrics: "Iniciar biometria",
  chooseFiles: "Escolher arquivos…",
  dropHere: "ou solte arquivos PDF, JPEG ou PNG aqui (máx. 10 MB)",
  uploading: "Enviando… {percent}%",
  uploadDone: "Enviado: em análise",
  uploadQueued: "Sem conexão: na fila, será enviado quando a API responder",
  uploadFailed: "Não enviado: {message}",
  fileTooBig: "{name} tem {size} MB: o limite é 10 MB",
  fileWrongType: "{name} não é PDF, JPEG nem PNG",
  timeline: "Histórico",
  timelineEmpty: "Nenhuma mudança registrada ainda.",
  timelineStatus: "Situação: {from} → {to}",
  timelineStatusFirst: "Situação: {to}",
  timelineItem: "{item}: {from} → {to}",
  timelineItemFirst: "{item}: {to}",
  documents: "Documentos enviados deste computador",
  view: "Ver",
  queued: "Na fila",
  offers: "Ofertas de crédito",
  offersNone: "Nenhuma oferta ainda.",
  offersOnlyActive: "As ofertas aparecem quando o cliente fica ativo.",
  offerAmount: "Valor",
  offerRate: "Taxa (mensal)",
  offerExpires: "Validade",
  offerStatus: "Situação",
  biometrics: "Biometria",
  biometricsStart: "Iniciar captura biométrica",
  biometricsOpen: "Abrir no navegador",
  biometricsLink: "Link de captura",
  biometricsExpiresIn: "Expira em {time}",
  biometricsExpired: "Este link expirou: inicie uma nova sessão.",
  biometricsDone: "Captura biométrica concluída.",
  biometricsHint: "Envie o link ao cliente ou abra-o aqui no navegador do sistema.",
  correctData: "Corrigir dados",
  correctTitle: "Corrigir {name}",
  readOnlyHint: "CPF, CNPJ e ID externo não podem ser alterados.",
  save: "Salvar",
  saving: "Salvando…",
  nothingChanged: "Altere pelo menos um campo.",
  correctDone: "Salvo. Os novos dados estão sendo verificados.",
  registerTitle: "Cadastrar cliente",
  register: "Cadastrar",
  registering: "Cadastrando…",
  registerCreated: "Cliente criado.",
  registerExisted: "Este cliente já estava cadastrado com o mesmo CPF/CNPJ e ID externo: nada novo foi criado.",
  registerConflict: "Outro cliente já tem este CPF/CNPJ com um ID externo diferente. Nada foi criado.",
  registerQueued: "Sem conexão: o cadastro está na fila e será enviado quando a API responder. Nada se perde.",
  registerRefused: "A API recusou o cadastro: {message}",
  openCustomer: "Abrir o cliente",
  draftKept: "Seu rascunho é mantido se você fechar este formulário.",
  errorGeneric: "Algo deu errado: {message}",
  outboxPending: "{count} alteração(ões) aguardando envio",
  outboxFailed: "{count} alteração(ões) recusada(s) pela API",
  "fieldError.required": "Obrigatório.",
  "fieldError.invalid_cpf": "CPF inválido (dígitos verificadores).",
  "fieldError.invalid_cnpj": "CNPJ inválido (dígitos verificadores).",
  "fieldError.invalid_email": "Use o formato nome@exemplo.com.",
  "fieldError.invalid_phone": "Use o formato internacional, ex. +5511999999999.",
  "fieldError.too_long": "Muito longo.",
  documentViewer: "Visualizador de documentos",
  zoomIn: "Ampliar",
  zoomOut: "Reduzir",
  rotate: "Girar",
  fit: "Ajustar",
  page: "Página {page} de {pages}",
  previousPage: "Página anterior",
  nextPage: "Próxima página",
  viewerUnavailable: "Este documento não tem cópia neste computador.",
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

/** A kyc item status label; unknown ones verbatim. */
export function itemStatusLabel(locale: Locale, status: string): string {
  const key = `item.${status}`;
  return key in en ? translate(locale, key as MessageKey) : status;
}

/**
 * A field error for people: in English the message from Rust or the API as it came;
 * in Portuguese the translation of its code when there is one.
 */
export function fieldErrorText(locale: Locale, code: string, message: string): string {
  const key = `fieldError.${code}`;
  if (locale === "en" || !(key in en)) return message;
  return translate(locale, key as MessageKey);
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
