import { expect, test, type Page } from "@playwright/test";
import * as OTPAuth from "otpauth";
import { signOut, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

/** What the user's authenticator app shows, `aheadSeconds` from now. */
function codeFor(secret: string, aheadSeconds = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
  return totp.generate({ timestamp: Date.now() + aheadSeconds * 1000 });
}

async function passwordStep(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Two-factor authentication" })).toBeVisible();
}

test("turn on two-factor, then sign in with a code and with a recovery code", async ({ browser }) => {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  const password = "two factor passphrase";
  const email = await signUpConfirmed(page, "Tess Factor", password);
  const problems = watchForProblems(page);

  // Settings → set up: a QR code, the key as text, and a code to confirm.
  await page.goto("/settings");
  await page.getByRole("link", { name: "Set up two-factor" }).click();
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.locator("code.secret").getAttribute("data-secret")) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expect(page.getByRole("link", { name: "Open in an authenticator app on this device" })).toHaveAttribute(
    "href",
    /^otpauth:\/\/totp\//,
  );

  // A wrong code is refused next to the field; the right one turns it on.
  await page.getByLabel("6-digit code").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByText("That code did not match")).toBeVisible();
  await page.getByLabel("6-digit code").fill(codeFor(secret));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
  const codes = await page.locator("ol.codes code").allTextContents();
  expect(codes).toHaveLength(10);
  await expect(page.getByRole("link", { name: "Download" })).toHaveAttribute("download", "ksfoundation-recovery-codes.txt");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Copy" }).click();
  await expect(page.getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(codes[0]);

  // Sign out; the password alone now leads to the code step.
  await signOut(page);
  await passwordStep(page, email, password);
  // The next time step: the enrolment used this one, and a used step is refused.
  await page.getByLabel("Code", { exact: true }).fill(codeFor(secret, 30));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  // No phone: a recovery code works once.
  await signOut(page);
  await passwordStep(page, email, password);
  await page.getByLabel("Code", { exact: true }).fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  await signOut(page);
  await passwordStep(page, email, password);
  await page.getByLabel("Code", { exact: true }).fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code did not work")).toBeVisible();

  // The 422 of the two refused codes is expected; nothing else went wrong.
  expect(problems.filter((p) => !p.includes("422"))).toEqual([]);
  await context.close();
});
