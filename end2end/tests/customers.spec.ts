import { expect, test, type Page } from "@playwright/test";
import { DEMO, E2E_STAFF, waitForHydration, watchForProblems } from "./support";

// Staff find a customer from what support is told and see their picture:
// search, open, and a note only staff see, with JavaScript on and off, on
// a phone, with an empty console.

async function signInAsStaff(page: Page, javaScript: boolean) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(E2E_STAFF.email);
  await page.getByLabel("Password").fill(E2E_STAFF.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  if (javaScript) await waitForHydration(page);
}

for (const javaScript of [true, false]) {
  test.describe(javaScript ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled: javaScript, viewport: { width: 390, height: 844 } });

    test("staff search for a customer, open them and leave a note", async ({ page }) => {
      await signInAsStaff(page, javaScript);
      const problems = watchForProblems(page);
      await page.goto("/staff/customers");
      await page.getByLabel("Search", { exact: true }).fill("demo shop");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect(page).toHaveURL(/q=demo\+shop/);
      await page.getByRole("link", { name: DEMO.name }).first().click();
      await expect(page.getByRole("heading", { level: 1, name: DEMO.name })).toBeVisible();
      await expect(page.locator(".customer-part", { hasText: "Hosting accounts" })).toContainText("Demo Shop");
      await expect(page.getByRole("heading", { name: "Recent sign-ins" })).toBeVisible();
      const note = `Called about DNS (${javaScript ? "js" : "no js"} ${Date.now()})`;
      await page.getByLabel("Add a note").fill(note);
      await page.getByRole("button", { name: "Add note" }).click();
      await expect(page.getByText("The note was added.")).toBeVisible();
      await expect(page.locator(".customer-notes")).toContainText(note);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      // With JavaScript off, Chromium refuses the page's script preloads
      // itself ("csp"): not a problem of the page.
      const real = javaScript ? problems : problems.filter((p) => !(p.startsWith("request failed:") && p.endsWith(" csp")));
      expect(real).toEqual([]);
    });
  });
}
