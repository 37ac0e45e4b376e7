import { expect, test } from "@playwright/test";
import { signIn } from "../tests/support";

// How long a customer waits for the dashboard's charts: from the start of
// navigation until every chart canvas has pixels on it. The first visit
// after signing in fetches the chart library; later ones have it cached.
test("time until the dashboard's charts are drawn", async ({ page }) => {
  await signIn(page);
  for (const visit of ["first", "again", "again"]) {
    await page.goto("/?range=30d", { waitUntil: "commit" });
    const drawnAt = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const check = () => {
            const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>(".chart-canvas canvas"));
            const painted = canvases.filter((c) => {
              const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
              return !!data && data.some((v, i) => i % 4 === 3 && v > 0);
            });
            if (canvases.length >= 3 && painted.length === canvases.length) resolve(performance.now());
            else requestAnimationFrame(check);
          };
          check();
        }),
    );
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return { html: nav.responseEnd, loaded: nav.loadEventEnd };
    });
    console.log(
      `${visit.padEnd(5)} visit: HTML in ${timing.html.toFixed(0)} ms, load event ${timing.loaded.toFixed(0)} ms, charts drawn ${drawnAt.toFixed(0)} ms`,
    );
    expect(drawnAt).toBeGreaterThan(0);
  }
});
