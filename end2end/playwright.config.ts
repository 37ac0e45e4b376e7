import { defineConfig, devices } from "@playwright/test";

// The server is started by ./scripts/test; Playwright only drives the browser.
const baseURL = process.env.KSF_BASE_URL ?? "http://127.0.0.1:3100";
// The hosting node ./scripts/test runs: every *.sites.test host is its.
const sitesPort = process.env.KSF_E2E_SITES_PORT ?? "18080";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      // Playwright cannot download its own browser here: use Debian's.
      executablePath: process.env.KSF_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        `--host-resolver-rules=MAP *.sites.test 127.0.0.1:${sitesPort}`,
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
});
