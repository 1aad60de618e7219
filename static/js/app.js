// Tell the server the browser's time zone, so it shows every time in the
// viewer's zone (postmortems/timezones.py reads the "tz" cookie).
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  // IANA names ("Europe/Berlin", "Etc/GMT+5") are valid cookie values as they are.
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) {
    return;
  }
  var cookie = "tz=" + zone;
  if (document.cookie.split("; ").indexOf(cookie) === -1) {
    document.cookie =
      cookie + "; path=/; max-age=31536000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
  }
})();

// After htmx swaps in another page of a list, move focus to the new results
// so keyboard and screen-reader users continue from the top of the list.
document.addEventListener("htmx:afterSettle", function (event) {
  var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (trigger && trigger.closest && trigger.closest(".pagination")) {
    var results = document.querySelector("[data-results]");
    if (results) {
      results.focus({ preventScroll: true });
    }
  }
});

// ---------- Timeline editing (templates/incidents/_timeline_panel.html) ----------
// Listeners instead of hx-on attributes: htmx's allowEval is off and the CSP
// forbids inline script.
(function () {
  "use strict";

  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    // N from anywhere on the page puts the cursor in the new entry's text.
    if ((event.key === "n" || event.key === "N") && !typing(event.target)) {
      var text = document.getElementById("tl-new-text");
      if (text) {
        event.preventDefault();
        text.focus();
      }
      return;
    }
    // Escape in an entry being edited restores the entry (its Cancel button).
    if (event.key === "Escape") {
      var form = event.target.closest && event.target.closest(".timeline-edit");
      var cancel = form && form.querySelector("[data-timeline-cancel]");
      if (cancel) {
        event.preventDefault();
        cancel.click();
      }
    }
  });

  // The list re-fetches itself on incident-changed; while an entry is open for
  // editing that would throw away what is typed there, so the refresh waits
  // and runs once no entry is being edited.
  function editing(list) {
    return list.querySelector(".timeline-edit") !== null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var list = event.detail.elt;
    if (list && list.id === "timeline-list" && editing(list)) {
      event.preventDefault();
      list.dataset.stale = "1";
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var list = document.getElementById("timeline-list");
    if (list && list.dataset.stale && !editing(list)) {
      delete list.dataset.stale;
      htmx.trigger(list, "timeline-stale");
    }
  });
})();
