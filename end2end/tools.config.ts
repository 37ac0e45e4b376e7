import config from "./playwright.config";

// Tools, not tests: `npx playwright test --config tools.config.ts [file]`
// against a running server (KSF_BASE_URL). `chart_timing` prints how long
// the dashboard's charts take to draw; `screenshots` refreshes docs/*.png;
// `page_load` prints each route's JS+WASM weight and its load time on a
// throttled phone (run it against `./scripts/run --release`).
export default { ...config, testDir: "./tools", workers: 1, timeout: 120_000 };
