// Until the page's WebAssembly has started, links and forms work as plain
// navigations (as they do without JavaScript). Otherwise Leptos' islands
// router, which loads first, would swap in the next page and try to wake
// its islands before there is anything to wake them with.
(() => {
  for (const type of ["click", "submit"]) {
    window.addEventListener(
      type,
      (event) => {
        if (window.__ksfReady !== true) event.stopImmediatePropagation();
      },
      true,
    );
  }
})();
