import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { CustomerRow } from "./bindings/CustomerRow";
import { movesList } from "./coreEvents";
import { customerStore, useCustomerDetail, useLatestRows } from "./store";

const row = (id: string, stage: string, updatedAt: string): CustomerRow => ({
  id,
  name: `Cliente ${id}`,
  tradingName: null,
  identifiers: [{ kind: "cpf", value: "123.456.789-09" }],
  externalId: null,
  status: stage === "approved" ? "active" : "under_review",
  stage,
  kycDone: 1,
  kycTotal: 5,
  updatedAt,
});

afterEach(() => customerStore.clear());

describe("the customer store", () => {
  it("shows what the core pushed in place of what a page read, never an older push", () => {
    const read = [row("a", "in_review", "2026-11-24T10:00:00Z"), row("b", "in_review", "2026-11-24T10:00:00Z")];
    const { result } = renderHook(() => useLatestRows(read));
    expect(result.current.map((r) => r.stage)).toEqual(["in_review", "in_review"]);
    act(() => customerStore.putRows([row("a", "approved", "2026-11-24T10:05:00Z")]));
    expect(result.current.map((r) => r.stage)).toEqual(["approved", "in_review"]);
    // A push older than what the page read (it arrived late) is not shown over it.
    act(() => customerStore.putRows([row("b", "awaiting_customer", "2026-11-24T09:00:00Z")]));
    expect(result.current[1]?.stage).toBe("in_review");
  });

  it("across connections, pushes reach only the rows of the connection in use, which keep their source", () => {
    const src = (profileId: string) => ({ profileId, connection: profileId, provider: "dinie", providerName: "Dinie" });
    const read = [
      { ...row("a", "in_review", "2026-11-24T10:00:00Z"), source: src("p1") },
      { ...row("a", "in_review", "2026-11-24T10:00:00Z"), source: src("p2") },
    ];
    const { result } = renderHook(() => useLatestRows(read, "p1"));
    act(() => customerStore.putRows([row("a", "approved", "2026-11-24T10:05:00Z")]));
    expect(result.current.map((r) => [r.stage, r.source?.profileId])).toEqual([
      ["approved", "p1"],
      ["in_review", "p2"],
    ]);
  });

  it("keeps the detail pushed for a customer, and forgets everything for another connection", () => {
    const { result } = renderHook(() => useCustomerDetail("a"));
    expect(result.current).toBeUndefined();
    const detail = { id: "a", name: "Cliente a" } as CustomerDetail;
    act(() => customerStore.putDetail(detail));
    expect(result.current?.name).toBe("Cliente a");
    act(() => customerStore.clear());
    expect(result.current).toBeUndefined();
  });

  it("forgets a pushed row once a page read has it, so the store never outgrows the list", () => {
    customerStore.putRows([row("a", "approved", "2026-11-24T10:05:00Z")]);
    customerStore.settle([row("a", "in_review", "2026-11-24T10:00:00Z")]);
    expect(customerStore.get().rows.size).toBe(1);
    customerStore.settle([row("a", "approved", "2026-11-24T10:05:00Z")]);
    expect(customerStore.get().rows.size).toBe(0);
  });

  it("reads the page again only when a push may move what it holds", () => {
    const held = row("a", "in_review", "2026-11-24T10:00:00Z");
    const list = { loaded: new Map([["a", held]]), sort: "newest" as const };
    expect(movesList([{ ...held, kycDone: 2 }], list)).toBe(false);
    expect(movesList([{ ...held, stage: "approved" }], list)).toBe(true);
    expect(movesList([row("b", "in_review", "2026-11-24T10:00:00Z")], list)).toBe(true);
    expect(movesList([{ ...held, updatedAt: "2026-11-24T11:00:00Z" }], { ...list, sort: "recentlyUpdated" })).toBe(true);
  });
});
