import { expect, test, type Page } from "@playwright/test";
import { signUpConfirmed, waitForHydration, watchForProblems } from "./support";

// A submitted form says it is working and cannot be sent twice; a form's
// files show how much of them has gone. Without JavaScript the browser's
// own loading indicator is all there is (the payment forms are idempotent
// on the server).

/** Holds every POST to `path` until `release` is called; counts them. */
async function holdPosts(page: Page, path: string) {
  const held = { count: 0, release: () => {} };
  const gate = new Promise<void>((resolve) => (held.release = resolve));
  await page.route(
    (url) => url.pathname === path,
    async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      held.count += 1;
      await gate;
      await route.continue();
    },
  );
  return held;
}

test("a double click saves once, and the button shows it is working until the answer is in", async ({ page }) => {
  await signUpConfirmed(page, "Bea Busy", "a passphrase for busy forms");
  await page.goto("/settings");
  await waitForHydration(page);
  const problems = watchForProblems(page);
  const posts = await holdPosts(page, "/settings/profile/name");

  await page.getByLabel("Name").fill("Bea Busier");
  const save = page.getByRole("button", { name: "Save name" });
  await save.dblclick();
  await expect(save).toHaveAttribute("aria-busy", "true");
  await expect(save).toBeDisabled();
  posts.release();

  await expect(page.getByText("Your name was saved.")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("Bea Busier");
  await expect(save).not.toHaveAttribute("aria-busy");
  await expect(save).toBeEnabled();
  expect(posts.count).toBe(1);
  expect(problems).toEqual([]);
});

test("a ticket's file shows its progress, a refusal keeps the page live, and the ticket is sent once", async ({ page }) => {
  await signUpConfirmed(page, "Uma Upload", "a passphrase for uploads");
  await page.goto("/support/new");
  await waitForHydration(page);
  const problems = watchForProblems(page);
  const subject = `Upload progress ${Date.now()}`;
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Message").fill("The **log** is attached.");
  const files = page.getByLabel("Attachments (optional)");
  const send = page.getByRole("button", { name: "Send ticket" });

  // A refused file: the answer replaces the form, typed text kept, and its
  // preview island works (the page was not reloaded).
  await files.setInputFiles({ name: "shot.png", mimeType: "image/png", buffer: Buffer.from("not a png") });
  await send.click();
  await expect(page.locator("#f-files-error")).toContainText("not what a .png file holds");
  await expect(page.getByLabel("Subject")).toHaveValue(subject);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".preview strong")).toHaveText("log");

  const posts = await holdPosts(page, "/support/new");
  await files.setInputFiles({ name: "server.log", mimeType: "text/plain", buffer: Buffer.alloc(2 * 1024 * 1024, "GET / 200\n") });
  await send.dblclick();
  await expect(page.locator(".upload-progress progress")).toBeVisible();
  await expect(page.locator(".upload-progress [role=status]")).toContainText("Uploading");
  await expect(send).toHaveAttribute("aria-busy", "true");
  posts.release();

  await expect(page.getByRole("heading", { level: 1, name: new RegExp(`^#\\d+ ${subject}$`) })).toBeVisible();
  await expect(page.locator(".toast")).toHaveText(/Your ticket was sent/);
  await expect(page.getByRole("link", { name: "server.log" })).toBeVisible();
  expect(posts.count).toBe(1);
  await page.goto("/support");
  await expect(page.locator("tr.ticket-row", { hasText: subject })).toHaveCount(1);
  expect(problems).toEqual([]);
});
