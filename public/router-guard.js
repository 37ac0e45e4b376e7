// Until the page's WebAssembly has started, links and forms work as plain
// navigations (as they do without JavaScript). Otherwise Leptos' islands
// router, which loads first, would swap in the next page and try to wake
// its islands before there is anything to wake them with.
//
// Forms marked `data-full-page` always submit as plain navigations: those
// that change who every part of the page is for (starting and ending a view
// as a customer), and staff's actions on a customer's page (a page with no
// islands, whose lists the islands router's patching left stale).
//
// Forms that upload files always submit as plain navigations: the islands
// router sends a form URL-encoded, which would drop the files. Once the page
// is live they carry `_via=js`, so an error answer comes back as 200 with its
// real status in X-Status (as the router's own fetches do) and the browser
// does not log the form's 422 as a console error.
(() => {
  for (const type of ["click", "submit"]) {
    window.addEventListener(
      type,
      (event) => {
        const uploading =
          type === "submit" && event.target instanceof HTMLFormElement && event.target.enctype === "multipart/form-data";
        const fullPage =
          type === "submit" && event.target instanceof HTMLFormElement && event.target.hasAttribute("data-full-page");
        if (window.__ksfReady !== true || uploading || fullPage) event.stopImmediatePropagation();
        if (uploading && window.__ksfReady === true) {
          const action = new URL(event.target.action, location.href);
          action.searchParams.set("_via", "js");
          event.target.action = action.toString();
        }
      },
      true,
    );
  }
})();
