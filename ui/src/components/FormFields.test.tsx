import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FormSpec } from "../bindings/FormSpec";
import type { AttachedFileView } from "../ipc";
import { I18nProvider } from "../i18n";
import { FormFields } from "./FormFields";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const field = (key: string, kind: FormSpec["fields"][number]["kind"], required = false) => ({
  key,
  kind,
  required,
  minLen: null,
  maxLen: null,
  label: `field.${key}`,
  help: null,
  requiredIf: null,
  hiddenIf: [],
  shownIf: null,
});

/** Cartevo's ID fields, as Rust declares them (the file fields' checks are Rust's). */
const spec: FormSpec = {
  id: "register",
  partial: false,
  fields: [
    field("id_document_type", { type: "choice", options: ["NIN", "PASSPORT"] }, true),
    field("id_document_front", { type: "file" }, true),
    field("id_document_back", { type: "file" }),
  ],
};

function Harness({ hidden = [] as string[], required = ["id_document_type", "id_document_front"] }) {
  return (
    <I18nProvider locale="en">
      <FormFields
        spec={spec}
        values={{}}
        onChange={() => undefined}
        errors={[]}
        show={() => false}
        layout={{ hidden, required, ages: {} }}
      />
    </I18nProvider>
  );
}

afterEach(() => {
  cleanup();
  invoke.mockReset();
});

const png = () => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], "front.png", { type: "image/png" });

describe("file fields", () => {
  it("sends a dropped file to Rust, which checks it, and holds what it answers", async () => {
    const attached: AttachedFileView = { id: "file-1", filename: "front.png", contentType: "image/png", size: 2048, thumbnail: null };
    invoke.mockImplementation((cmd: string) =>
      cmd === "attach_file" ? Promise.resolve(attached) : Promise.reject(new Error(`unexpected ${cmd}`)),
    );
    const onFile = vi.fn();
    render(
      <I18nProvider locale="en">
        <FormFields spec={spec} values={{}} onChange={() => undefined} errors={[]} show={() => false} onFile={onFile} />
      </I18nProvider>,
    );
    const zone = screen.getByTestId("file-field-id_document_front");
    fireEvent.drop(zone, { dataTransfer: { files: [png()] } });
    await waitFor(() => expect(onFile).toHaveBeenCalledWith("id_document_front", attached));
    const [cmd, body, options] = invoke.mock.calls[0] as [string, Uint8Array, { headers: Record<string, string> }];
    expect(cmd).toBe("attach_file");
    expect(body).toBeInstanceOf(Uint8Array);
    expect(options.headers["x-field"]).toBe("id_document_front");
  });

  it("shows Rust's refusal beside the field and keeps nothing", async () => {
    invoke.mockImplementation(() =>
      Promise.reject({
        code: "invalid",
        message: "invalid",
        fieldErrors: [{ field: "id_document_front", code: "invalid_file", message: "the file must be a PDF, JPEG or PNG" }],
        requestId: null,
        status: null,
      }),
    );
    const onFile = vi.fn();
    render(
      <I18nProvider locale="en">
        <FormFields spec={spec} values={{}} onChange={() => undefined} errors={[]} show={() => false} onFile={onFile} />
      </I18nProvider>,
    );
    fireEvent.drop(screen.getByTestId("file-field-id_document_front"), { dataTransfer: { files: [new File(["hello"], "a.png")] } });
    expect((await screen.findByTestId("error-id_document_front")).textContent).toContain("PDF, JPEG or PNG");
    expect(onFile).not.toHaveBeenCalled();
  });

  it("draws only the fields Rust says are in use, and marks the optional ones", () => {
    render(<Harness hidden={["id_document_back"]} />);
    expect(screen.queryByTestId("file-field-id_document_back")).toBeNull();
    cleanup();
    render(<Harness />);
    expect(screen.getByTestId("file-field-id_document_back").textContent).toContain("(optional)");
    expect(screen.getByTestId("file-field-id_document_front").textContent).not.toContain("(optional)");
  });
});
