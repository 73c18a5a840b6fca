import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The page is served by dashboard/server (same origin as its /api and /rpc), built to dashboard/dist.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2048 },
  logLevel: "warn",
});
