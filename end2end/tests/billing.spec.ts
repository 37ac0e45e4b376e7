import { expect, test, type Page } from "@playwright/test";
import { signUpConfirmed, waitForHydration, watchForProblems } from "./support";

// Stripe here is the project's stand-in (./scripts/test starts it): its
// hosted pages take the test cards, and it signs and sends webhooks.
const STRIPE = process.env.STRIPE_API_BASE ?? "http://127.0.0.1:12112";

async function switches(page: Page, value: { delay_ms?: number; duplicate?: boolean; reorder?: boolean }) {
  const res = await page.request.post(`${STRIPE}/_standin/switches`, { data: value });
  expect(res.ok()).toBeTruthy();
}

/** Creates a hosting account on `plan` and lands on its order page. */
async function buy(page: Page, name: string, plan: RegExp) {
  await page.goto("/hosting/new");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: plan }).check();
  await page.getByLabel("Primary domain").fill("shop.example.com");
  await page.getByLabel("Region").selectOption({ label: "Europe — Dublin" });
  await page.getByRole("button", { name: "Create hosting account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your order" })).toBeVisible();
  await expect(page.getByText("No real money is charged")).toBeVisible();
}

async function payOnStripe(page: Page, card: string) {
  await page.getByRole("link", { name: /with Stripe/ }).click();
  await expect(page.getByText("Test payments, no real money")).toBeVisible();
  await page.getByLabel("Card number").fill(card);
  await page.getByRole("button", { name: /^Pay / }).click();
}

test("a customer pays for a new account and sees it become active, invoiced and emailed", async ({ page }) => {
  test.setTimeout(90_000);
  const email = await signUpConfirmed(page, "Paula Payer", "payer passphrase 1");
  const problems = watchForProblems(page);
  const name = `Paid Shop ${Date.now()}`;
  await buy(page, name, /Pro/);
  await waitForHydration(page);
  // Stripe's confirmation comes a moment after the customer is back.
  await switches(page, { delay_ms: 2500 });
  try {
    await payOnStripe(page, "4242 4242 4242 4242");
    await expect(page.getByRole("heading", { name: "Confirming your payment…" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Payment confirmed" })).toBeVisible({ timeout: 20_000 });
  } finally {
    await switches(page, {});
  }
  await page.getByRole("link", { name: "Go to the account" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toContainText("Active");
  await expect(page.locator(".billing-box")).toContainText("14.99 EUR / month");
  await page.goto("/billing");
  const invoice = page.locator("tr.invoice-row").filter({ hasText: name });
  await expect(invoice).toContainText("14.99 EUR");
  await expect(invoice).toContainText("Paid");
  await expect(invoice.getByRole("link", { name: "PDF" })).toBeVisible();
  await page.goto(`/dev/mailbox?to=${encodeURIComponent(email)}`);
  await expect(page.locator(".mail-subject", { hasText: `Payment received: 14.99 EUR for ${name}` })).toBeVisible();
  expect(problems).toEqual([]);
});

test("a declined card leaves the account pending with a clear message", async ({ page }) => {
  await signUpConfirmed(page, "Dee Declined", "declined passphrase 1");
  const problems = watchForProblems(page);
  const name = `Declined Shop ${Date.now()}`;
  await buy(page, name, /Starter/);
  await payOnStripe(page, "4000 0000 0000 0002");
  await expect(page.getByRole("alert")).toHaveText("Your card was declined. Try another card.");
  await page.getByRole("link", { name: "← Back without paying" }).click();
  await expect(page.getByText("The payment was not completed and nothing was charged.")).toBeVisible();
  await page.getByRole("link", { name: "← Back to the account" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toContainText("Pending");
  await expect(page.getByText("This account is waiting for its first payment.")).toBeVisible();
  expect(problems).toEqual([]);
});

test("an upgrade shows what it costs now, then moves the account to the new plan", async ({ page }) => {
  test.setTimeout(90_000);
  await signUpConfirmed(page, "Ugo Upgrade", "upgrade passphrase 1");
  const name = `Growing Shop ${Date.now()}`;
  await buy(page, name, /Starter/);
  await payOnStripe(page, "4242424242424242");
  await expect(page.getByRole("heading", { name: "Payment confirmed" })).toBeVisible({ timeout: 20_000 });
  await page.getByRole("link", { name: "Go to the account" }).click();
  await waitForHydration(page);
  const problems = watchForProblems(page);
  const business = await page.locator("#f-plan option", { hasText: "Business" }).getAttribute("value");
  await page.getByLabel("Change plan").selectOption(business!);
  await page.getByRole("button", { name: "Change plan" }).click();
  await expect(page.getByRole("heading", { name: `Move ${name} to Business` })).toBeVisible();
  // 39.99 − 4.99 for (nearly) the whole month that is left.
  await expect(page.locator(".due-now")).toHaveText(/^3[45]\.\d\d EUR$/);
  await page.getByRole("button", { name: /and change plan/ }).click();
  await expect(page.locator(".toast")).toContainText("plan change is paid");
  await expect(page.locator(".billing-box")).toContainText("39.99 EUR / month", { timeout: 20_000 });
  await expect(page.locator("section.card", { has: page.getByRole("heading", { name: "Overview" }) })).toContainText("Business");
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("buy and pay with plain pages, then see the confirmation", async ({ page }) => {
    test.setTimeout(90_000);
    await signUpConfirmed(page, "Nora NoScript", "noscript passphrase 1");
    const name = `Plain Shop ${Date.now()}`;
    await buy(page, name, /Starter/);
    await payOnStripe(page, "4242 4242 4242 4242");
    // Without JavaScript the page offers to look again until Stripe has confirmed.
    for (let i = 0; i < 20; i++) {
      if (await page.getByRole("heading", { name: "Payment confirmed" }).isVisible()) break;
      await page.waitForTimeout(500);
      await page.getByRole("link", { name: "Check again" }).click();
    }
    await expect(page.getByRole("heading", { name: "Payment confirmed" })).toBeVisible();
    await page.goto("/billing");
    await expect(page.locator("tr.invoice-row").filter({ hasText: name })).toContainText("Paid");
  });
});
