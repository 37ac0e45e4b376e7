import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test, type Browser, type BrowserContext } from "@playwright/test";
import { DEMO, ROUTES, fill, islandsAwake, parameters, signIn } from "../tests/support";

// Page weight and load time on a phone, measured on a running release
// build. Prints two tables and asserts nothing:
//
//   ./scripts/run --release            then, in end2end/,
//   KSF_BASE_URL=http://127.0.0.1:3000 npx playwright test --config tools.config.ts page_load
//
// Behind a TLS proxy, as deployed (HTTP/2: a page's many small lazy
// modules share one connection), KSF_BASE_URL is the proxy's https
// address, and the server's KSF_SITE_URL must be the same; a local
// certificate is accepted.
//
// KSF_SITE_ROOT (default ../target/site) is the built site, whose .gz and
// .br copies give the sizes; KSF_BENCH_LOADS (default 5) the loads per route.
//
// 1. Weight: for every route, the JavaScript and WebAssembly it loads, in
//    the bytes a gzip-only client gets (the build's own .gz copies) and
//    in brotli (what Chromium gets). Budget: 150 KB gzip on a page without
//    charts, 350 KB on the dashboard.
// 2. Load: every route under Lighthouse's mobile profile (1.6 Mbit/s down,
//    750 kbit/s up, 150 ms round trip, CPU 4x slower), cold cache, median
//    of LOADS: time to the page's heading, to its islands hydrated, and on
//    the dashboard to its charts drawn. Goal: 3 s.

const SITE = process.env.KSF_SITE_ROOT ?? join(__dirname, "..", "..", "target", "site");
const LOADS = Number(process.env.KSF_BENCH_LOADS ?? 5);
const BUDGET = { page: 150 * 1024, dashboard: 350 * 1024 };

/** The size of the build's copy of `path` in `encoding`, or of the file. */
function sizeOf(path: string, encoding: "gz" | "br"): number {
  const file = join(SITE, path);
  for (const candidate of [`${file}.${encoding}`, file]) {
    if (existsSync(candidate)) return statSync(candidate).size;
  }
  return 0;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The JavaScript and WebAssembly `path` loads once its islands are live. */
async function weigh(context: BrowserContext, path: string) {
  const page = await context.newPage();
  const assets = new Set<string>();
  page.on("response", (r) => {
    const url = new URL(r.url());
    if (/\.(js|wasm)$/.test(url.pathname)) assets.add(url.pathname);
  });
  await page.goto(path);
  await page.waitForFunction(islandsAwake, undefined, { timeout: 60_000 });
  await page.waitForLoadState("networkidle");
  await page.close();
  let gz = 0;
  let br = 0;
  for (const asset of assets) {
    gz += sizeOf(asset, "gz");
    br += sizeOf(asset, "br");
  }
  return { gz, br, files: assets.size };
}

/** One cold load under the mobile profile: ms to the heading, to the
 * islands hydrated, and to the charts drawn (the dashboard only). */
async function load(browser: Browser, state: string | undefined, path: string) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState: state, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const started = Date.now();
  await page.goto(path, { waitUntil: "commit", timeout: 60_000 });
  await page.locator("h1").first().waitFor({ state: "visible", timeout: 60_000 });
  const content = Date.now() - started;
  // Every island on the page awake, the lazy ones included.
  await page.waitForFunction(islandsAwake, undefined, { timeout: 60_000 });
  const hydrated = Date.now() - started;
  let charts: number | undefined;
  if (path === "/") {
    await page.locator("#chart-storage canvas").first().waitFor({ state: "attached", timeout: 60_000 });
    charts = Date.now() - started;
  }
  await context.close();
  return { content, hydrated, charts };
}

test("page weight and load time on a phone", async ({ browser }) => {
  test.setTimeout(60 * 60_000);
  const signedIn = await browser.newContext({ ignoreHTTPSErrors: true });
  const helper = await signedIn.newPage();
  await signIn(helper, DEMO.email, DEMO.password);
  const params = await parameters(helper);
  const state = join(test.info().outputDir, "customer.json");
  await signedIn.storageState({ path: state });
  await helper.close();

  const visitor = await browser.newContext({ ignoreHTTPSErrors: true });
  const rows: string[] = [];
  const times: string[] = [];
  const over: string[] = [];
  for (const route of ROUTES) {
    const path = fill(route, params);
    // Pages for visitors are weighed signed out, the rest signed in.
    const open = ["/login", "/signup", "/forgot-password", "/reset-password", "/confirm-email"].includes(route);
    const { gz, br, files } = await weigh(open ? visitor : signedIn, path);
    const budget = route === "/" ? BUDGET.dashboard : BUDGET.page;
    if (gz > budget) over.push(path);
    rows.push(`  ${path.padEnd(44)} ${kb(gz).padStart(8)} ${kb(br).padStart(8)} ${String(files).padStart(5)}   ${gz <= budget ? "ok" : `over ${kb(budget)}`}`);
    const runs = [];
    for (let i = 0; i < LOADS; i++) runs.push(await load(browser, open ? undefined : state, path));
    const c = median(runs.map((r) => r.content));
    const h = median(runs.map((r) => r.hydrated));
    const drawn = runs[0].charts === undefined ? 0 : median(runs.map((r) => r.charts ?? 0));
    const charts = drawn ? `${(drawn / 1000).toFixed(2)} s` : "";
    times.push(`  ${path.padEnd(44)} ${(c / 1000).toFixed(2).padStart(6)} s ${(h / 1000).toFixed(2).padStart(6)} s ${charts.padStart(8)}   ${Math.max(c, h, drawn) <= 3000 ? "ok" : "over 3 s"}`);
  }
  console.log(`\nJS + WASM per route (site: ${SITE})\n  ${"route".padEnd(44)} ${"gzip".padStart(8)} ${"brotli".padStart(8)} files`);
  console.log(rows.join("\n"));
  console.log(`  ${over.length} of ${ROUTES.length} routes over budget`);
  console.log(`\nLoad on a phone (1.6 Mbit/s, 150 ms RTT, 4x CPU), median of ${LOADS} cold loads\n  ${"route".padEnd(44)} content hydrated   charts`);
  console.log(times.join("\n"));
});
