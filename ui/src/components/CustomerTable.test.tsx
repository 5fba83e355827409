import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CustomerRow } from "../bindings/CustomerRow";
import { I18nProvider, type Locale } from "../i18n";
import { CustomerTable } from "./CustomerTable";

afterEach(cleanup);

function row(i: number, over: Partial<CustomerRow> = {}): CustomerRow {
  return {
    id: `cust_${i}`,
    name: `Cliente ${i}`,
    tradingName: null,
    identifiers: [{ kind: "cpf", value: "123.456.789-09" }],
    externalId: `ref-${i}`,
    status: "pending_kyc",
    stage: "awaiting_customer",
    kycDone: 2,
    kycTotal: 6,
    updatedAt: "2026-03-02T10:21:00Z",
    ...over,
  };
}

function renderTable(rows: CustomerRow[], total = rows.length, locale: Locale = "en", onRange?: (a: number, b: number) => void) {
  return render(
    <I18nProvider locale={locale}>
      <CustomerTable rows={rows} total={total} {...(onRange ? { onRange } : {})} />
    </I18nProvider>,
  );
}

describe("CustomerTable", () => {
  it("picks rows with Ctrl-click, Shift-click, Space and Ctrl+A without opening them, and shows the picked ones", () => {
    const rows = Array.from({ length: 4 }, (_, i) => row(i));
    const onOpen = vi.fn();
    const onPick = vi.fn();
    const onPickAll = vi.fn();
    render(
      <I18nProvider locale="en">
        <CustomerTable
          rows={rows}
          total={4}
          onOpen={onOpen}
          onPick={onPick}
          onPickAll={onPickAll}
          profileId="p1"
          picked={new Set(["p1|cust_3"])}
        />
      </I18nProvider>,
    );
    fireEvent.click(screen.getByText("Cliente 1"), { ctrlKey: true });
    expect(onPick).toHaveBeenLastCalledWith(1, "toggle");
    fireEvent.click(screen.getByText("Cliente 2"), { shiftKey: true });
    expect(onPick).toHaveBeenLastCalledWith(2, "range");
    const list = screen.getByTestId("customer-list");
    fireEvent.keyDown(list, { key: " " });
    expect(onPick).toHaveBeenLastCalledWith(2, "toggle");
    fireEvent.keyDown(list, { key: "a", ctrlKey: true });
    expect(onPickAll).toHaveBeenCalledTimes(1);
    expect(onOpen).not.toHaveBeenCalled();
    const picked = screen.getAllByTestId("customer-row").filter((r) => r.dataset.picked === "true");
    expect(picked.map((r) => r.id)).toEqual(["row-cust_3"]);
  });

  it("shows each row's provider and connection across connections", () => {
    const source = { profileId: "p2", connection: "Cartevo prod", provider: "cartevo", providerName: "Cartevo" };
    render(
      <I18nProvider locale="pt-BR">
        <CustomerTable rows={[row(1, { source })]} total={1} everywhere />
      </I18nProvider>,
    );
    expect(screen.getByRole("columnheader", { name: "Provedor" })).toBeTruthy();
    expect(screen.getByTestId("customer-provider").textContent).toBe("CartevoCartevo prod");
  });


  it("shows name, masked CPF, status label and KYC progress", () => {
    renderTable([
      row(1, {
        tradingName: "Padaria Lima",
        identifiers: [
          { kind: "cpf", value: "123.456.789-09" },
          { kind: "cnpj", value: "12.345.678/0001-95" },
        ],
        status: "under_review",
        stage: "in_review",
      }),
    ]);
    const r = screen.getByTestId("customer-row");
    expect(within(r).getByTestId("customer-name").textContent).toBe("Cliente 1");
    expect(r.textContent).toContain("Padaria Lima");
    expect(r.textContent).toContain("123.456.789-09");
    expect(r.textContent).toContain("12.345.678/0001-95");
    expect(within(r).getByTestId("customer-status").textContent).toBe("In review");
    expect(within(r).getByTestId("customer-status").getAttribute("title")).toBe("under_review");
    expect(r.textContent).toContain("2/6");
  });

  it("labels the stage per language and shows a status no stage fits verbatim", () => {
    renderTable([row(1, { status: "active", stage: "approved" }), row(2, { status: "paused", stage: "unknown" })], 2, "pt-BR");
    const statuses = screen.getAllByTestId("customer-status").map((s) => s.textContent);
    expect(statuses).toEqual(["Aprovado", "paused"]);
  });

  it("renders API text as text, never as HTML", () => {
    renderTable([row(1, { name: '<img src=x onerror="alert(1)">' })]);
    expect(screen.getByTestId("customer-name").textContent).toBe('<img src=x onerror="alert(1)">');
    expect(document.querySelector("img")).toBeNull();
  });

  it("renders only what is visible of a long list and says which rows are in view", () => {
    const onRange = vi.fn();
    const rows = Array.from({ length: 30 }, (_, i) => row(i));
    renderTable(rows, 100_000, "en", onRange);
    const rendered = screen.getAllByTestId("customer-row").length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    const [start, end] = onRange.mock.lastCall ?? [];
    expect(start).toBe(0);
    expect(end).toBe(rendered - 1);
    // Rows not read yet show as placeholders, not as someone else's row.
    expect(screen.queryAllByText("Cliente 30")).toHaveLength(0);
  });

  it("moves the active row with the arrow keys, Home and End", () => {
    const rows = Array.from({ length: 5 }, (_, i) => row(i));
    renderTable(rows);
    const list = screen.getByTestId("customer-list");
    const selected = () => list.getAttribute("aria-activedescendant");
    expect(selected()).toBe("row-cust_0");
    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selected()).toBe("row-cust_2");
    fireEvent.keyDown(list, { key: "End" });
    expect(selected()).toBe("row-cust_4");
    fireEvent.keyDown(list, { key: "ArrowDown" });
    expect(selected()).toBe("row-cust_4");
    fireEvent.keyDown(list, { key: "Home" });
    expect(selected()).toBe("row-cust_0");
  });

  it("opens the active row with Enter and a row with a click, and marks the open one", () => {
    const rows = Array.from({ length: 3 }, (_, i) => row(i));
    const onOpen = vi.fn();
    const { rerender } = render(
      <I18nProvider locale="en">
        <CustomerTable rows={rows} total={3} onOpen={onOpen} />
      </I18nProvider>,
    );
    const list = screen.getByTestId("customer-list");
    fireEvent.keyDown(list, { key: "ArrowDown" });
    fireEvent.keyDown(list, { key: "Enter" });
    expect(onOpen).toHaveBeenLastCalledWith("cust_1", undefined);
    fireEvent.click(screen.getByText("Cliente 2"));
    expect(onOpen).toHaveBeenLastCalledWith("cust_2", undefined);
    rerender(
      <I18nProvider locale="en">
        <CustomerTable rows={rows} total={3} onOpen={onOpen} selectedId="cust_2" />
      </I18nProvider>,
    );
    const open = screen.getAllByTestId("customer-row").filter((r) => r.getAttribute("aria-selected") === "true");
    expect(open.map((r) => r.id)).toEqual(["row-cust_2"]);
  });
});
