import { expect, test } from "@playwright/test";
import { linkFromMailbox, signIn, waitForHydration } from "./support";

test("sign up, confirm by email, sign out, reset the password and sign in with the new one", async ({ page }) => {
  const email = `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const firstPassword = "first secret passphrase";
  const newPassword = "second secret passphrase";

  // Sign up; the password rules follow what is typed.
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Your name").fill("Erin Tester");
  await page.getByLabel("Email").fill(email);
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("short");
  await expect(page.getByText("At least 12 characters")).toHaveAttribute("data-met", "false");
  await password.fill(firstPassword);
  await expect(page.getByText("At least 12 characters")).toHaveAttribute("data-met", "true");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();

  // The confirmation link from the dev mailbox signs us in on the dashboard.
  await page.goto(await linkFromMailbox(page, email, /Confirm your email address/));
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.locator(".signed-in-name")).toHaveText("Erin Tester");

  // Sign out from the account menu.
  await page.getByLabel("Account menu").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();

  // Forgot password: the answer does not say whether the address has an account.
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText("If that address has an account, we sent it a link")).toBeVisible();

  await page.goto(await linkFromMailbox(page, email, /Reset your .* password/));
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("Your password was changed. Sign in with your new password.")).toBeVisible();

  // The old password no longer works; the new one does.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(firstPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  await expect(page.getByLabel("Email")).toHaveValue(email);

  await page.getByLabel("Password").fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.locator(".signed-in-name")).toHaveText("Erin Tester");
});

test("renaming yourself in settings shows a notice and the new name", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings");
  await waitForHydration(page);
  const name = page.getByLabel("Name", { exact: true });
  await name.fill("   ");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByText("Enter your name.")).toBeVisible();

  await name.fill("Demo Customer");
  await page.getByRole("button", { name: "Save name" }).click();
  const toast = page.locator(".toast");
  await expect(toast).toHaveText(/Your name was saved\./);
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await expect(toast).toBeHidden();
  await expect(page.getByLabel("Account menu")).toHaveText("Demo Customer");
});

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false });

  test("a wrong password is explained next to the form and the email is kept", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill("nobody@example.com");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
    await expect(page.getByLabel("Email")).toHaveValue("nobody@example.com");
  });
});
