import { expect, test, type Page } from "@playwright/test";
import { signIn, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

/** A hosting account on the free plan with `domain` as its primary domain. */
async function account(page: Page, name: string, domain: string) {
  await page.goto("/hosting/new");
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: /Hobby/ }).check();
  await page.getByLabel("Primary domain").fill(domain);
  await page.getByLabel("Region").selectOption({ label: "Europe — Dublin" });
  await page.getByRole("button", { name: "Create hosting account" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

/** `domain` added on a new free account of that name, its zone page open. */
async function zonePage(page: Page, name: string, domain: string) {
  await account(page, name, domain);
  await page.goto("/domains");
  await page.getByLabel("Domain name").fill(domain);
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByRole("heading", { level: 1, name: domain })).toBeVisible();
}

const rows = (page: Page) => page.locator("tr.record");

test("a customer edits DNS: a checked MX record, a template, an import, a revert", async ({ page }) => {
  test.setTimeout(120_000);
  await signUpConfirmed(page, "Dana DNS", "dns passphrase 1");
  const domain = `dns${Date.now()}.example.org`;
  await account(page, "DNS Shop", domain);
  const problems = watchForProblems(page);
  await page.goto("/domains");
  await page.getByLabel("Hosting account").selectOption({ index: 0 });
  await page.getByLabel("Domain name").fill(domain);
  await page.getByRole("button", { name: "Add domain" }).click();
  await expect(page.getByRole("heading", { level: 1, name: domain })).toContainText("Pending delegation");
  await expect(page.getByText("The domain was added.")).toBeVisible();
  await expect(rows(page)).toHaveCount(4);
  await waitForHydration(page);

  // The priority is checked as it is typed, before anything is sent.
  await page.locator("#new-type").selectOption("MX");
  await page.locator("#new-name").fill("lists");
  await page.locator("#new-content").fill("mx.example.net");
  await page.locator("#new-priority").fill("70000");
  await expect(page.locator("#new-priority-error")).toHaveText("The priority must be between 0 and 65535.");
  await expect(page.locator("#new-priority")).toHaveAttribute("aria-invalid", "true");
  await page.locator("#new-priority").fill("10");
  await expect(page.locator("#new-priority-error")).toHaveText("");
  await page.getByRole("button", { name: "Add record" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added lists MX" })).toBeVisible();
  await expect(rows(page).filter({ hasText: "10 mx.example.net" })).toHaveCount(1);
  await expect(rows(page)).toHaveCount(5);
  // The add form is blank again for the next record, of the same type.
  await expect(page.locator("#new-type")).toHaveValue("MX");
  await expect(page.locator("#new-name")).toHaveValue("");
  await expect(page.locator("#new-priority")).toHaveValue("");
  await expect(page.locator("#new-ttl")).toHaveValue("3600");
  // The history below shows the change without a reload.
  await expect(page.locator(".dns-change").first()).toContainText("Added lists", { timeout: 5_000 });

  // Filtering as you type.
  await page.getByLabel("Filter by name or value").fill("lists");
  await expect(rows(page)).toHaveCount(1);
  await expect(page.locator("#records .record-count")).toHaveText("1 of 5 records match");
  // …and said to screen readers, since the count is drawn anew.
  await expect(page.locator("#records-found")).toHaveText("1 of 5 records match");
  await page.getByLabel("Filter by name or value").fill("");

  // Google Workspace, after its preview.
  await page.getByLabel("Template", { exact: true }).selectOption("google-workspace");
  await page.getByRole("button", { name: "Preview template" }).click();
  const preview = page.getByRole("region", { name: "Template preview" });
  await expect(preview).toContainText("smtp.google.com");
  await preview.getByRole("button", { name: "Apply: add 2 records" }).click();
  await expect(page.getByText("The template's records were added.")).toBeVisible();
  await expect(rows(page).filter({ hasText: "1 smtp.google.com" })).toHaveCount(1, { timeout: 10_000 });

  // A zone file with a bad line: listed, nothing applied.
  await page.getByLabel("Zone file", { exact: true }).fill("www 3600 IN A 203.0.113.5\nbad IN A 999.1.1.1\n");
  await page.getByRole("button", { name: "Preview import" }).click();
  await expect(page.getByText("Nothing was imported: 1 line(s) need attention.")).toBeVisible();
  await expect(page.getByText(/Line 2: /)).toBeVisible();
  await expect(rows(page)).toHaveCount(7);

  // A good one: the difference, then applied.
  await page.getByLabel("Zone file", { exact: true }).fill(`$ORIGIN ${domain}.\n@ 300 IN A 203.0.113.50\nwww IN CNAME ${domain}.\n@ IN MX 5 mx1.example.net.\n`);
  await page.getByRole("button", { name: "Preview import" }).click();
  const diff = page.getByRole("region", { name: "Import preview" });
  await expect(diff).toContainText("What the import changes");
  await expect(diff).toContainText("+ www CNAME");
  await diff.getByRole("button", { name: "Apply the import" }).click();
  await expect(page.getByText("The zone file was imported.")).toBeVisible();
  await expect(rows(page)).toHaveCount(3, { timeout: 10_000 });

  // Reverted from the history: the records before the import are back.
  await page.getByRole("button", { name: /^Revert: Imported a zone file/ }).click();
  await expect(page.getByText("The change was reverted.")).toBeVisible();
  await expect(rows(page).filter({ hasText: "10 mx.example.net" })).toHaveCount(1, { timeout: 10_000 });
  await expect(page.locator(".dns-change").first()).toContainText("Reverted: Imported a zone file");

  // An international name, converted by the browser as it is typed (DNS
  // holds its punycode) and shown as people read it.
  await page.locator("#new-type").selectOption("A");
  await page.locator("#new-name").fill("Bücher");
  await page.locator("#new-content").fill("203.0.113.7");
  await page.getByRole("button", { name: "Add record" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Added bücher A" })).toBeVisible();
  await expect(rows(page).filter({ hasText: "203.0.113.7" })).toHaveCount(1);
  // An xn-- part that does not decode is refused as it is typed.
  await page.locator("#new-name").fill("xn--99999999999");
  await expect(page.locator("#new-name-error")).toHaveText("That international name is not valid (its xn-- part does not decode).");
  await expect(page.locator("#new-name")).toHaveAttribute("aria-invalid", "true");

  // The last change is undone from the status line.
  await page.getByRole("status").getByRole("button", { name: "Undo" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The last change was undone" })).toBeVisible();
  await expect(rows(page).filter({ hasText: "203.0.113.7" })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("a record is edited and a deletion kept with the keyboard alone", async ({ page }) => {
  await signUpConfirmed(page, "Kay Keys", "keyboard passphrase 1");
  const domain = `keys${Date.now()}.example.org`;
  await zonePage(page, "Key Shop", domain);
  await waitForHydration(page);
  const problems = watchForProblems(page);

  // Adding: type into the fields, Enter sends.
  await page.locator("#new-type").selectOption("A");
  await page.locator("#new-type").focus();
  await page.keyboard.press("Tab");
  await expect(page.locator("#new-name")).toBeFocused();
  await page.keyboard.type("kb");
  await page.locator("#new-content").focus();
  await page.keyboard.type("203.0.113.5");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Added kb A" })).toBeVisible();

  // Editing: Enter on the row's Edit link opens its form with the focus in
  // it; Tab reaches the value; Enter saves; the focus is back on the link.
  const edit = page.getByRole("link", { name: "Edit kb A" });
  await edit.focus();
  await page.keyboard.press("Enter");
  const form = page.getByRole("form", { name: "Edit record" });
  await expect(form.locator(":focus")).toHaveCount(1);
  const value = form.locator("#edit-content");
  for (let i = 0; i < 8 && !(await value.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  await expect(value).toBeFocused();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("203.0.113.6");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Saved kb A" })).toBeVisible();
  await expect(rows(page).filter({ hasText: "203.0.113.6" })).toHaveCount(1);
  await expect(edit).toBeFocused();

  // Escape closes the form unsaved, and the focus is back on the link.
  await page.keyboard.press("Enter");
  await expect(form.locator(":focus")).toHaveCount(1);
  await page.keyboard.press("Escape");
  await expect(form).toHaveCount(0);
  await expect(edit).toBeFocused();

  // Delete asks; its confirmation takes the focus; Keep gives it back.
  const remove = page.getByRole("link", { name: "Delete kb A" });
  await remove.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Keep" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(remove).toBeFocused();
  await expect(rows(page).filter({ hasText: "203.0.113.6" })).toHaveCount(1);
  expect(problems).toEqual([]);
});

test("a record edited in the editor is reported by Check propagation from the running name server", async ({ page }) => {
  await signIn(page);
  const problems = watchForProblems(page);
  await page.goto("/domains/shop.example.com");
  await waitForHydration(page);
  const name = `probe${Date.now()}`;
  await page.locator("#new-type").selectOption("A");
  await page.locator("#new-name").fill(name);
  await page.locator("#new-content").fill("203.0.113.123");
  await page.getByRole("button", { name: "Add record" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Added ${name} A` })).toBeVisible();

  const card = page.getByRole("region", { name: "Check propagation" });
  await card.getByLabel("Name").fill(name);
  await card.getByLabel("Type").selectOption("A");
  await card.getByRole("button", { name: "Check propagation" }).click();
  const rows = card.locator("tbody tr");
  // Both example name servers are the local `ksf dns` the scripts start.
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    await expect(row).toContainText("Up to date: 203.0.113.123");
    await expect(row).toContainText("(current)");
    await expect(row).toHaveAttribute("data-state", "matches");
  }
  await expect(card).toContainText(`The portal has ${name}.shop.example.com.: 203.0.113.123`);
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("Check propagation answers the plain form with every server's answer", async ({ page }) => {
    await signIn(page);
    await page.goto("/domains/shop.example.com");
    const card = page.getByRole("region", { name: "Check propagation" });
    await card.getByLabel("Name").fill("www");
    await card.getByLabel("Type").selectOption("A");
    await card.getByRole("button", { name: "Check propagation" }).click();
    await expect(page).toHaveURL(/check=www&check_type=A/);
    const rows = page.getByRole("region", { name: "Check propagation" }).locator("tbody tr");
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText("Up to date:");
    await expect(rows.first()).toContainText("(current)");
  });

  test("the editor's forms work and errors come back next to the field", async ({ page }) => {
    await signUpConfirmed(page, "Nico NoScript", "noscript passphrase 1");
    const domain = `plain${Date.now()}.example.org`;
    await zonePage(page, "Plain Shop", domain);
    await page.locator("#new-type").selectOption("MX");
    await page.locator("#new-name").fill("lists");
    await page.locator("#new-content").fill("mx.example.net");
    await page.locator("#new-priority").fill("70000");
    await page.getByRole("button", { name: "Add record" }).click();
    await expect(page.locator("#new-priority-error")).toHaveText("The priority must be between 0 and 65535.");
    await expect(page.locator("#new-content")).toHaveValue("mx.example.net");
    await page.locator("#new-priority").fill("10");
    await page.getByRole("button", { name: "Add record" }).click();
    await expect(page.getByText("The record was saved.")).toBeVisible();
    await expect(rows(page).filter({ hasText: "10 mx.example.net" })).toHaveCount(1);
    // Delete asks first.
    await rows(page).filter({ hasText: "10 mx.example.net" }).getByRole("link", { name: /^Delete lists MX/ }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(page.getByText("The record was deleted.")).toBeVisible();
    await expect(rows(page).filter({ hasText: "mx.example.net" })).toHaveCount(0);
  });
});

test("figures: a 5,000-record zone is imported and opened in the editor", async ({ page }) => {
  test.setTimeout(180_000);
  await signUpConfirmed(page, "Bea Bulk", "bulk passphrase 1");
  const domain = `bulk${Date.now()}.example.org`;
  await zonePage(page, "Bulk Shop", domain);
  const lines = [`$ORIGIN ${domain}.`, "$TTL 3600"];
  for (let i = 0; i < 5000; i++) lines.push(`host${i} IN A 198.51.100.${i % 250}`);
  const zone = lines.join("\n");
  let started = Date.now();
  const res = await page.request.post(`/domains/${domain}/import`, {
    multipart: { zone, apply: "yes" },
    headers: { origin: new URL(page.url()).origin },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(303);
  const importMs = Date.now() - started;
  started = Date.now();
  await page.goto(`/domains/${domain}`);
  await expect(rows(page).first()).toBeVisible();
  const firstPaintMs = Date.now() - started;
  await expect(page.getByText("5000 records")).toBeVisible();
  await expect(rows(page)).toHaveCount(50);
  await waitForHydration(page);
  const hydratedMs = Date.now() - started;
  // The server filters the whole zone and draws the first page of matches.
  started = Date.now();
  await page.getByLabel("Filter by name or value").fill("host4999");
  await expect(page.locator("#records .record-count")).toHaveText("1 of 5000 records match");
  const filterMs = Date.now() - started;
  await expect(rows(page)).toHaveCount(1);
  // The page carries one page of rows, not the zone.
  const html = await (await page.request.get(`/domains/${domain}`)).text();
  expect(html.length).toBeLessThan(200_000);
  console.log(
    `FIGURES dns: import of 5,000 records ${importMs} ms; editor first paint with data ${firstPaintMs} ms, interactive ${hydratedMs} ms; filter to one record ${filterMs} ms; page HTML ${Math.round(html.length / 1024)} KB`,
  );
});
