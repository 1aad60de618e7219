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
