// Small behaviours that need script; every page still works without it.
"use strict";

// Buttons with data-confirm ask before their form is sent (revoking a key, deactivating someone),
// and a form once sent cannot be sent again by a second click (two clients, two keys).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.method.toLowerCase() !== "post") {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "yes";
});

// Print buttons (receipts): inline handlers are not allowed by the pages' CSP.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// Back to a page kept in memory: its forms may be sent again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent]").forEach((form) => delete form.dataset.sent);
});

// The client search box: arrow keys move through the results, Escape closes them.
document.addEventListener("keydown", (event) => {
  const box = document.getElementById("global-search");
  const results = document.getElementById("search-results");
  if (!box || !results) {
    return;
  }
  const links = Array.from(results.querySelectorAll("a"));
  const at = links.indexOf(document.activeElement);
  if (event.key === "Escape" && (document.activeElement === box || at >= 0)) {
    results.innerHTML = "";
    box.focus();
  } else if (event.key === "ArrowDown" && (document.activeElement === box || at >= 0) && links.length) {
    event.preventDefault();
    links[Math.min(at + 1, links.length - 1)].focus();
  } else if (event.key === "ArrowUp" && at >= 0) {
    event.preventDefault();
    (at === 0 ? box : links[at - 1]).focus();
  }
});

// Clicking elsewhere closes the search results.
document.addEventListener("click", (event) => {
  const results = document.getElementById("search-results");
  if (results && !event.target.closest(".search")) {
    results.innerHTML = "";
  }
});

// A long export downloads itself once it is ready; its link stays for another copy.
document.addEventListener("htmx:load", (event) => {
  const content = event.detail.elt;
  const link = content.matches("[data-auto-download]") ? content : content.querySelector("[data-auto-download]");
  if (link) {
    link.click();
  }
});

// htmx drops answers that are errors: an export whose progress can no longer be read says so
// instead of showing the last count for ever.
["htmx:responseError", "htmx:sendError"].forEach((name) => {
  document.addEventListener(name, (event) => {
    const export_ = event.detail.elt.closest && event.detail.elt.closest(".export");
    if (export_) {
      export_.removeAttribute("hx-get");
      export_.setAttribute("role", "alert");
      export_.className = "export notice";
      export_.textContent = "Settle could not say how this export is doing. Reload the page to see, or start it again.";
    }
  });
});
