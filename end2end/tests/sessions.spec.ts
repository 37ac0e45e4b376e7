import { expect, test } from "@playwright/test";
import { signIn, waitForHydration } from "./support";

// The seeded staff login is used only here, so no other test's session is touched.
const STAFF = { email: "staff@ksfoundation.test", password: "staff-password-1" };

test("revoking another session signs that browser out on its next click", async ({ browser }) => {
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await signIn(laptop, STAFF.email, STAFF.password);
  await signIn(phone, STAFF.email, STAFF.password);

  await laptop.goto("/settings/sessions");
  await waitForHydration(laptop);
  const rows = laptop.locator("tr.session");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "This device" })).toHaveCount(1);
  await rows.filter({ hasNotText: "This device" }).getByRole("button", { name: "Revoke" }).click();
  await expect(laptop.locator(".toast")).toHaveText(/That session was signed out\./);
  await expect(laptop.locator("tr.session")).toHaveCount(1);

  await phone.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosting" }).click();
  await expect(phone.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(phone).toHaveURL(/\/login\?next=\/hosting$/);
});
