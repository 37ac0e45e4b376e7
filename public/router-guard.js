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
// Forms that upload files never go through the islands router: it sends a
// form URL-encoded, which would drop the files. Once the page is live they
// carry `_via=js`, so an error answer comes back as 200 with its real status
// in X-Status (as the router's own fetches do) and the browser does not log
// the form's 422 as a console error; with files chosen, the page sends them
// itself and shows their progress (`upload` below).
(() => {
  // A submitted form shows that it is working: its button gets aria-busy (a
  // spinner) and is disabled, and submitting the same form again does
  // nothing until the answer is in, so a double click cannot pay, post or
  // upload twice. Forms inside an island show their own state. Registered
  // first: the guard below may stop the event for the islands router.
  const BUSY = "data-ksf-busy";
  let giveUp;
  const settle = () => {
    clearTimeout(giveUp);
    for (const form of document.querySelectorAll(`form[${BUSY}]`)) form.removeAttribute(BUSY);
    for (const button of document.querySelectorAll(`[${BUSY}-button]`)) {
      button.removeAttribute(`${BUSY}-button`);
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  };
  window.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || form.method !== "post") return;
      if (form.closest("leptos-island, leptos-children")?.localName === "leptos-island") return;
      if (form.hasAttribute(BUSY)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      form.setAttribute(BUSY, "");
      const button = event.submitter ?? form.querySelector("button:not([type=button])");
      if (button) {
        button.setAttribute(`${BUSY}-button`, "");
        button.setAttribute("aria-busy", "true");
        // After this task: a disabled submitter would leave its name and
        // value out of what the form sends.
        setTimeout(() => {
          if (button.hasAttribute(`${BUSY}-button`)) button.disabled = true;
        });
      }
      // An answer that never comes (the network dropped) frees the form.
      clearTimeout(giveUp);
      giveUp = setTimeout(settle, 30000);
    },
    true,
  );
  // The next page is in: the islands router records it in the history
  // (and keeps a patched page's attributes, so they are cleared here), and
  // a page restored by the back button starts afresh.
  for (const name of ["pushState", "replaceState"]) {
    const original = history[name];
    history[name] = function (...args) {
      const result = original.apply(this, args);
      settle();
      return result;
    };
  }
  window.addEventListener("pageshow", settle);

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
          const files = [...event.target.querySelectorAll("input[type=file]")].some((input) => input.files.length > 0);
          if (files && !event.defaultPrevented) {
            event.preventDefault();
            upload(event.target, event.submitter);
          }
        }
      },
      true,
    );
  }

  // Once the page is live, a form with files is sent by the page itself so
  // that it can show how much has gone. A redirect (the form was taken) is
  // followed as the browser would; an answer without one (the form with
  // its problems explained) replaces the page's main part, whose islands
  // are then woken as the islands router wakes a new page's.
  function upload(form, submitter) {
    // However long it takes: the request ends the busy state itself.
    clearTimeout(giveUp);
    const shown = document.createElement("p");
    shown.className = "upload-progress";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress");
    const text = document.createElement("span");
    text.setAttribute("role", "status");
    text.textContent = "Uploading…";
    shown.append(bar, text);
    (submitter?.parentElement ?? form).after(shown);

    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded * 100) / event.total);
      bar.value = percent;
      // Read out at most every quarter, not at every step.
      const quarter = `Uploading… ${percent - (percent % 25)} %`;
      if (text.textContent !== quarter) text.textContent = quarter;
    });
    request.addEventListener("load", () => {
      if (request.responseURL && request.responseURL !== form.action) {
        location.assign(request.responseURL);
        return;
      }
      const page = new DOMParser().parseFromString(request.responseText, "text/html");
      const fresh = page.querySelector("main");
      const main = document.querySelector("main");
      if (!fresh || !main) {
        location.assign(request.responseURL || form.action);
        return;
      }
      main.replaceChildren(...fresh.childNodes);
      document.title = page.title;
      settle();
      for (const island of main.querySelectorAll("leptos-island")) {
        if (!island.$$hydrated) {
          window.__hydrateIsland?.(island, island.dataset.component);
          island.$$hydrated = true;
        }
      }
      (main.querySelector("[aria-invalid=true]") ?? main).focus();
    });
    request.addEventListener("error", () => {
      settle();
      text.setAttribute("role", "alert");
      text.className = "form-error";
      text.textContent = "The upload did not get through. Check your connection and send it again.";
      bar.remove();
    });
    request.send(new FormData(form, submitter));
  }
})();
