import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn, waitForHydration } from "../tests/support";

// The README's pictures, from the demo data: desktop in light, phone in dark.
const DOCS = join(__dirname, "..", "..", "docs");

async function chartsDrawn(page: Page) {
  await waitForHydration(page);
  await expect(page.locator(".chart-canvas canvas")).toHaveCount(4);
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(800); // ECharts' entry animation
}

test.describe("desktop, light", () => {
  test.use({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });

  test("dashboard, hosting account and sign-up", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Your name").fill("Ana Example");
    await page.getByLabel("Email").fill("ana@example.com");
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await page.screenshot({ path: join(DOCS, "sign-up.png") });

    await signIn(page);
    await page.goto("/?range=30d");
    await chartsDrawn(page);
    await page.screenshot({ path: join(DOCS, "dashboard.png"), fullPage: true });

    await page.goto("/hosting?q=Demo+Shop");
    await page.getByRole("link", { name: "Demo Shop" }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: "Demo Shop" })).toBeVisible();
    await page.screenshot({ path: join(DOCS, "hosting-account.png"), fullPage: true });

    await page.goto("/support");
    await page.getByRole("link", { name: /Emails to Gmail bounce/ }).click();
    await expect(page.locator(".message", { hasText: "SPF and DKIM" })).toBeVisible();
    await page.screenshot({ path: join(DOCS, "support-ticket.png"), fullPage: true });
  });
});

test.describe("phone, dark", () => {
  test.use({ viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true });

  test("dashboard", async ({ page }) => {
    await signIn(page);
    await page.goto("/?range=30d");
    await chartsDrawn(page);
    await page.screenshot({ path: join(DOCS, "dashboard-phone.png") });
  });
});
