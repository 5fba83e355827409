import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";

type Props = {
  className: string;
  /** An accessible name, or the id of the heading that names the dialog. */
  label?: string | undefined;
  labelledBy?: string | undefined;
  onClose: () => void;
  /** Keys other than Escape (which always closes). */
  onKeyDown?: ((e: KeyboardEvent) => void) | undefined;
  testId: string;
  children: ReactNode;
};

/** A modal dialog over a dimmed window: focused when it opens, closed by Escape. */
export function Modal({ className, label, labelledBy, onClose, onKeyDown, testId, children }: Props) {
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => dialog.current?.focus(), []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else {
      onKeyDown?.(e);
    }
  };
  return (
    <div className="viewer-backdrop">
      <div
        ref={dialog}
        className={className}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        aria-labelledby={labelledBy}
        tabIndex={-1}
        onKeyDown={onKey}
        data-testid={testId}
      >
        {children}
      </div>
    </div>
  );
}
