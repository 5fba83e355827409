import { useEffect, useRef, useState, type DragEvent } from "react";
import { commands, events, on, toErrorView } from "../ipc";
import { useI18n } from "../i18n";

const MAX_BYTES = 10 * 1024 * 1024;

type Upload = {
  key: number;
  file: File;
  /** An object URL for images, shown as the thumbnail. */
  preview: string | null;
  state: "checking" | "sending" | "done" | "queued" | "failed";
  sent: number;
  error?: string | undefined;
  requestId?: string | null | undefined;
};

/** What the file's first bytes say it is, as the API will judge it. */
export async function sniff(file: File): Promise<"application/pdf" | "image/jpeg" | "image/png" | null> {
  const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
  if (head[0] === 0x25 && head[1] === 0x50 && head[2] === 0x44 && head[3] === 0x46) return "application/pdf";
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return "image/png";
  return null;
}

let nextKey = 1;

type Props = {
  customerId: string;
  itemType: string;
  label: string;
  /** Whether the item takes a file now (pending or rejected); otherwise only past sends show. */
  canAdd: boolean;
  onSent: () => void;
};

/**
 * Drop one or many files onto a kyc item, or pick them. Each is checked here (type by
 * its bytes, 10 MB) before anything is sent, then sent with a progress bar; a failure
 * keeps the file on screen with a retry button, and offline it is queued.
 */
export function UploadZone({ customerId, itemType, label, canAdd, onSent }: Props) {
  const { t } = useI18n();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const previews = useRef<string[]>([]);

  useEffect(() => {
    const sub = on(events.uploadProgress, (p) => {
      if (p.itemType !== itemType) return;
      setUploads((list) =>
        list.map((u) => (u.state === "sending" && u.file.name === p.filename ? { ...u, sent: p.sent } : u)),
      );
    });
    const urls = previews.current;
    return () => {
      void sub.then((unlisten) => unlisten());
      urls.forEach((u) => URL.revokeObjectURL(u));
    };
  }, [itemType]);

  const patch = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  async function send(u: Upload) {
    patch(u.key, { state: "checking", error: undefined, sent: 0 });
    if (u.file.size > MAX_BYTES) {
      patch(u.key, {
        state: "failed",
        error: t("fileTooBig", { name: u.file.name, size: (u.file.size / 1048576).toFixed(1) }),
      });
      return;
    }
    if ((await sniff(u.file)) === null) {
      patch(u.key, { state: "failed", error: t("fileWrongType", { name: u.file.name }) });
      return;
    }
    patch(u.key, { state: "sending" });
    try {
      const r = await commands.uploadDocument(customerId, itemType, u.file);
      if (r.outcome === "refused") {
        patch(u.key, { state: "failed", error: r.error.message, requestId: r.error.requestId });
      } else {
        patch(u.key, { state: r.outcome === "queued" ? "queued" : "done", sent: u.file.size });
        onSent();
      }
    } catch (e) {
      const v = toErrorView(e);
      patch(u.key, { state: "failed", error: v.message, requestId: v.requestId });
    }
  }

  function add(files: FileList | null) {
    if (!files) return;
    const added: Upload[] = Array.from(files).map((file) => {
      const preview = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      if (preview) previews.current.push(preview);
      return { key: nextKey++, file, preview, state: "checking", sent: 0 };
    });
    setUploads((list) => [...list, ...added]);
    // One at a time, in order: the outbox sends them in order anyway.
    void added.reduce((p, u) => p.then(() => send(u)), Promise.resolve());
  }

  function drop(e: DragEvent) {
    e.preventDefault();
    setOver(false);
    if (canAdd) add(e.dataTransfer.files);
  }

  if (!canAdd && uploads.length === 0) return null;
  return (
    <div
      className={over ? "upload-zone over" : "upload-zone"}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
      data-testid={`upload-${itemType}`}
    >
      {canAdd && (
        <>
      <input
        ref={input}
        type="file"
        multiple
        accept="application/pdf,image/jpeg,image/png"
        className="visually-hidden"
        aria-label={`${t("chooseFiles")} ${label}`}
        onChange={(e) => {
          add(e.target.files);
          e.target.value = "";
        }}
        data-testid={`file-input-${itemType}`}
      />
      <button type="button" onClick={() => input.current?.click()}>
        {t("chooseFiles")}
      </button>
      <small>{t("dropHere")}</small>
        </>
      )}
      {uploads.length > 0 && (
        <ul className="uploads">
          {uploads.map((u) => (
            <li key={u.key} className={`upload ${u.state}`} data-testid="upload-entry">
              {u.preview ? <img src={u.preview} alt="" className="thumb" /> : <span className="thumb file">PDF</span>}
              <span className="upload-name">{u.file.name}</span>
              {u.state === "sending" && (
                <>
                  <progress max={u.file.size || 1} value={u.sent} aria-label={u.file.name} />
                  <small>{t("uploading", { percent: Math.round((100 * u.sent) / (u.file.size || 1)) })}</small>
                </>
              )}
              {u.state === "done" && <small data-testid="upload-state">{t("uploadDone")}</small>}
              {u.state === "queued" && <small data-testid="upload-state">{t("uploadQueued")}</small>}
              {u.state === "failed" && (
                <>
                  <small className="error" role="alert" data-testid="upload-error">
                    {t("uploadFailed", { message: u.error ?? "" })}
                    {u.requestId ? ` · ${t("requestId", { id: u.requestId })}` : ""}
                  </small>
                  <button type="button" onClick={() => void send(u)}>
                    {t("retry")}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
