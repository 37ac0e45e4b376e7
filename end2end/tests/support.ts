import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Page } from "@playwright/test";

/** The demo customer seeded by `ksf seed-demo`. */
export const DEMO = { email: "demo@ksfoundation.test", password: "demo-password-1", name: "Demo Customer" };

/** A staff member made by ./scripts/test for the browser tests (the demo staff login is the sessions test's alone). */
export const E2E_STAFF = { email: "e2e-staff@ksfoundation.test", password: "e2e staff passphrase" };

/** Whether every island on the page has woken (each marks its element: `islands::awake`). */
export function islandsAwake(): boolean {
  return [...document.querySelectorAll("leptos-island")].every((island) => "__ksfAwake" in island);
}

/** Islands hydrate when the browser is idle, the lazy ones as their modules
 * arrive: wait until every island on the page has woken. */
export async function waitForHydration(page: Page, timeout = 15_000) {
  await expect(page.locator('html[data-nav="drawer"]')).toHaveCount(1);
  await page.waitForFunction(islandsAwake, undefined, { timeout });
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

/** Signs in through the sign-in form and waits for the dashboard. */
export async function signIn(page: Page, email = DEMO.email, password = DEMO.password) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
}

/** The first link in the newest email to `to` whose subject matches, read from the dev mailbox. */
export async function linkFromMailbox(page: Page, to: string, subject: RegExp): Promise<string> {
  await page.goto(`/dev/mailbox?to=${encodeURIComponent(to)}`);
  const mail = page.locator(".mail").filter({ has: page.locator(".mail-subject", { hasText: subject }) }).first();
  await expect(mail).toBeVisible();
  const text = (await mail.locator(".mail-text").textContent()) ?? "";
  const match = text.match(/https?:\/\/\S+/);
  expect(match, `a link in:\n${text}`).not.toBeNull();
  return match![0];
}

/** A fresh, unique email address for a test. */
export function freshEmail(): string {
  return `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** A new customer, signed up and confirmed through the mailbox, signed in on `page`. */
export async function signUpConfirmed(
  page: Page,
  name: string,
  password: string,
  email = freshEmail(),
  landsOn = "Dashboard",
): Promise<string> {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();
  await page.goto(await linkFromMailbox(page, email, /Confirm your email address/));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("heading", { level: 1, name: landsOn })).toBeVisible();
  return email;
}

/** Signs out from the account menu. */
export async function signOut(page: Page) {
  await page.getByLabel("Account menu").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
}

/** Every route of the app, read from the router itself. */
const SHELL = join(__dirname, "..", "..", "app", "src", "shell.rs");
export const ROUTES: string[] = [...readFileSync(SHELL, "utf8").matchAll(/path!\("([^"]*)"\)/g)].map((m) => `/${m[1]}`);

/** A real value for each route parameter, from the demo data. */
export async function parameters(page: Page): Promise<Record<string, string>> {
  await page.goto("/hosting?q=Demo+Shop");
  const href = await page.getByRole("link", { name: "Demo Shop" }).first().getAttribute("href");
  // The demo customer's support ticket (staff find it in their queue).
  await page.goto("/support?show=all");
  let link = page.getByRole("link", { name: /Emails to Gmail bounce/ }).first();
  if ((await link.count()) === 0) {
    await page.goto("/staff/tickets?state=all");
    link = page.getByRole("link", { name: /Emails to Gmail bounce/ }).first();
  }
  const ticket = await link.getAttribute("href");
  // The demo customer, as staff find them (others see the not-found page).
  await page.goto(`/staff/customers?q=${encodeURIComponent(DEMO.email)}`);
  const found = page.locator("table.customers a").first();
  const customer = (await found.count()) > 0 ? (await found.getAttribute("href"))!.split("/").pop()! : "unknown";
  // The demo shop's domain, whose zone the demo seeds.
  return { id: href!.split("/").pop()!, number: ticket!.split("/").pop()!, name: "shop.example.com", customer };
}

export function fill(route: string, params: Record<string, string>): string {
  return route.replace(/:([a-z_]+)/g, (_, name) => params[name] ?? "unknown");
}
