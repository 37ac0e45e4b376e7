import { gzipSync } from "node:zlib";
import { expect, test, type Page } from "@playwright/test";
import { signUpConfirmed, waitForHydration, watchForProblems } from "./support";

// ./scripts/test runs a hosting node (Caddy and ksf-node) for the Singapore
// region, and Chromium resolves *.sites.test to it (playwright.config.ts).

/** A .tar.gz holding `files` (name → text), as `tar czf` would make it. */
function tarGz(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const header = Buffer.alloc(512);
    const field = (value: string, offset: number, length: number) => header.write(value, offset, length, "ascii");
    field(name, 0, 100);
    field("0000644\0", 100, 8);
    field("0000000\0", 108, 8);
    field("0000000\0", 116, 8);
    field(body.length.toString(8).padStart(11, "0") + "\0", 124, 12);
    field(Math.floor(Date.now() / 1000).toString(8).padStart(11, "0") + "\0", 136, 12);
    field("        ", 148, 8);
    field("0", 156, 1);
    field("ustar\0" + "00", 257, 8);
    const sum = header.reduce((a, b) => a + b, 0);
    field(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A new customer's free hosting account in Singapore; answers its page's path. */
async function newAccount(page: Page, host: string): Promise<string> {
  await page.goto("/hosting/new");
  await page.getByLabel("Name").fill(`Site ${host}`);
  await page.getByRole("radio", { name: /Hobby/ }).check();
  await page.getByLabel("Primary domain").fill(host);
  await page.getByLabel("Region").selectOption({ label: "Asia Pacific — Singapore" });
  await page.getByRole("button", { name: "Create hosting account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Site ${host}` })).toBeVisible();
  await expect(page.locator(".site-node")).toContainText("Served by demo-ap-southeast");
  return new URL(page.url()).pathname;
}

/** Uploads `archive` and waits until the node serves it (the page looks again by itself). */
async function deploy(page: Page, file: string, archive: Buffer) {
  await page
    .getByLabel("Upload your site (.zip or .tar.gz)")
    .setInputFiles({ name: file, mimeType: "application/gzip", buffer: archive });
  await page.getByRole("button", { name: "Upload and deploy" }).click();
  await expect(page.locator(".toast")).toHaveText(/Your files are uploaded/);
  await expect(page.locator("tr.deploy").first()).toContainText("Deployed", { timeout: 20_000 });
  await expect(page.locator("tr.deploy").first()).toContainText(file);
}

test("create an account, upload a site and visit it", async ({ page }) => {
  const problems = watchForProblems(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await signUpConfirmed(page, "Sita Site", "site passphrase 1");
  const host = `shop-${Date.now()}.sites.test`;
  await newAccount(page, host);
  await waitForHydration(page);
  await expect(page.getByText("Nothing uploaded yet")).toBeVisible();

  // A file that is no archive is explained next to the field.
  await page
    .getByLabel("Upload your site (.zip or .tar.gz)")
    .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just text") });
  await page.getByRole("button", { name: "Upload and deploy" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "That file is not a .zip or .tar.gz archive." })).toBeVisible();
  problems.length = 0; // the 422 of that answer was expected

  await deploy(page, "my-site.tar.gz", tarGz({ "index.html": "<h1>Hello from Sita</h1>" }));
  // A 390 px phone, the account named like its long domain: nothing sticks out.
  const misfits = await page.evaluate(() =>
    Array.from(document.querySelectorAll("main *"))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${Math.round(el.getBoundingClientRect().right)}px`),
  );
  expect(misfits).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  const [site] = await Promise.all([
    page.waitForEvent("popup"),
    page.getByRole("link", { name: "Visit site" }).click(),
  ]);
  await expect(site.getByRole("heading", { name: "Hello from Sita" })).toBeVisible();
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("upload a site, then put the first one back", async ({ page }) => {
    await signUpConfirmed(page, "Nico NoScript", "noscript passphrase 2");
    const host = `plain-${Date.now()}.sites.test`;
    await newAccount(page, host);
    await deploy(page, "first.tar.gz", tarGz({ "site/index.html": "<h1>First</h1>" }));
    await deploy(page, "second.tar.gz", tarGz({ "index.html": "<h1>Second</h1>" }));
    await page.getByRole("button", { name: "Put back first.tar.gz" }).click();
    await expect(page.locator(".toast")).toHaveText(/The earlier files are going back/);
    const site = await page.context().newPage();
    await expect(async () => {
      await site.goto(`http://${host}/`);
      await expect(site.getByRole("heading", { name: "First" })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 10_000 });
  });
});
