// Reports errors in this page to the portal (POST /api/client-errors), which
// logs them next to the server's errors and forwards them to the error
// collector when one is set up: uncaught script errors and rejected
// promises here, panics in the islands from their own panic hook. Only the
// page's path is sent, never its query string (it can hold a token), and at
// most five reports per page.
(() => {
  let left = 5;
  const report = (kind, message, extra) => {
    if (left <= 0 || !message) return;
    left -= 1;
    const body = JSON.stringify({ kind, message: String(message).slice(0, 2000), page: location.pathname, ...extra });
    if (!(navigator.sendBeacon && navigator.sendBeacon("/api/client-errors", body))) {
      fetch("/api/client-errors", { method: "POST", body, keepalive: true }).catch(() => {});
    }
  };
  window.__ksfReportError = report;
  window.addEventListener("error", (event) => {
    const source = (event.filename || "").split("?")[0];
    report("error", event.message, { source, line: event.lineno || 0, column: event.colno || 0, stack: String(event.error?.stack || "").slice(0, 4000) });
  });
  window.addEventListener("unhandledrejection", (event) => {
    const reason = event.reason;
    report("rejection", reason?.message || String(reason), { stack: String(reason?.stack || "").slice(0, 4000) });
  });
})();
