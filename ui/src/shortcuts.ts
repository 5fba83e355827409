// The window's keyboard shortcuts (the README lists them).
import { useEffect, useRef } from "react";

export type Shortcuts = {
  sync: () => void;
  search: () => void;
  settings: () => void;
  register: () => void;
  /** Ctrl+1: the customer list; Ctrl+2: the work queue (⌘ on macOS, where ⌘Q quits). */
  queue: (shown: boolean) => void;
  /** Escape with no dialog open: close the detail or the form. */
  close: () => void;
};

export function useShortcuts(actions: Shortcuts) {
  const current = useRef(actions);
  useEffect(() => {
    current.current = actions;
  }, [actions]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const a = current.current;
      const mod = e.ctrlKey || e.metaKey;
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      if (e.key === "F5" || (mod && e.key.toLowerCase() === "r")) {
        e.preventDefault();
        a.sync();
      } else if ((mod && e.key.toLowerCase() === "f") || (e.key === "/" && !typing)) {
        e.preventDefault();
        a.search();
      } else if (mod && e.key === ",") {
        e.preventDefault();
        a.settings();
      } else if (mod && e.key.toLowerCase() === "n") {
        e.preventDefault();
        a.register();
      } else if (mod && (e.key === "1" || e.key === "2")) {
        e.preventDefault();
        a.queue(e.key === "2");
      } else if (e.key === "Escape" && !document.querySelector("[role=dialog]")) {
        a.close();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
