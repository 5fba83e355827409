import { useEffect, useRef, useState } from "react";
import type { JobProgress } from "../bindings/JobProgress";
import { commands, events, on, toErrorView, type ErrorView } from "../ipc";
import { formatCount } from "../format";
import { useI18n, type MessageKey } from "../i18n";

/** A long job: running (with progress), or how it ended. */
export type JobState =
  | { status: "running"; id: string; label: MessageKey; done: number; total: number }
  | { status: "saved"; label: MessageKey; path: string; rows: number }
  | { status: "message"; text: string }
  | { status: "cancelled"; label: MessageKey }
  | { status: "failed"; error: ErrorView };

let seq = 0;

/**
 * Runs long work the core reports on as `job-progress` events (an export, a bulk
 * re-read): its progress, a cancel, and how it ended. One job at a time per bar.
 */
export function useJob() {
  const [job, setJob] = useState<JobState | null>(null);
  const running = useRef<string | null>(null);

  useEffect(() => {
    const off = on(events.jobProgress, (p: JobProgress) => {
      if (p.job !== running.current) return;
      setJob((j) => (j?.status === "running" ? { ...j, done: p.done, total: p.total } : j));
    });
    return () => void off.then((f) => f());
  }, []);

  async function run<T>(label: MessageKey, work: (id: string) => Promise<T>, ended: (r: T) => JobState) {
    seq += 1;
    const id = `job-${Date.now()}-${seq}`;
    running.current = id;
    setJob({ status: "running", id, label, done: 0, total: 0 });
    try {
      setJob(ended(await work(id)));
    } catch (e) {
      setJob({ status: "failed", error: toErrorView(e) });
    } finally {
      running.current = null;
    }
  }

  function cancel() {
    if (running.current) void commands.cancelJob(running.current);
  }

  return { job, run, cancel, clear: () => setJob(null), busy: job?.status === "running" };
}

/** A job's progress bar and cancel, then where its file went (with "Show in folder"). */
export function JobBar({ job, onCancel, onClose }: { job: JobState | null; onCancel: () => void; onClose: () => void }) {
  const { t, locale } = useI18n();
  if (!job) return null;
  if (job.status === "running") {
    return (
      <div className="job-bar" role="status" data-testid="job-running">
        <span>{t(job.label)}</span>
        <progress max={job.total || 1} value={job.done} aria-label={t(job.label)} data-testid="job-progress" />
        <span className="mono">
          {formatCount(locale, job.done)} / {formatCount(locale, job.total)}
        </span>
        <button type="button" onClick={onCancel} data-testid="job-cancel">
          {t("cancel")}
        </button>
      </div>
    );
  }
  let body;
  if (job.status === "saved") {
    body = (
      <>
        <span>{t("jobSaved", { rows: formatCount(locale, job.rows) })}</span>
        <code className="path" data-testid="job-path">
          {job.path}
        </code>
        <button type="button" onClick={() => void commands.revealExport(job.path).catch(() => undefined)}>
          {t("showInFolder")}
        </button>
      </>
    );
  } else if (job.status === "message") {
    body = <span data-testid="job-message">{job.text}</span>;
  } else if (job.status === "cancelled") {
    body = <span data-testid="job-cancelled">{t("jobCancelled")}</span>;
  } else {
    body = (
      <span className="error" data-testid="job-failed">
        {job.error.message}
      </span>
    );
  }
  return (
    <div className={`job-bar ${job.status}`} role="status" data-testid="job-ended">
      {body}
      <button type="button" onClick={onClose} aria-label={t("close")}>
        ✕
      </button>
    </div>
  );
}
