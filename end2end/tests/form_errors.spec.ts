import { expect, test, type Page } from "@playwright/test";
import { DEMO, E2E_STAFF, signIn, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

// Every form's error path with JavaScript on: the islands router submits
// the form with fetch and swaps in the answer, which explains the problem
// next to the field. The console stays empty (no "Failed to load resource"
// for a 4xx answer), while a plain post keeps its 4xx status (Rust suite).

/** Opens `path`, waits for the islands, and starts watching for problems. */
async function open(page: Page, path: string): Promise<string[]> {
  await page.goto(path);
  await waitForHydration(page);
  return watchForProblems(page);
}

test("public forms explain bad input in the page", async ({ page }) => {
  let problems = await open(page, "/signup");
  await page.getByLabel("Your name").fill("   ");
  await page.getByLabel("Email").fill("ana@localhost");
  await page.getByLabel("Password", { exact: true }).fill("password1234");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#f-name-error")).toHaveText("Enter your name.");
  await expect(page.locator("#f-email-error")).toBeVisible();
  await expect(page.locator("#f-password-error")).toContainText("too common");
  await expect(page.getByLabel("Email")).toHaveValue("ana@localhost");
  expect(problems).toEqual([]);

  problems = await open(page, "/login");
  // An address with no account: a wrong password for a real one would
  // count towards pausing it for the other tests.
  await page.getByLabel("Email").fill("nobody-here@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  expect(problems).toEqual([]);

  problems = await open(page, "/forgot-password");
  await page.getByLabel("Email").fill("ana@localhost");
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.locator("#f-email-error")).toBeVisible();
  expect(problems).toEqual([]);

  problems = await open(page, "/reset-password?token=not-a-real-token");
  await page.getByLabel("New password").fill("a brand new passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert")).toContainText("invalid or has already been used");
  expect(problems).toEqual([]);

  problems = await open(page, "/verify-email?token=not-a-real-token");
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("alert")).toContainText("invalid or has already been used");
  expect(problems).toEqual([]);

  problems = await open(page, "/confirm-email?token=not-a-real-token");
  await page.getByRole("button", { name: "Confirm new address" }).click();
  await expect(page.getByRole("alert")).toContainText("invalid or has already been used");
  expect(problems).toEqual([]);
});

test("a customer's forms explain bad input in the page", async ({ page }) => {
  await signUpConfirmed(page, "Fay Forms", "a passphrase for forms");

  let problems = await open(page, "/settings");
  await page.getByLabel("Name").fill("   ");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.locator("#f-name-error")).toHaveText("Enter your name.");
  expect(problems).toEqual([]);

  problems = await open(page, "/settings");
  await page.getByLabel("New email address").fill("fay@localhost");
  await page.getByRole("button", { name: "Change email" }).click();
  await expect(page.locator("#f-new_email-error")).toBeVisible();
  expect(problems).toEqual([]);

  problems = await open(page, "/confirm-identity?next=/settings");
  await page.getByLabel("Password").fill("not my passphrase");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("#f-password-error")).toHaveText("Your current password is incorrect.");
  expect(problems).toEqual([]);

  problems = await open(page, "/hosting/new");
  await page.getByLabel("Name").fill("Forms Shop");
  await page.getByLabel("Primary domain").fill("http://forms.example.com/shop");
  await page.getByRole("button", { name: "Create hosting account" }).click();
  await expect(page.locator("#f-primary_domain-error")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("Forms Shop");
  expect(problems).toEqual([]);

  // A real account for the account page's forms.
  await page.getByLabel("Primary domain").fill("forms.example.com");
  await page.getByRole("button", { name: "Create hosting account" }).click();
  await expect(page.getByText("Your hosting account was created.")).toBeVisible();
  const accountPage = new URL(page.url()).pathname;

  problems = await open(page, accountPage);
  await page.getByLabel("Email address").fill("guest@localhost");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.locator("#f-email-error")).toBeVisible();
  expect(problems).toEqual([]);

  problems = await open(page, `${accountPage}/edit`);
  await page.getByLabel("Name").fill("   ");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#f-name-error")).toBeVisible();
  expect(problems).toEqual([]);

  problems = await open(page, "/settings/two-factor");
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await page.getByLabel("6-digit code").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.locator("#f-code-error")).toContainText("did not match");
  expect(problems).toEqual([]);

  problems = await open(page, "/invitations/accept?token=not-a-real-token");
  await expect(page.getByText("This invitation link is not valid.")).toBeVisible();
  expect(problems).toEqual([]);
});

test("staff forms explain bad input in the page", async ({ page }) => {
  await signIn(page, E2E_STAFF.email, E2E_STAFF.password);

  let problems = await open(page, "/staff/plans");
  await page.getByLabel("Code").fill("tiny");
  await page.getByLabel("Name").fill("Tiny");
  await page.getByLabel("Storage (GB)").fill("1");
  await page.getByLabel("Bandwidth per month (GB)").fill("1");
  await page.getByLabel("Sites", { exact: true }).fill("1");
  await page.getByLabel("Price per month").fill("1.234");
  await page.getByLabel("Currency").fill("EUR");
  await page.getByRole("button", { name: "Save plan" }).click();
  await expect(page.locator("#f-price-error")).toContainText("at most two decimals");
  await expect(page.getByLabel("Code")).toHaveValue("tiny");
  expect(problems).toEqual([]);

  problems = await open(page, "/staff/nodes");
  await page.getByLabel("Node name").fill("   ");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.locator("#f-name-error")).toBeVisible();
  // A node's settings: a wrong address is refused next to its field, and
  // the form opens again with what was typed.
  const node = page.locator("section.node", { hasText: "demo-ap-southeast" }).first();
  await node.getByText("Settings of demo-ap-southeast…").click();
  await node.getByLabel("Public IPv4 address").fill("300.1.1.1");
  await node.getByRole("button", { name: "Save node" }).click();
  const again = page.locator("section.node", { hasText: "demo-ap-southeast" }).first();
  await expect(again.locator("[id$='-error']").first()).toContainText("public IPv4 address");
  await expect(again.getByLabel("Public IPv4 address")).toHaveValue("300.1.1.1");
  expect(problems).toEqual([]);
});

test("a customer posting to a staff tool gets the not-found page, quietly", async ({ page }) => {
  await signIn(page, DEMO.email, DEMO.password);
  const problems = await open(page, "/hosting");
  // The form a customer never sees, submitted as the islands router would.
  await page.evaluate(() => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/staff/nodes";
    form.innerHTML = '<input name="name" value="x"><button type="submit">go</button>';
    document.querySelector("main")!.appendChild(form);
    form.querySelector("button")!.click();
  });
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  expect(problems).toEqual([]);
});
