// Until the page's WebAssembly has started, links and forms work as plain
// navigations (as they do without JavaScript). Otherwise Leptos' islands
// router, which loads first, would swap in the next page and try to wake
// its islands before there is anything to wake them with.
//
// Forms that upload files always submit as plain navigations: the islands
// router sends a form URL-encoded, which would drop the files.
(() => {
  for (const type of ["click", "submit"]) {
    window.addEventListener(
      type,
      (event) => {
        const uploading =
          type === "submit" && event.target instanceof HTMLFormElement && event.target.enctype === "multipart/form-data";
        if (window.__ksfReady !== true || uploading) event.stopImmediatePropagation();
      },
      true,
    );
  }
})();
