import { expect, type Page } from "@playwright/test";

/** Islands hydrate when the browser is idle: wait for the navigation island. */
export async function waitForHydration(page: Page) {
  await expect(page.locator('.nav-toggle[data-hydrated="true"]')).toHaveCount(1);
}

/** Collects console errors and failed or erroring requests while a test runs. */
export function watchForProblems(page: Page) {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}
