// The customer list at any position: only the pages in view (and the first, for the
// counts) are read, each by its offset, and pages out of view are let go. Reaching row
// 99,800 reads one page, not the 499 before it; scrolling the whole list keeps a few
// pages in memory, not all of them.
import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { useMemo } from "react";
import type { CustomerListQuery } from "./bindings/CustomerListQuery";
import type { CustomerPage } from "./bindings/CustomerPage";
import type { CustomerRow } from "./bindings/CustomerRow";
import { commands } from "./ipc";

/** Rows per page read. */
export const PAGE = 200;

/** How long a page out of view is kept before it is let go (a quick scroll back finds it). */
const KEEP_MS = 10_000;

/** The pages rows `start`…`end` fall in, and the first (the list's counts come with it). */
export function pagesFor(start: number, end: number): number[] {
  const first = Math.max(0, Math.floor(Math.max(0, start) / PAGE));
  const last = Math.max(first, Math.floor(Math.max(0, end) / PAGE));
  const pages = [0];
  for (let p = first; p <= last; p++) if (p !== 0) pages.push(p);
  return pages;
}

export type PagedCustomers = {
  /** The first page (counts, last sync, whether online), once read. */
  first: CustomerPage | undefined;
  /** Whether the first page is still being read for the first time. */
  isPending: boolean;
  /** The row at a position, if its page is read. */
  rowAt: (index: number) => CustomerRow | undefined;
  /** Every row read and in view now, in order. */
  loaded: CustomerRow[];
};

/** The pages of `view` that rows `range.start`…`range.end` need. */
export function usePagedCustomers(view: CustomerListQuery, range: { start: number; end: number }): PagedCustomers {
  const wanted = pagesFor(range.start, range.end);
  const { datas, isPending } = useQueries({
    queries: wanted.map((page) => ({
      queryKey: ["customers", view, page],
      queryFn: () => commands.listCustomers({ ...view, offset: page * PAGE, limit: PAGE }),
      // Only the first page shows the previous view's while the next is read: a page at
      // another position never shows rows that are not its own.
      placeholderData: page === 0 ? keepPreviousData : undefined,
      gcTime: KEEP_MS,
    })),
    // Structurally shared by TanStack Query: the same object while no page changed.
    combine: (results) => ({ datas: results.map((r) => r.data), isPending: results[0]?.isPending ?? true }),
  });
  const key = wanted.join(",");
  return useMemo(() => {
    const pages = new Map<number, CustomerPage>();
    key.split(",").forEach((p, i) => {
      const d = datas[i];
      if (d) pages.set(Number(p), d);
    });
    const loaded = [...pages.keys()].sort((a, b) => a - b).flatMap((p) => pages.get(p)?.rows ?? []);
    return {
      first: pages.get(0),
      isPending,
      rowAt: (index: number) => pages.get(Math.floor(index / PAGE))?.rows[index % PAGE],
      loaded,
    };
  }, [key, datas, isPending]);
}
