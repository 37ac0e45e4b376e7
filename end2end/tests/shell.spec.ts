import { expect, test } from "@playwright/test";
import { DEMO, signIn, waitForHydration, watchForProblems } from "./support";

test("a visitor is asked to sign in and comes back to where they were going", async ({ page }) => {
  await page.goto("/billing");
  await expect(page).toHaveURL(/\/login\?next=\/billing$/);
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/billing$/);
  await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
});

test("the dashboard loads with no console errors and no failed requests", async ({ page }) => {
  await signIn(page);
  const problems = watchForProblems(page);
  await page.goto("/");
  await expect(page).toHaveTitle("Dashboard · KSFoundation");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await waitForHydration(page);
  // On a wide screen the navigation is always shown, so there is no menu button.
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
  await page.waitForLoadState("networkidle");
  expect(problems).toEqual([]);
});

test("moving between areas keeps the shell loaded and marks the current area", async ({ page }) => {
  await signIn(page);
  const problems = watchForProblems(page);
  await page.goto("/");
  await waitForHydration(page);
  // A full page load would wipe this marker; the islands router keeps it.
  await page.evaluate(() => ((window as any).__shellMarker = "still here"));

  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Hosting" }).click();
  await expect(page).toHaveURL(/\/hosting$/);
  await expect(page.getByRole("heading", { level: 1, name: "Hosting" })).toBeVisible();
  await expect(page).toHaveTitle("Hosting · KSFoundation");
  await expect(nav.getByRole("link", { name: "Hosting" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Dashboard" })).toHaveAttribute("aria-current", "false");

  await nav.getByRole("link", { name: "Dashboard" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__shellMarker)).toBe("still here");
  expect(problems).toEqual([]);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("the menu button opens and closes the navigation", async ({ page }) => {
    await signIn(page);
    await page.goto("/");
    await waitForHydration(page);
    const menu = page.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav).toBeHidden();
    await expect(menu).toHaveAttribute("aria-expanded", "false");

    await menu.click();
    await expect(nav).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "true");

    await page.keyboard.press("Escape");
    await expect(nav).toBeHidden();

    // Choosing an area closes the menu and goes there.
    await page.getByRole("button", { name: "Menu" }).click();
    await nav.getByRole("link", { name: "Support" }).click();
    await expect(page).toHaveURL(/\/support$/);
    await expect(page.getByRole("heading", { level: 1, name: "Support" })).toBeVisible();
    await expect(nav).toBeHidden();
  });
});

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });

  test("every area is still reachable through plain links", async ({ page }) => {
    await signIn(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    // No island runs, so the links stay in the page instead of a drawer.
    await expect(nav).toBeVisible();
    await nav.getByRole("link", { name: "Domains" }).click();
    await expect(page).toHaveURL(/\/domains$/);
    await expect(page.getByRole("heading", { level: 1, name: "Domains" })).toBeVisible();
    await nav.getByRole("link", { name: "Billing" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
  });
});

test("an unknown address shows the not-found page with a way back", async ({ page }) => {
  await signIn(page);
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
});

test("pages hydrate under the strict Content-Security-Policy with no violations", async ({ page }) => {
  const problems = watchForProblems(page);
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  const response = await page.goto("/signup");
  const csp = response?.headers()["content-security-policy"] ?? "";
  const scriptSrc = csp.split(";").map((d) => d.trim()).find((d) => d.startsWith("script-src")) ?? "";
  expect(scriptSrc).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9_-]+' 'wasm-unsafe-eval'$/);
  await waitForHydration(page);
  // The password-rules island runs: the WebAssembly was allowed to start.
  await page.getByLabel("Password", { exact: true }).fill("long enough passphrase");
  await expect(page.getByText("At least 12 characters")).toHaveAttribute("data-met", "true");
  await page.waitForLoadState("networkidle");
  expect(violations).toEqual([]);
  expect(problems).toEqual([]);
});
