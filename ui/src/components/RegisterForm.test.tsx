// The form against a stand-in for the Rust side: Tauri's IPC does not exist in jsdom,
// so `invoke` is replaced by a function answering as the commands do (validation here
// applies the same rule the Rust validator applies to the one field these tests type).
// The real commands are exercised end to end in tests/e2e.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FormSpec } from "../bindings/FormSpec";
import type { FormValues } from "../bindings/FormValues";
import type { WriteView } from "../bindings/WriteView";
import { I18nProvider, type Locale } from "../i18n";
import { RegisterForm } from "./RegisterForm";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));
// Events (upload progress) are not sent in these tests: listening succeeds and hears nothing.
vi.mock("@tauri-apps/api/event", () => ({ listen: () => Promise.resolve(() => undefined) }));

/** A registration form as a provider declares it in Rust (the shape `provider_spec` returns). */
const spec: FormSpec = {
  id: "register",
  partial: false,
  fields: [
    { key: "cpf", kind: { type: "identifier", kind: "cpf", mask: "000.000.000-00" }, required: true, minLen: null, maxLen: null, label: "field.cpf", help: null, requiredIf: null, hiddenIf: [], shownIf: null },
    { key: "name", kind: { type: "text" }, required: true, minLen: null, maxLen: 200, label: "field.name", help: null, requiredIf: null, hiddenIf: [], shownIf: null },
    { key: "email", kind: { type: "email" }, required: true, minLen: null, maxLen: null, label: "field.email", help: null, requiredIf: null, hiddenIf: [], shownIf: null },
    { key: "phone", kind: { type: "phone", country: "BR", countryField: null, mustBelong: false }, required: true, minLen: null, maxLen: null, label: "field.phone", help: "help.phone_br", requiredIf: null, hiddenIf: [], shownIf: null },
    { key: "external_id", kind: { type: "text" }, required: false, minLen: null, maxLen: 255, label: "field.external_id", help: null, requiredIf: null, hiddenIf: [], shownIf: null },
  ],
};

function cpfErrors(r: FormValues) {
  return (r.cpf ?? "").replace(/\D/g, "") === "52998224725"
    ? []
    : [{ field: "cpf", code: "invalid_cpf", message: "CPF check digits do not match" }];
}

let registerAnswer: WriteView;
/** The drafts the Rust side keeps (in the encrypted cache), by kind. */
const drafts = new Map<string, string>();

beforeEach(() => {
  localStorage.clear();
  drafts.clear();
  invoke.mockImplementation((cmd: string, args: { values: FormValues; kind: string; draft: string }) => {
    if (cmd === "validate_form") return Promise.resolve(cpfErrors(args.values));
    if (cmd === "form_layout")
      return Promise.resolve({ hidden: [], required: spec.fields.filter((f) => f.required).map((f) => f.key), ages: {} });
    if (cmd === "list_customers") return Promise.resolve({ rows: [], total: 0, stageCounts: [] });
    if (cmd === "register") return Promise.resolve(registerAnswer);
    if (cmd === "load_draft") return Promise.resolve(drafts.get(args.kind) ?? null);
    if (cmd === "save_draft") return Promise.resolve(void drafts.set(args.kind, args.draft));
    if (cmd === "clear_draft") return Promise.resolve(void drafts.delete(args.kind));
    return Promise.reject(new Error(`unexpected command ${cmd}`));
  });
});
afterEach(() => {
  cleanup();
  invoke.mockReset();
});

function renderForm(locale: Locale = "en") {
  const onOpen = vi.fn();
  render(
    <I18nProvider locale={locale}>
      <RegisterForm spec={spec} onClose={() => undefined} onOpenCustomer={onOpen} />
    </I18nProvider>,
  );
  return onOpen;
}

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

describe("RegisterForm", () => {
  it("masks the CPF as it is typed and shows Rust's error beside the field once left", async () => {
    renderForm();
    type("field-cpf", "12345678900");
    expect((screen.getByTestId("field-cpf") as HTMLInputElement).value).toBe("123.456.789-00");
    fireEvent.blur(screen.getByTestId("field-cpf"));
    expect((await screen.findByTestId("error-cpf")).textContent).toBe("CPF check digits do not match");
    type("field-cpf", "529.982.247-25");
    await waitFor(() => expect(screen.queryByTestId("error-cpf")).toBeNull());
  });

  it("translates field errors by code in Portuguese", async () => {
    renderForm("pt-BR");
    type("field-cpf", "111");
    fireEvent.blur(screen.getByTestId("field-cpf"));
    expect((await screen.findByTestId("error-cpf")).textContent).toBe("CPF inválido (dígitos verificadores).");
  });

  it("keeps what was typed as a draft until the customer exists, in Rust's store, not the webview's", async () => {
    renderForm();
    type("field-name", "Ana Lima");
    await waitFor(() => expect(drafts.get("register")).toContain("Ana Lima"));
    expect(localStorage.length).toBe(0);
    cleanup();
    renderForm();
    await waitFor(() => expect((screen.getByTestId("field-name") as HTMLInputElement).value).toBe("Ana Lima"));
  });

  it("moves a draft an earlier version left in the webview's storage into Rust's store", async () => {
    localStorage.setItem("kyc-desk.draft.register", JSON.stringify({ name: "Bia Antiga" }));
    renderForm();
    await waitFor(() => expect((screen.getByTestId("field-name") as HTMLInputElement).value).toBe("Bia Antiga"));
    expect(localStorage.getItem("kyc-desk.draft.register")).toBeNull();
    expect(drafts.get("register")).toContain("Bia Antiga");
  });

  it("explains a 409 conflict and keeps the fields", async () => {
    registerAnswer = {
      outcome: "refused",
      error: { code: "conflict", message: "CPF already registered", fieldErrors: [], requestId: "req_42", status: 409 },
    };
    renderForm();
    type("field-cpf", "529.982.247-25");
    type("field-name", "Ana Lima");
    type("field-email", "ana@example.com");
    type("field-phone", "+5511999999999");
    fireEvent.click(screen.getByTestId("register-submit"));
    const box = await screen.findByTestId("outcome-conflict");
    expect(box.textContent).toContain("Already registered");
    expect(box.textContent).toContain("CPF already registered");
    expect(box.textContent).toContain("req_42");
    expect((screen.getByTestId("field-name") as HTMLInputElement).value).toBe("Ana Lima");
    await waitFor(() => expect(drafts.get("register")).toContain("Ana Lima"));
  });

  it("puts a registration refused in the background back, masked, with the API's reason", async () => {
    render(
      <I18nProvider locale="en">
        <RegisterForm
          spec={spec}
          onClose={() => undefined}
          onOpenCustomer={() => undefined}
          initial={{
            registration: {
              cpf: "52998224725",
              name: "Ana Lima",
              email: "ana@example.com",
              phone: "+5511999999999",
              external_id: "mine",
            },
            error: { code: "conflict", message: "CPF already registered", fieldErrors: [], requestId: "req_7", status: 409 },
          }}
        />
      </I18nProvider>,
    );
    expect((screen.getByTestId("field-cpf") as HTMLInputElement).value).toBe("529.982.247-25");
    expect((screen.getByTestId("field-external_id") as HTMLInputElement).value).toBe("mine");
    const box = await screen.findByTestId("outcome-conflict");
    expect(box.textContent).toContain("req_7");
    // It is the draft now: closing the form does not lose it.
    await waitFor(() => expect(drafts.get("register")).toContain("Ana Lima"));
  });

  it("says created, offers to open the customer and drops the draft", async () => {
    registerAnswer = { outcome: "created", customerId: "cust_1" };
    const onOpen = renderForm();
    type("field-cpf", "529.982.247-25");
    fireEvent.click(screen.getByTestId("register-submit"));
    await screen.findByTestId("outcome-created");
    await waitFor(() => expect(drafts.has("register")).toBe(false));
    // A save still pending from the typing does not bring the draft back.
    await new Promise((r) => setTimeout(r, 300));
    expect(drafts.has("register")).toBe(false);
    fireEvent.click(screen.getByText("Open the customer"));
    expect(onOpen).toHaveBeenCalledWith("cust_1");
  });

  it("shows the API's field errors beside the fields it names", async () => {
    registerAnswer = {
      outcome: "refused",
      error: {
        code: "validation_failed",
        message: "1 field is invalid",
        fieldErrors: [{ field: "email", code: "undeliverable", message: "e-mail bounced" }],
        requestId: "req_7",
        status: 422,
      },
    };
    renderForm();
    type("field-cpf", "529.982.247-25");
    fireEvent.click(screen.getByTestId("register-submit"));
    expect((await screen.findByTestId("error-email")).textContent).toBe("e-mail bounced");
  });
});
