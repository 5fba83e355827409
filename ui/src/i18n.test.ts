import { describe, expect, it } from "vitest";
import { dictionaries, label, translate } from "./i18n";
import { formatMoney, formatRate, formatRelative, maskWith } from "./format";

describe("i18n", () => {
  it("has every key in both languages, none empty", () => {
    const en = Object.keys(dictionaries.en).sort();
    expect(Object.keys(dictionaries["pt-BR"]).sort()).toEqual(en);
    for (const d of Object.values(dictionaries)) for (const v of Object.values(d)) expect(v.trim()).not.toBe("");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("pt-BR", "total", { count: "1.234" })).toBe("1.234 clientes");
    expect(translate("en", "syncing")).toBe("Syncing… {count} customers");
  });

  it("words counts in the singular and the plural", () => {
    expect(translate("en", "outboxPending", { count: 1 })).toBe("1 change waiting to be sent");
    expect(translate("en", "outboxPending", { count: 3 })).toBe("3 changes waiting to be sent");
    expect(translate("pt-BR", "outboxFailed", { count: 1 })).toBe("1 alteração recusada pela API");
    expect(translate("pt-BR", "total", { count: "1.234" })).toBe("1.234 clientes");
    expect(translate("pt-BR", "total", { count: 0 })).toBe("0 clientes");
    expect(translate("en", "total", { count: "1" })).toBe("1 customer");
  });

  it("labels stages and keys from Rust per language, unknown ones as they come", () => {
    expect(label("en", "stage.awaiting_customer")).toBe("With customer");
    expect(label("pt-BR", "stage.in_review")).toBe("Em análise");
    expect(label("pt-BR", "stage.paused", "paused")).toBe("paused");
    expect(label("pt-BR", "id.passport")).toBe("Passaporte");
  });

  it("types an identifier in the mask Rust declares for it", () => {
    expect(maskWith("000.000.000-00", "12345678909")).toBe("123.456.789-09");
    expect(maskWith("000.000.000-00", "1234")).toBe("123.4");
    expect(maskWith("00.000.000/0000-00", "11.222333/0001-81999")).toBe("11.222.333/0001-81");
    expect(maskWith("000.000.000-00", "abc")).toBe("");
  });

  it("formats relative times with Intl", () => {
    const now = new Date("2026-03-02T12:00:00Z");
    expect(formatRelative("en", "2026-03-02T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatRelative("pt-BR", "2026-03-02T10:00:00Z", now)).toBe("há 2 horas");
  });

  it("shows the API's monthly rate, given in percent, as that percent", () => {
    expect(formatRate("en", "3.5")).toBe("3.50%");
    expect(formatRate("pt-BR", "2.99")).toMatch(/^2,99\s?%$/);
    expect(formatMoney("en", "50000.00", "BRL")).toBe("R$50,000.00");
    expect(formatMoney("en", "12.5", "USD")).toBe("$12.50");
    // Not a decimal: shown as the API sent it, never guessed.
    expect(formatMoney("en", "lots", "NGN")).toBe("lots NGN");
  });
});
