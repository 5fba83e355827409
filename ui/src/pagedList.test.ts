import { describe, expect, it } from "vitest";
import { PAGE, pagesFor } from "./pagedList";

describe("the pages a list position needs", () => {
  it("reads only the pages in view (and the first, for the counts), never those between", () => {
    expect(pagesFor(0, 14)).toEqual([0]);
    expect(pagesFor(190, 210)).toEqual([0, 1]);
    // End of 100,000 rows: one page at the end, not the 499 before it.
    expect(pagesFor(99_986, 99_999)).toEqual([0, Math.floor(99_999 / PAGE)]);
    // The middle, dragged to with the scrollbar.
    expect(pagesFor(50_000, 50_013)).toEqual([0, 250]);
  });
});
