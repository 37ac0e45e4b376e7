import { expect, test, type Page } from "@playwright/test";
import { DEMO, E2E_STAFF, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

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

// Support's whole path with one customer: find them, open their page, see
// the portal as they do (read-only, with the banner), end the view, and
// lock them — their session ends at once.
for (const javaScript of [true, false]) {
  test.describe(javaScript ? "view as, with JavaScript" : "view as, without JavaScript", () => {
    test.use({ javaScriptEnabled: javaScript, viewport: { width: 390, height: 844 } });

    test("staff view the portal as a customer, then lock them", async ({ page, browser }) => {
      const customer = await browser.newContext({ javaScriptEnabled: javaScript });
      const theirs = await customer.newPage();
      const name = `Vera Viewed ${javaScript ? "js" : "nojs"}`;
      const email = await signUpConfirmed(theirs, name, "vera passphrase 1");

      await signInAsStaff(page, javaScript);
      const problems = watchForProblems(page);
      await page.goto(`/staff/customers?q=${encodeURIComponent(email)}`);
      await page.getByRole("link", { name }).click();
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

      const viewAs = page.locator("form[action$='/view-as']");
      await page.getByText("View as customer…").click();
      await viewAs.getByLabel("Reason").fill("Checking their dashboard for ticket 1");
      await viewAs.getByRole("button", { name: "View as customer" }).click();
      const banner = page.getByTestId("view-as-banner");
      await expect(banner).toContainText(`Viewing as ${name}`);
      await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
      await page.goto("/settings");
      await expect(banner).toContainText("read-only");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await page.getByRole("button", { name: "End the view" }).click();
      await expect(page.getByText("The view as the customer ended")).toBeVisible();
      // A whole page load: wait for it to come alive before acting again.
      if (javaScript) await waitForHydration(page);
      await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
      await expect(page.locator(".customer-part", { hasText: "Staff actions" })).toContainText("Viewed as the customer");

      const lock = page.locator("form[action$='/lock']");
      await page.getByText("Lock…").click();
      await lock.getByLabel("Reason").fill("Reported stolen card");
      await lock.getByRole("button", { name: "Lock the user" }).click();
      await expect(page.getByText("The user is locked")).toBeVisible();
      await expect(page.getByTestId("locked")).toContainText("Reported stolen card");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

      // Their session ended: the next page asks them to sign in.
      await theirs.goto("/settings");
      await expect(theirs).toHaveURL(/\/login/);
      await customer.close();
      const real = javaScript ? problems : problems.filter((p) => !(p.startsWith("request failed:") && p.endsWith(" csp")));
      expect(real).toEqual([]);
    });
  });
}
