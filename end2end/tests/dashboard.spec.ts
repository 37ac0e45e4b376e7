import { expect, test, type Page } from "@playwright/test";
import { DEMO, E2E_STAFF, signIn, signUpConfirmed, waitForHydration, watchForProblems } from "./support";

/** How many pixels of a chart's canvas are painted. */
async function paintedPixels(page: Page, chart: string): Promise<number> {
  const canvas = page.locator(`#chart-${chart} canvas`).first();
  await expect(canvas).toBeVisible();
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
    return painted;
  });
}

test("the dashboard shows real figures and draws its charts, with an empty console", async ({ page }) => {
  await signIn(page);
  const problems = watchForProblems(page);
  await page.goto("/?range=30d");
  await waitForHydration(page);
  const storage = page.locator('[data-tile="storage"]');
  await expect(storage.locator(".tile-value")).toHaveText(/\d+(\.\d)? (GB|TB)/);
  await expect(page.locator('[data-tile="accounts"] .tile-value')).toHaveText(/^\d+$/);
  await expect(page.locator('[data-tile="bandwidth"] .tile-detail')).toContainText("%");
  for (const chart of ["storage", "bandwidth", "bandwidth-per-account"]) {
    await expect.poll(() => paintedPixels(page, chart), { message: `${chart} is drawn` }).toBeGreaterThan(500);
  }
  // The data behind a chart is a table, one click away.
  const toggle = page.locator("#chart-storage").locator("xpath=ancestor::section").getByRole("button", { name: "Show data table" });
  await expect(page.locator("#chart-storage-table")).toBeHidden();
  await toggle.click();
  await expect(page.locator("#chart-storage-table table")).toBeVisible();
  await expect(page.locator("#chart-storage-table tbody tr")).toHaveCount(30);
  // The activity feed links to every account's full feed.
  await expect(page.locator(".feed-item").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(problems).toEqual([]);
});

test("changing the period reloads the charts for it", async ({ page }) => {
  await signIn(page);
  await page.goto("/");
  await waitForHydration(page);
  await page.getByLabel("Period", { exact: true }).selectOption("7d");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(/range=7d/);
  await expect(page.locator(".range-now")).toContainText("Last 7 days");
  await page.getByRole("button", { name: "Show data table" }).first().click();
  // A week is drawn by the hour.
  await expect(page.locator("#chart-storage-table tbody tr").first()).toContainText(":00 UTC");
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the tiles and every chart's data table are there", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(DEMO.email);
    await page.getByLabel("Password").fill(DEMO.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
    await expect(page.locator('[data-tile="storage"] .tile-value')).toHaveText(/\d/);
    await expect(page.locator("table.data-table")).toHaveCount(6);
    // Domains' tiles and chart: the demo zones and their history.
    await expect(page.locator('[data-tile="domains"] .tile-value')).toHaveText("3");
    await expect(page.locator("#chart-dns-changes-per-day-table")).toContainText("Changes");
    // Billing's chart: the demo customer's paid invoices (through the Stripe stand-in).
    await expect(page.locator("#chart-spend-per-month-table")).toContainText("EUR");
    // Support's tile and chart: the demo customer's ticket awaits their reply.
    await expect(page.locator('[data-tile="open-tickets"]')).toContainText("awaiting your reply");
    await expect(page.locator("#chart-ticket-status-table")).toContainText("Awaiting your reply");
    await expect(page.locator("#chart-bandwidth-per-account-table")).toContainText("Demo Shop");
    // The period form works as a plain form.
    await page.getByLabel("Period", { exact: true }).selectOption("90d");
    await page.getByRole("button", { name: "Show", exact: true }).click();
    await expect(page.locator(".range-now")).toContainText("Last 90 days");
  });
});

test("reported usage reaches the open dashboard within two seconds, and only its owner's", async ({ browser, baseURL }) => {
  // Staff make a node token for Demo Shop's region, as an operator would.
  const staff = await (await browser.newContext()).newPage();
  await signIn(staff, E2E_STAFF.email, E2E_STAFF.password);
  await staff.goto("/staff/nodes");
  await staff.getByLabel("Node name").fill(`e2e-node-${Date.now()}`);
  await staff.getByLabel("Region").selectOption("eu-central");
  await staff.getByRole("button", { name: "Create token" }).click();
  const token = (await staff.locator("code.token").textContent())!.trim();

  const owner = await (await browser.newContext()).newPage();
  await signIn(owner);
  await owner.goto("/hosting?q=Demo+Shop");
  const href = await owner.getByRole("link", { name: "Demo Shop" }).first().getAttribute("href");
  const account = href!.split("/").pop()!;

  const stranger = await (await browser.newContext()).newPage();
  await signUpConfirmed(stranger, "Stan Stranger", "stranger passphrase 1");
  const strangerFetches: string[] = [];
  stranger.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/dashboard/")) strangerFetches.push(r.url());
  });

  // The owner arrives through the menu (the islands router patches the
  // page in), the stranger by loading it: both kinds of page stay live.
  await owner.goto("/hosting");
  await waitForHydration(owner);
  await owner.getByRole("navigation").getByRole("link", { name: "Dashboard" }).click();
  await expect(owner.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await stranger.goto("/");
  for (const page of [owner, stranger]) await waitForHydration(page);
  const ownerStorage = owner.locator('[data-tile="storage"] .tile-value');
  const before = await ownerStorage.textContent();
  const chartBefore = await owner.locator("#chart-storage-table").textContent();
  const strangerBefore = await stranger.locator(".tile-sections").textContent();
  // Give the live streams a moment to connect.
  await owner.waitForTimeout(500);

  const res = await owner.request.post(`${baseURL}/api/usage`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { samples: [{ account_id: account, time: new Date().toISOString().replace(/\.\d+Z$/, "Z"), storage_bytes: 987_650_000_000, bandwidth_bytes: 1 }] },
  });
  expect(res.status()).toBe(200);
  const sent = Date.now();
  await expect(ownerStorage).not.toHaveText(before!, { timeout: 2000 });
  expect(Date.now() - sent).toBeLessThan(2000);
  // The storage chart came back with the sample and is drawn again.
  await expect(owner.locator("#chart-storage-table")).not.toHaveText(chartBefore!);
  await expect.poll(() => paintedPixels(owner, "storage"), { message: "storage is drawn again" }).toBeGreaterThan(500);

  await stranger.waitForTimeout(1500);
  expect(await stranger.locator(".tile-sections").textContent()).toBe(strangerBefore);
  expect(strangerFetches).toEqual([]);
});
