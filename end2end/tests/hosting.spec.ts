import { expect, test } from "@playwright/test";
import { freshEmail, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

test("create a hosting account, invite a viewer who joins in another browser and cannot edit", async ({ browser, baseURL }) => {
  const ownerPage = await (await browser.newContext()).newPage();
  await signUpConfirmed(ownerPage, "Olive Owner", "owner passphrase 1");
  const name = `E2E Shop ${Date.now()}`;

  // Create: name, plan, primary domain, region.
  await ownerPage.goto("/hosting");
  await waitForHydration(ownerPage);
  await expect(ownerPage.getByRole("heading", { name: "No hosting accounts yet" })).toBeVisible();
  await ownerPage.getByRole("link", { name: "New hosting account" }).first().click();
  await expect(ownerPage.getByRole("heading", { level: 1, name: "New hosting account" })).toBeVisible();
  await ownerPage.getByLabel("Name").fill(name);
  // The free plan: paying is the billing test's.
  await ownerPage.getByRole("radio", { name: /Hobby/ }).check();
  await ownerPage.getByLabel("Primary domain").fill("not a domain");
  await ownerPage.getByLabel("Region").selectOption({ label: "Europe — Dublin" });
  await ownerPage.getByRole("button", { name: "Create hosting account" }).click();
  // A bad domain is explained next to the field; nothing typed is lost.
  await expect(ownerPage.getByText("Enter a domain name like example.com")).toBeVisible();
  await expect(ownerPage.getByLabel("Name")).toHaveValue(name);
  await ownerPage.getByLabel("Primary domain").fill("shop.example.com");
  await ownerPage.getByRole("button", { name: "Create hosting account" }).click();
  await expect(ownerPage.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(ownerPage.locator(".toast")).toHaveText(/Your hosting account was created\./);
  await expect(ownerPage.getByText("No usage reported yet")).toBeVisible();
  await ownerPage.getByRole("button", { name: "Dismiss" }).click();
  await expect(ownerPage.locator(".toast")).toBeHidden();
  const accountUrl = new URL(ownerPage.url()).pathname;

  // Invite a viewer.
  const viewerEmail = freshEmail();
  await ownerPage.getByLabel("Email address").fill(viewerEmail);
  await ownerPage.locator("#f-role").selectOption("viewer");
  await ownerPage.getByRole("button", { name: "Send invitation" }).click();
  await expect(ownerPage.locator(".toast")).toHaveText(/The invitation was sent\./);
  await expect(ownerPage.locator("li.invitation")).toContainText(`${viewerEmail} as Viewer`);

  // The invitee has no account yet: signs up with the invited address and lands on the invitation.
  const viewerPage = await (await browser.newContext()).newPage();
  await signUpConfirmed(viewerPage, "Vic Viewer", "viewer passphrase 1", viewerEmail, "Invitations");
  await viewerPage.getByRole("button", { name: `Accept and join ${name}` }).click();
  await expect(viewerPage.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(viewerPage.locator(".toast")).toHaveText(/You joined the hosting account/);
  await expect(viewerPage.locator(".page-subtitle")).toContainText("your role: Viewer");
  await expect(viewerPage.locator("tr.member")).toHaveCount(2);
  // A viewer's page has no edit controls…
  for (const control of ["Edit details", "Change plan", "Send invitation", "Cancel hosting account"]) {
    await expect(viewerPage.getByRole("button", { name: control }).or(viewerPage.getByRole("link", { name: control }))).toHaveCount(0);
  }
  // …and the server refuses the edit anyway.
  const edit = await viewerPage.request.post(`${accountUrl}/edit`, {
    form: { name: "Hijacked", primary_domain: "evil.example.com", region: "eu-west" },
    headers: { Origin: baseURL! },
    maxRedirects: 0,
  });
  expect(edit.status()).toBe(403);
  await viewerPage.reload();
  await expect(viewerPage.getByRole("heading", { level: 1, name })).toBeVisible();

  // The owner's feed tells the story in sentences.
  await ownerPage.reload();
  await expect(ownerPage.locator(".feed")).toContainText(`Olive Owner invited ${viewerEmail} as viewer`);
  await expect(ownerPage.locator(".feed")).toContainText("Vic Viewer joined as viewer");
});

test("an invitation reaches the bell of someone already signed in, as it is sent", async ({ browser }) => {
  const invitee = await (await browser.newContext()).newPage();
  const inviteeEmail = await signUpConfirmed(invitee, "Ivy Invitee", "invitee passphrase 1");
  const problems = watchForProblems(invitee);
  await invitee.goto("/support");
  await waitForHydration(invitee);
  const bell = invitee.locator("#notification-bell summary");
  await expect(bell).toHaveAttribute("aria-label", "Notifications");
  await bell.click();
  await expect(invitee.locator(".bell-panel")).toContainText("No notifications.");

  const owner = await (await browser.newContext()).newPage();
  await signUpConfirmed(owner, "Otto Owner", "owner passphrase 2");
  const name = `Bell Shop ${Date.now()}`;
  await owner.goto("/hosting/new");
  await owner.getByLabel("Name").fill(name);
  await owner.getByRole("radio", { name: /Hobby/ }).check();
  await owner.getByLabel("Primary domain").fill("bell.example.com");
  await owner.getByLabel("Region").selectOption({ label: "Europe — Dublin" });
  await owner.getByRole("button", { name: "Create hosting account" }).click();
  await expect(owner.getByRole("heading", { level: 1, name })).toBeVisible();
  await owner.getByLabel("Email address").fill(inviteeEmail);
  await owner.locator("#f-role").selectOption("viewer");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.locator(".toast")).toHaveText(/The invitation was sent\./);

  // The open bell updates in place: the count on it, the invitation in it.
  await expect(bell).toHaveAttribute("aria-label", "Notifications: 1 unread");
  await expect(bell.locator(".bell-count")).toHaveText("1");
  const panel = invitee.locator(".bell-panel");
  await expect(panel).toBeVisible();
  await panel.getByRole("link", { name: `Otto Owner invited you to ${name} as viewer` }).click();
  await expect(invitee.getByRole("heading", { level: 1, name: "Invitations" })).toBeVisible();
  expect(problems).toEqual([]);
});
