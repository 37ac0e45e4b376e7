import { expect, test, type Page } from "@playwright/test";
import { signUpConfirmed, waitForHydration, watchForProblems } from "./support";

// The registrar here is the project's stand-in (./scripts/test starts it):
// it speaks Namecheap's API; google.com and names starting with "taken" are
// taken. Payments go to the Stripe stand-in.

/** A hosting account on the free plan. */
async function account(page: Page, name: string) {
  await page.goto("/hosting/new");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: /Hobby/ }).check();
  await page.getByLabel("Primary domain").fill(`site${Date.now()}.example.org`);
  await page.getByLabel("Region").selectOption({ label: "Europe — Dublin" });
  await page.getByRole("button", { name: "Create hosting account" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** Searches, picks the .com and fills in the registrant (first with a
 * phone number a registry refuses, when `mistake`), then pays. */
async function order(page: Page, label: string, mistake = false) {
  await page.goto("/domains");
  await page.getByRole("link", { name: "Find a domain to buy" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Find a domain" })).toBeVisible();
  await page.getByLabel("Domain name").fill(label);
  await page.getByRole("button", { name: "Search" }).click();
  const result = page.locator(`li[data-name="${label}.com"]`);
  await expect(result).toContainText("10.66 USD / year");
  await result.getByRole("link", { name: "Buy" }).click();
  await expect(page.getByRole("heading", { level: 2, name: `${label}.com` })).toBeVisible();
  await page.getByLabel("Street address").fill("1 Analytical Way");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("State or province").fill("Berlin");
  await page.getByLabel("Postal code").fill("10115");
  await page.getByLabel("Country code").fill("DE");
  if (mistake) {
    await page.getByLabel("Phone").fill("030 1234567");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    // A phone without its country code is refused before anything is paid.
    await expect(page.locator("#f-phone-error")).toContainText("with its country code");
    await expect(page.getByLabel("City")).toHaveValue("Berlin");
  }
  await page.getByLabel("Phone").fill("+49 30 1234567");
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your domain order" })).toBeVisible();
  await page.getByRole("link", { name: /with Stripe/ }).click();
  await expect(page.getByText("Test payments, no real money")).toBeVisible();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay / }).click();
}

test("a customer finds a free name, pays for it and it is live on our name servers", async ({ page }) => {
  test.setTimeout(90_000);
  await signUpConfirmed(page, "Rhea Registrant", "registrant passphrase 1");
  await account(page, "Domain Shop");
  const problems = watchForProblems(page);
  const label = `shop${Date.now()}`;
  await order(page, label);
  await expect(page.getByRole("heading", { level: 1, name: "Your domain order" })).toBeVisible();
  await waitForHydration(page);
  // The page follows the worker by itself.
  await expect(page.getByRole("heading", { name: `${label}.com is yours` })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Registered until")).toBeVisible();
  await page.getByRole("link", { name: "Edit its DNS" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `${label}.com` })).toContainText("Active");
  expect(problems).toEqual([]);
});

test("a search for a taken name offers others, on a phone", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUpConfirmed(page, "Tara Taken", "taken passphrase 1");
  const problems = watchForProblems(page);
  await page.goto("/domains/search?q=google");
  await expect(page.locator('li[data-name="google.com"]')).toContainText("Taken");
  await expect(page.getByRole("heading", { name: "Other free names" })).toBeVisible();
  await expect(page.locator('li[data-name="getgoogle.com"]').getByRole("link", { name: "Buy" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(problems).toEqual([]);
});

test("a taken name is answered in place, with other names and a transfer that is then followed", async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await signUpConfirmed(page, "Theo Transfer", "transfer passphrase 1");
  await account(page, "Moving Shop");
  const problems = watchForProblems(page);
  const label = `taken${Date.now()}`;
  await page.goto("/domains/search");
  await waitForHydration(page);
  await page.getByLabel("Domain name").fill(label);
  await page.getByRole("button", { name: "Search" }).click();
  // The island asks without leaving the page, and keeps the search in the address.
  const result = page.locator(`li[data-name="${label}.com"]`);
  await expect(result).toContainText("Taken");
  await expect(page).toHaveURL(new RegExp(`/domains/search\\?q=${label}$`));
  await expect(page.getByRole("heading", { name: "Other free names" })).toBeVisible();
  await expect(page.locator(`li[data-name="get${label}.com"]`).getByRole("link", { name: "Buy" })).toBeVisible();
  await result.getByRole("link", { name: "Yours? Transfer it" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Transfer a domain to us" })).toBeVisible();
  await expect(page.getByText("11.50 USD")).toBeVisible();
  await page.getByLabel("Transfer code (auth code)").fill(`${label}#EPP`);
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your domain order" })).toBeVisible();
  await expect(page.getByText("Transfer in", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: /with Stripe/ }).click();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your domain order" })).toBeVisible();
  // Submitted once paid; the registrar's answer is shown while it runs (it takes days).
  await expect(page.getByText("Transferring your domain")).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(".transfer-status")).toContainText("The registrar says");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a transfer code that cannot be one is refused next to its field", async ({ page }) => {
    await signUpConfirmed(page, "Nils NoScript Transfer", "noscript transfer 1");
    await account(page, "Plain Moving Shop");
    await page.goto("/domains/transfer");
    await page.getByLabel("Domain name").fill("taken-plain.com");
    await page.getByRole("button", { name: "Check the price" }).click();
    await expect(page.getByText("11.50 USD")).toBeVisible();
    await page.getByLabel("Transfer code (auth code)").fill("has space");
    await page.getByRole("button", { name: "Continue to payment" }).click();
    await expect(page.locator("#f-auth_code-error")).toContainText("without spaces");
    await expect(page.getByLabel("Transfer code (auth code)")).toHaveValue("");
  });

  test("searching, ordering and paying work with plain forms", async ({ page }) => {
    test.setTimeout(90_000);
    await signUpConfirmed(page, "Nora NoScript Domains", "noscript domains 1");
    await account(page, "Plain Domain Shop");
    const label = `plain${Date.now()}`;
    await order(page, label, true);
    await expect(page.getByRole("heading", { level: 1, name: "Your domain order" })).toBeVisible();
    // Without the live island the customer checks again by hand.
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole("heading", { name: `${label}.com is yours` })).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 30_000 });
  });
});
