// Small helpers for the pages; everything works without them. No inline script anywhere (CSP).
(function () {
  "use strict";

  // An error summary takes the focus, so the reader hears what to fix first.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });

  // After htmx swaps the worklist: say how many cases there are now, and when the swap came
  // from the pager (whose link is gone), put the focus at the top of the new page of results.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "worklist-results") return;
    var heading = document.getElementById("results-heading");
    var announcer = document.getElementById("worklist-announcer");
    if (heading && announcer) announcer.textContent = heading.textContent.trim();
    var from = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (heading && from && from.closest && from.closest(".pager")) heading.focus();
  });
})();
