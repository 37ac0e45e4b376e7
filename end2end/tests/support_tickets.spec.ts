import { expect, test } from "@playwright/test";
import { DEMO, E2E_STAFF, signIn, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

test("a customer's ticket reaches staff live, the reply reaches the customer live, and the customer rates it", async ({ browser }) => {
  test.setTimeout(120_000);
  // Staff watch the queue in their own browser.
  const staff = await (await browser.newContext()).newPage();
  await signIn(staff, E2E_STAFF.email, E2E_STAFF.password);
  await staff.goto("/staff/tickets");
  await waitForHydration(staff);
  const staffProblems = watchForProblems(staff);
  // A box ticked for "Close selected" stays ticked as the rows update.
  const ticked = staff.locator("tr.ticket-row input[type=checkbox]").first();
  const tickedId = await ticked.getAttribute("id");
  await ticked.check();

  const customer = await (await browser.newContext()).newPage();
  const email = await signUpConfirmed(customer, "Tia Ticket", "ticket passphrase 1");
  const customerProblems = watchForProblems(customer);
  await customer.goto("/support");
  await expect(customer.getByRole("heading", { name: "No open tickets" })).toBeVisible();
  await customer.getByRole("link", { name: "New ticket" }).first().click();
  await expect(customer.getByRole("heading", { level: 1, name: "New ticket" })).toBeVisible();
  await waitForHydration(customer);
  const subject = `Checkout fails ${Date.now()}`;
  await customer.getByLabel("Subject").fill(subject);
  await customer.getByLabel("Category").selectOption("technical");
  await customer.getByLabel("Priority").selectOption("high");
  await customer.getByLabel("Message").fill("The **cart** shows an error:\n\n```\n500 Internal Server Error\n```");
  // The preview renders the Markdown as it will be shown, without leaving the page.
  await customer.getByRole("button", { name: "Preview" }).click();
  await expect(customer.locator(".preview strong")).toHaveText("cart");
  await customer.getByLabel("Attachments (optional)").setInputFiles({
    name: "checkout.log",
    mimeType: "text/plain",
    buffer: Buffer.from("POST /checkout 500\n"),
  });
  await customer.getByRole("button", { name: "Send ticket" }).click();
  const heading = customer.getByRole("heading", { level: 1, name: new RegExp(`^#\\d+ ${subject}$`) });
  await expect(heading).toBeVisible();
  await expect(customer.locator(".toast")).toHaveText(/Your ticket was sent/);
  await expect(customer.getByRole("link", { name: "checkout.log" })).toBeVisible();
  const number = (await heading.textContent())!.match(/#(\d+)/)![1];

  // The ticket appears in the staff queue without a reload.
  const row = staff.locator("tr.ticket-row", { hasText: subject });
  await expect(row).toBeVisible();
  await expect(staff.locator(`[id="${tickedId}"]`)).toBeChecked();
  await row.getByRole("link").click();
  await expect(staff.getByRole("heading", { level: 1, name: `#${number} ${subject}` })).toBeVisible();
  await waitForHydration(staff);
  await expect(staff.locator(".customer-card")).toContainText("Tia Ticket");
  await staff.getByRole("button", { name: "Assign to me" }).click();
  await expect(staff.locator(".toast")).toHaveText(/The assignment was saved/);
  await waitForHydration(staff);
  await staff.getByLabel("Your reply").fill("We fixed the payment module. Please try again.");
  await staff.getByRole("button", { name: "Send", exact: true }).click();
  await expect(staff.locator(".toast")).toHaveText(/Your reply was sent/);

  // The customer's open page shows the reply and the new state live.
  await expect(customer.locator(".message", { hasText: "We fixed the payment module" })).toBeVisible();
  await expect(customer.locator(".ticket-status")).toContainText("Awaiting your reply");

  // Staff resolve it; the customer follows the email's rating link.
  await waitForHydration(staff);
  await staff.getByRole("button", { name: "Resolve" }).click();
  await expect(staff.locator(".toast")).toHaveText(/The ticket is resolved/);
  await customer.goto(`/dev/mailbox?to=${encodeURIComponent(email)}`);
  await expect(customer.locator(".mail-subject", { hasText: `Re: [Ticket #${number}]` })).toBeVisible();
  const resolved = customer.locator(".mail").filter({ has: customer.locator(".mail-subject", { hasText: `Resolved: [Ticket #${number}]` }) });
  await expect(resolved).toBeVisible();
  const text = (await resolved.locator(".mail-text").textContent()) ?? "";
  const bad = text.match(/https?:\/\/\S+\?rate=bad#rate/);
  expect(bad, text).not.toBeNull();
  await customer.goto(new URL(bad![0]).pathname + "?rate=bad#rate");
  await expect(customer.getByRole("heading", { name: "How did we do?" })).toBeVisible();
  await expect(customer.getByRole("radio", { name: "Bad" })).toBeChecked();
  await customer.getByRole("radio", { name: "Good" }).check();
  await customer.getByLabel("Comment (optional)").fill("Fixed within minutes");
  await customer.getByRole("button", { name: "Send rating" }).click();
  await expect(customer.locator(".toast")).toHaveText(/Thank you for rating/);
  await staff.reload();
  await expect(staff.locator(".rating")).toContainText("Customer's rating: Good");
  await expect(staff.locator(".rating")).toContainText("Fixed within minutes");

  expect(customerProblems).toEqual([]);
  expect(staffProblems).toEqual([]);
});

test("a refused file keeps the typed ticket, next to the field, with a quiet console", async ({ page }) => {
  await signIn(page, DEMO.email, DEMO.password);
  await page.goto("/support/new");
  await waitForHydration(page);
  const problems = watchForProblems(page);
  const subject = `Refused file ${Date.now()}`;
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Message").fill("See the screenshot.");
  await page.getByLabel("Attachments (optional)").setInputFiles({ name: "shot.png", mimeType: "image/png", buffer: Buffer.from("not a png") });
  await page.getByRole("button", { name: "Send ticket" }).click();
  await expect(page.locator("#f-files-error")).toContainText("not what a .png file holds");
  await expect(page.getByLabel("Subject")).toHaveValue(subject);
  await expect(page.getByLabel("Message")).toHaveValue("See the screenshot.");
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("open a ticket with a preview and a file, and reply", async ({ page }) => {
    await signIn(page, DEMO.email, DEMO.password);
    await page.goto("/support/new");
    const subject = `No-JS question ${Date.now()}`;
    await page.getByLabel("Subject").fill(subject);
    await page.getByLabel("Message").fill("Is *backup* included?");
    // Preview submits the form and comes back with the text kept.
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page.locator(".preview em")).toHaveText("backup");
    await expect(page.getByLabel("Subject")).toHaveValue(subject);
    await expect(page.getByLabel("Message")).toHaveValue("Is *backup* included?");
    // A file whose content is not what its name says is refused next to the field.
    await page.getByLabel("Attachments (optional)").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("not a png") });
    await page.getByRole("button", { name: "Send ticket" }).click();
    await expect(page.locator("#f-files-error")).toContainText("not what a .png file holds");
    await expect(page.getByLabel("Message")).toHaveValue("Is *backup* included?");
    await page.getByLabel("Attachments (optional)").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("plan: pro\n") });
    await page.getByRole("button", { name: "Send ticket" }).click();
    await expect(page.getByRole("heading", { level: 1, name: new RegExp(subject) })).toBeVisible();
    await expect(page.getByRole("link", { name: "notes.txt" })).toBeVisible();
    await page.getByLabel("Your reply").fill("Also: how often?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(page.getByText("Your reply was sent.")).toBeVisible();
    await expect(page.locator(".message", { hasText: "Also: how often?" })).toBeVisible();
    await page.getByRole("button", { name: "Mark as resolved" }).click();
    await expect(page.locator(".ticket-status")).toContainText("Resolved");
  });
});
