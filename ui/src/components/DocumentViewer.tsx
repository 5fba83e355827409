import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import type { DocumentView } from "../bindings/DocumentView";
import { commands, toErrorView, type CustomerDetail } from "../ipc";
import { formatDateTime } from "../format";
import { label, useI18n } from "../i18n";
import { ErrorBox } from "./Field";
import { Modal } from "./Modal";

type Props = { customer: CustomerDetail; document: DocumentView; onClose: () => void };

/**
 * A document beside the customer's data. Images: zoom, pan (drag), rotate, fit. PDFs:
 * page by page through pdf.js. Reads the copy kept on this machine, so it works offline.
 * Keys: + and − zoom, R rotates, 0 fits, arrows turn PDF pages, Escape closes.
 */
export function DocumentViewer({ customer, document: doc, onClose }: Props) {
  const { t, locale } = useI18n();
  const [bytes, setBytes] = useState<ArrayBuffer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [zoom, setZoom] = useState(1);
  const [rotation, setRotation] = useState(0);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const [page, setPage] = useState(1);
  const [pages, setPages] = useState(0);
  const isPdf = doc.contentType === "application/pdf";

  useEffect(() => {
    let live = true;
    commands
      .documentBytes(customer.id, doc.id)
      .then((b) => live && setBytes(b))
      .catch((e) => live && setError(toErrorView(e).message));
    return () => {
      live = false;
    };
  }, [customer.id, doc.id]);

  const fit = () => {
    setZoom(1);
    setPan({ x: 0, y: 0 });
  };

  function onKey(e: KeyboardEvent) {
    const actions: Record<string, () => void> = {
      "+": () => setZoom((z) => Math.min(8, z * 1.25)),
      "=": () => setZoom((z) => Math.min(8, z * 1.25)),
      "-": () => setZoom((z) => Math.max(0.25, z / 1.25)),
      r: () => setRotation((r) => (r + 90) % 360),
      "0": fit,
      ArrowRight: () => setPage((p) => Math.min(pages || 1, p + 1)),
      PageDown: () => setPage((p) => Math.min(pages || 1, p + 1)),
      ArrowLeft: () => setPage((p) => Math.max(1, p - 1)),
      PageUp: () => setPage((p) => Math.max(1, p - 1)),
    };
    const act = actions[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  }

  return (
    <Modal
      className="viewer"
      label={`${t("documentViewer")}: ${doc.filename}`}
      onClose={onClose}
      onKeyDown={onKey}
      testId="document-viewer"
    >
        <aside className="viewer-side">
          <h3>{customer.name}</h3>
          <dl className="facts">
            {customer.identifiers.map((i) => (
              <div key={i.kind}>
                <dt>{label(locale, `id.${i.kind}`, i.kind)}</dt>
                <dd className="mono">{i.value}</dd>
              </div>
            ))}
            <div>
              <dt>{t("fieldEmail")}</dt>
              <dd>{customer.email}</dd>
            </div>
            <div>
              <dt>{t("fieldPhone")}</dt>
              <dd>{customer.phone}</dd>
            </div>
            {customer.birthDate && (
              <div>
                <dt>{label(locale, "field.birth_date")}</dt>
                <dd>{customer.birthDate}</dd>
              </div>
            )}
            {customer.address && (
              <div>
                <dt>{t("address")}</dt>
                <dd>
                  {[customer.address.line1, customer.address.city, customer.address.state, customer.address.country]
                    .filter(Boolean)
                    .join(", ")}
                </dd>
              </div>
            )}
          </dl>
          <p>
            <strong>{label(locale, `field.${doc.itemType}`, doc.filename)}</strong>
            <br />
            <small>
              {doc.filename} ·{" "}
              {doc.uploadedAt ? formatDateTime(locale, doc.uploadedAt) : doc.hosted ? t("hostedCopy") : t("queued")}
            </small>
          </p>
        </aside>
        <div className="viewer-main">
          <div className="viewer-tools" role="toolbar" aria-label={t("documentViewer")}>
            <button type="button" onClick={() => setZoom((z) => Math.max(0.25, z / 1.25))} aria-label={t("zoomOut")} aria-keyshortcuts="-">
              −
            </button>
            <span className="mono">{Math.round(zoom * 100)}%</span>
            <button type="button" onClick={() => setZoom((z) => Math.min(8, z * 1.25))} aria-label={t("zoomIn")} aria-keyshortcuts="+">
              +
            </button>
            <button type="button" onClick={() => setRotation((r) => (r + 90) % 360)} aria-keyshortcuts="R">
              {t("rotate")}
            </button>
            <button type="button" onClick={fit} aria-keyshortcuts="0">
              {t("fit")}
            </button>
            {isPdf && pages > 0 && (
              <>
                <button type="button" onClick={() => setPage((p) => Math.max(1, p - 1))} disabled={page <= 1} aria-label={t("previousPage")}>
                  ‹
                </button>
                <span data-testid="viewer-page">{t("page", { page, pages })}</span>
                <button type="button" onClick={() => setPage((p) => Math.min(pages, p + 1))} disabled={page >= pages} aria-label={t("nextPage")}>
                  ›
                </button>
              </>
            )}
            <span className="spacer" />
            <button type="button" onClick={onClose} aria-label={t("close")} aria-keyshortcuts="Escape">
              ✕
            </button>
          </div>
          {error && <ErrorBox message={error} requestId={null} />}
          {bytes &&
            (isPdf ? (
              <PdfPage bytes={bytes} page={page} zoom={zoom} rotation={rotation} onPages={setPages} />
            ) : (
              <ImageView bytes={bytes} type={doc.contentType} zoom={zoom} rotation={rotation} pan={pan} onPan={setPan} />
            ))}
        </div>
    </Modal>
  );
}

function ImageView(props: {
  bytes: ArrayBuffer;
  type: string;
  zoom: number;
  rotation: number;
  pan: { x: number; y: number };
  onPan: (p: { x: number; y: number }) => void;
}) {
  const { bytes, type, zoom, rotation, pan, onPan } = props;
  const url = useMemo(() => URL.createObjectURL(new Blob([bytes], { type })), [bytes, type]);
  const drag = useRef<{ x: number; y: number } | null>(null);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const down = (e: PointerEvent) => {
    (e.target as Element).setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX - pan.x, y: e.clientY - pan.y };
  };
  const move = (e: PointerEvent) => {
    if (drag.current) onPan({ x: e.clientX - drag.current.x, y: e.clientY - drag.current.y });
  };
  return (
    <div className="viewer-canvas" onPointerDown={down} onPointerMove={move} onPointerUp={() => (drag.current = null)}>
      {(
        <img
          src={url}
          alt=""
          draggable={false}
          style={{ transform: `translate(${pan.x}px, ${pan.y}px) scale(${zoom}) rotate(${rotation}deg)` }}
          data-testid="viewer-image"
        />
      )}
    </div>
  );
}

function PdfPage(props: { bytes: ArrayBuffer; page: number; zoom: number; rotation: number; onPages: (n: number) => void }) {
  const { bytes, page, zoom, rotation, onPages } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [pdf, setPdf] = useState<import("pdfjs-dist").PDFDocumentProxy | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    let loaded: import("pdfjs-dist").PDFDocumentProxy | null = null;
    void (async () => {
      try {
        // Loaded on demand: pdf.js is large and only reviewers opening a PDF need it.
        const pdfjs = await import("pdfjs-dist");
        const worker = await import("pdfjs-dist/build/pdf.worker.min.mjs?url");
        pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
        // pdf.js takes ownership of the buffer it is given: hand it a copy.
        loaded = await pdfjs.getDocument({ data: new Uint8Array(bytes.slice(0)), isEvalSupported: false }).promise;
        if (!live) return;
        setPdf(loaded);
        onPages(loaded.numPages);
      } catch (e) {
        if (live) setError(String(e));
      }
    })();
    return () => {
      live = false;
      void loaded?.destroy();
    };
  }, [bytes, onPages]);

  useEffect(() => {
    if (!pdf || !canvas.current) return;
    let task: { cancel: () => void } | null = null;
    void (async () => {
      const p = await pdf.getPage(page);
      const viewport = p.getViewport({ scale: 1.5 * zoom, rotation });
      const el = canvas.current;
      const ctx = el?.getContext("2d");
      if (!el || !ctx) return;
      el.width = viewport.width;
      el.height = viewport.height;
      const render = p.render({ canvasContext: ctx, viewport });
      task = render;
      await render.promise.catch(() => undefined);
    })();
    return () => task?.cancel();
  }, [pdf, page, zoom, rotation]);

  if (error) return <ErrorBox message={error} requestId={null} />;
  return (
    <div className="viewer-canvas">
      <canvas ref={canvas} data-testid="viewer-pdf" />
    </div>
  );
}
