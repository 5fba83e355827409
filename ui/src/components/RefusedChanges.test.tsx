// The dialog of writes refused in the background, against a stand-in for the Rust side
// (Tauri's IPC does not exist in jsdom): what it asks of Rust, and when.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RefusedWrite } from "../bindings/RefusedWrite";
import { I18nProvider } from "../i18n";
import { RefusedChanges } from "./RefusedChanges";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const upload: RefusedWrite = {
  seq: 7,
  kind: "upload",
  customerId: "cust_1",
  label: "rg-frente.jpg",
  error: { code: "unknown_document_type", message: "tipo desconhecido", fieldErrors: [], requestId: "req_1", status: 422 },
  registration: null,
  queuedAt: "2026-11-24T10:00:00Z",
};
let refused: RefusedWrite[];

beforeEach(() => {
  refused = [upload];
  invoke.mockImplementation((cmd: string, args: { seq: number }) => {
    if (cmd === "refused_writes") return Promise.resolve(refused);
    if (cmd === "dismiss_write" || cmd === "retry_write") {
      refused = refused.filter((w) => w.seq !== args.seq);
      return Promise.resolve(null);
    }
    return Promise.reject(new Error(`unexpected command ${cmd}`));
  });
});
afterEach(() => {
  cleanup();
  invoke.mockReset();
});

function renderDialog() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <I18nProvider locale="en">
        <RefusedChanges onClose={() => undefined} onEditRegistration={() => undefined} onOpenCustomer={() => undefined} />
      </I18nProvider>
    </QueryClientProvider>,
  );
}

const calls = (cmd: string) => invoke.mock.calls.filter(([c]) => c === cmd);

describe("RefusedChanges", () => {
  it("asks before dismissing a refused upload, which deletes its copy", async () => {
    renderDialog();
    fireEvent.click(await screen.findByTestId("refused-dismiss"));
    expect(screen.getByText(/deletes the copy/)).toBeTruthy();
    expect(calls("dismiss_write")).toHaveLength(0);
    fireEvent.click(screen.getByText("Cancel"));
    expect(screen.getByTestId("refused-dismiss")).toBeTruthy();
    fireEvent.click(screen.getByTestId("refused-dismiss"));
    fireEvent.click(screen.getByTestId("refused-dismiss-confirm"));
    await waitFor(() => expect(calls("dismiss_write")).toEqual([["dismiss_write", { seq: 7 }]]));
  });

  it("sends a refused write again with Retry", async () => {
    renderDialog();
    fireEvent.click(await screen.findByTestId("refused-retry"));
    await waitFor(() => expect(calls("retry_write")).toEqual([["retry_write", { seq: 7 }]]));
    await waitFor(() => expect(screen.queryByTestId("refused-write")).toBeNull());
  });
});
