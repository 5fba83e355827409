import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Built into ui/dist and embedded in the binary; no CDN, no remote origin.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  build: { outDir: "dist", target: "safari15", sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: { port: 5173, strictPort: true },
  test: { environment: "jsdom", setupFiles: ["./src/test-setup.ts"], include: ["src/**/*.test.{ts,tsx}"] },
});
