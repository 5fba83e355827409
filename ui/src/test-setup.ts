// jsdom does no layout: every element measures 0×0, so a virtualized list would render
// no rows. Give elements the size of a plausible viewport (TanStack Virtual reads
// clientWidth/clientHeight); the code under test is unchanged.
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1000 });
