import { useId, useRef, useState, type DragEvent } from "react";
import type { AttachedFileView } from "../bindings/AttachedFileView";
import type { FieldError } from "../bindings/FieldError";
import { commands, toErrorView } from "../ipc";
import { fieldErrorText, useI18n } from "../i18n";

type Props = {
  name: string;
  label: string;
  optional: boolean;
  hint?: string | undefined;
  /** The file attached now, as Rust checked it. */
  file: AttachedFileView | null;
  onAttached: (file: AttachedFileView | null) => void;
  errors: FieldError[];
  show: boolean;
};

/**
 * A form's file field: drop a file on it or pick one. Rust checks it (PDF, JPEG or PNG
 * by its bytes, at most 10 MB) and holds it for the form; what it says is shown here,
 * with a thumbnail of an image. The file goes with the form when it is sent.
 */
export function FileField({ name, label, optional, hint, file, onAttached, errors, show }: Props) {
  const { t, locale } = useI18n();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<FieldError[]>([]);
  const mine = [...refused, ...(show ? errors.filter((e) => e.field === name) : [])];

  async function attach(files: FileList | null) {
    const f = files?.[0];
    if (!f) return;
    setBusy(true);
    setRefused([]);
    try {
      const view = await commands.attachFile(name, f);
      if (file) void commands.detachFile(file.id).catch(() => undefined);
      onAttached(view);
    } catch (e) {
      const v = toErrorView(e);
      setRefused(v.fieldErrors.length > 0 ? v.fieldErrors : [{ field: name, code: v.code, message: v.message }]);
    } finally {
      setBusy(false);
    }
  }

  function remove() {
    if (file) void commands.detachFile(file.id).catch(() => undefined);
    onAttached(null);
  }

  function drop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    void attach(e.dataTransfer.files);
  }

  return (
    <div
      className={`field file-field${over ? " over" : ""}${mine.length > 0 ? " invalid" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-testid={`file-field-${name}`}
    >
      <label htmlFor={id}>
        {label}
        {optional && <small> ({t("optional")})</small>}
      </label>
      <input
        id={id}
        ref={input}
        type="file"
        accept="application/pdf,image/jpeg,image/png"
        className="visually-hidden"
        onChange={(e) => {
          void attach(e.target.files);
          e.target.value = "";
        }}
        data-testid={`field-${name}`}
      />
      {file ? (
        <div className="attached" data-testid={`attached-${name}`}>
          {file.thumbnail ? (
            <img src={file.thumbnail} alt={t("thumbnailOf", { name: file.filename })} className="thumb" />
          ) : (
            <span className="thumb file">PDF</span>
          )}
          <span className="upload-name">{file.filename}</span>
          <small>{(file.size / 1024).toFixed(0)} KB</small>
          <button type="button" onClick={() => input.current?.click()}>
            {t("replaceFile")}
          </button>
          <button type="button" onClick={remove} aria-label={t("removeFile", { name: file.filename })}>
            ✕
          </button>
        </div>
      ) : (
        <div className="drop">
          <button type="button" onClick={() => input.current?.click()} disabled={busy}>
            {busy ? t("checkingFile") : t("chooseFile")}
          </button>
          <small>{t("dropHere")}</small>
        </div>
      )}
      {hint && mine.length === 0 && <small className="hint">{hint}</small>}
      {mine.length > 0 && (
        <p className="field-error" role="alert" data-testid={`error-${name}`}>
          {mine.map((e) => fieldErrorText(locale, e.code, e.message)).join(" ")}
        </p>
      )}
    </div>
  );
}
