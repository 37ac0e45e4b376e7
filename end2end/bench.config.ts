import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// Benchmarks that print figures (never part of ./scripts/test):
//
//   ./scripts/run --release          in one terminal, then
//   cd end2end && npx playwright test -c bench.config.ts
//
// KSF_BASE_URL (default http://127.0.0.1:3000) is the running site,
// KSF_SITE_ROOT (default ../target/site) its built files, and
// KSF_BENCH_LOADS (default 5) the loads per route.
export default defineConfig({
  ...base,
  testDir: "./bench",
  workers: 1,
  fullyParallel: false,
  use: { ...base.use, baseURL: process.env.KSF_BASE_URL ?? "http://127.0.0.1:3000" },
});
