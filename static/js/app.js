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

// Postmortem document
// Inline editing of narrative sections and impact fields, and what happens
// when a save fails (templates/postmortems/detail.html). A [data-inline] box
// holds a [data-inline-view] (click, or Enter on it, to edit) and, while
// editing, a [data-inline-form]: Ctrl+Enter or leaving the editor saves,
// Escape cancels. A section's editor is fetched when editing starts (the
// page carries only sanitized HTML); an impact field's is in the page.
(function () {
  "use strict";

  var INTERACTIVE = "a, button, input, textarea, select, label, summary, [tabindex]";

  function boxOf(element) {
    return element && element.closest ? element.closest("[data-inline]") : null;
  }

  function caretToEnd(field) {
    if (typeof field.setSelectionRange === "function") {
      var end = field.value.length;
      field.setSelectionRange(end, end);
    }
  }

  function changed(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      return "defaultValue" in field && field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  function open(box) {
    var view = box.querySelector("[data-inline-view]");
    var form = box.querySelector("[data-inline-form]");
    if (form) {
      form.hidden = false;
      if (view) {
        view.hidden = true;
      }
      var field = form.querySelector("[data-inline-field]");
      if (field) {
        field.focus();
        caretToEnd(field);
      }
    } else if (view && !box.dataset.loading) {
      box.dataset.loading = "1";
      htmx.trigger(view, "inline-open");
    }
  }

  function close(box, moveFocus) {
    var view = box.querySelector("[data-inline-view]");
    var form = box.querySelector("[data-inline-form]");
    if (form) {
      form.dataset.closing = "1";
      if (view && view.hasAttribute("hx-post")) {
        form.remove(); // fetched again, with a fresh version, next time
      } else {
        form.reset();
        form.hidden = true;
        delete form.dataset.closing;
        var error = form.querySelector("[data-inline-error]");
        if (error) {
          error.hidden = true;
        }
      }
    }
    if (view) {
      view.hidden = false;
      if (moveFocus) {
        view.focus();
      }
    }
  }

  function save(form, byKeyboard) {
    if (form.classList.contains("htmx-request")) {
      return;
    }
    form.dataset.via = byKeyboard ? "keyboard" : "blur";
    form.requestSubmit();
  }

  document.addEventListener("click", function (event) {
    var view = event.target.closest && event.target.closest("[data-inline-view]");
    if (view && !(event.target.closest("a") && view.tagName !== "BUTTON")) {
      event.preventDefault();
      open(boxOf(view));
      return;
    }
    var cancel = event.target.closest && event.target.closest("[data-inline-cancel]");
    if (cancel) {
      close(boxOf(cancel), true);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.closest) {
      return;
    }
    if (event.key === "Enter" && target.matches("[data-inline-view]") && target.tagName !== "BUTTON") {
      event.preventDefault();
      open(boxOf(target));
      return;
    }
    var form = target.closest("[data-inline-form]");
    if (form) {
      if (event.key === "Escape") {
        event.preventDefault();
        close(boxOf(form), true);
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        save(form, true);
      } else if (event.key === "Enter" && target.tagName === "INPUT") {
        form.dataset.via = "keyboard";
      }
      return;
    }
    // Escape in a row's edit form closes it, back on its Edit button.
    var details = target.closest("details.row__edit");
    if (details && event.key === "Escape") {
      event.preventDefault();
      var rowForm = details.querySelector("form");
      if (rowForm) {
        rowForm.reset();
      }
      details.open = false;
      details.querySelector("summary").focus();
    }
  });

  // Clicking the preview or the hints keeps the cursor in the editor, so
  // only leaving the editor counts as leaving it.
  document.addEventListener("mousedown", function (event) {
    var form = event.target.closest && event.target.closest("[data-inline-form]");
    if (form && !event.target.closest(INTERACTIVE)) {
      event.preventDefault();
    }
  });

  document.addEventListener("focusout", function (event) {
    var form = event.target.closest && event.target.closest("[data-inline-form]");
    if (!form || form.contains(event.relatedTarget)) {
      return;
    }
    // Another window or tab took the focus: the editor is still open when
    // the person comes back.
    if (!document.hasFocus()) {
      return;
    }
    if (!form.isConnected || form.dataset.closing || form.classList.contains("htmx-request")) {
      return;
    }
    if (changed(form)) {
      save(form, false);
    } else {
      close(boxOf(form), false);
    }
  });

  // A section's editor arrives with the cursor at the end of its text.
  document.addEventListener("htmx:afterSettle", function (event) {
    var started = document.querySelectorAll("[data-inline-start]");
    Array.prototype.forEach.call(started, function (box) {
      box.removeAttribute("data-inline-start");
      var field = box.querySelector("[data-inline-field]");
      if (field) {
        field.focus();
        caretToEnd(field);
      }
    });
    var focusId = document.body.dataset.focusAfterSwap;
    if (focusId) {
      delete document.body.dataset.focusAfterSwap;
      var swapped = document.getElementById(focusId);
      var target = swapped && (swapped.matches("[data-focus-after-swap]") ? swapped : swapped.querySelector("[data-focus-after-swap]"));
      // Only when the focus went with the replaced editor: never take it
      // from where the person has moved on to meanwhile.
      var lost = !document.activeElement || document.activeElement === document.body;
      if (target && !target.hidden && lost) {
        target.focus();
      }
    }
  });

  // After a save made from the keyboard, the focus goes to what replaced
  // the editor: the section as saved, or the conflict to resolve.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form") || !form.closest(".doc")) {
      return;
    }
    var error = form.querySelector("[data-inline-error]") || form.parentNode.querySelector("[data-doc-error]");
    if (error) {
      error.hidden = true;
    }
    var target = form.getAttribute("hx-target") || "";
    if (form.dataset.via === "keyboard" && target.charAt(0) === "#") {
      document.body.dataset.focusAfterSwap = target.slice(1);
    }
  });

  // A failed save swaps nothing: what was typed stays where it was typed,
  // and the message says so beside it.
  function failed(event, message) {
    var elt = event.detail.elt;
    var box = boxOf(elt);
    if (box) {
      delete box.dataset.loading;
    }
    if (!elt || !elt.matches || !elt.closest(".doc")) {
      return;
    }
    if (!elt.matches("form")) {
      if (elt.matches("[data-inline-view]")) {
        elt.setAttribute("title", message);
      }
      return;
    }
    var error = elt.querySelector("[data-inline-error]");
    if (!error) {
      error = elt.parentNode.querySelector("[data-doc-error]");
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "doc-editor__error";
      error.setAttribute("role", "alert");
      error.setAttribute("data-doc-error", "");
      elt.insertAdjacentElement("afterend", error);
    }
    error.textContent = message;
    error.hidden = false;
    delete elt.dataset.closing;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    failed(
      event,
      "Not saved: the server answered " + status + ". What you typed is still here; try again (Ctrl+Enter or Save)."
    );
  });

  document.addEventListener("htmx:sendError", function (event) {
    failed(
      event,
      "Not saved: the server could not be reached. What you typed is still here; try again when you are back online."
    );
  });
})();

// ---------- Live updates (incidents/views/live.py) ----------
// Fragments re-fetch themselves on the live channel's events (hx-trigger
// "sse:<part>"). One that the reader is editing is not replaced under the
// cursor: it is marked "changed by X" and refreshed once they leave it (their
// save then meets the version rules). A reconnect re-fetches everything, so a
// missed event never leaves a stale page.
(function () {
  "use strict";

  function dirty(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      return "defaultValue" in field && field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  function busy(fragment) {
    var active = document.activeElement;
    if (active && fragment.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    // An editor open in it, even untouched: replacing it would close it under the reader.
    if (fragment.querySelector(
      "[data-inline-form]:not([hidden]), .timeline-edit, [data-editing], details.row__edit[open]"
    )) {
      return true;
    }
    return Array.prototype.some.call(fragment.querySelectorAll("form"), dirty);
  }

  // The fragment's own event, on it alone: a bubbling one would also reach
  // an enclosing fragment (#doc-live re-fetches the whole document on
  // live-resync) and replace what the reader has open elsewhere.
  function fire(fragment, type) {
    fragment.dispatchEvent(new CustomEvent(type, { bubbles: false }));
  }

  function markStale(fragment, actor, type) {
    fragment.dataset.liveStale = type;
    var note = fragment.querySelector(":scope > .live-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "live-note";
      note.setAttribute("role", "status");
      fragment.insertBefore(note, fragment.firstChild);
    }
    note.textContent = (actor ? "Changed by " + actor : "Changed by someone else") +
      " while you were editing; it refreshes when you leave it.";
  }

  function refresh(fragment) {
    var type = fragment.dataset.liveStale;
    delete fragment.dataset.liveStale;
    fire(fragment, type);
  }

  function resyncAll(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("[hx-trigger*='live-resync']"),
      function (fragment) { fire(fragment, "live-resync"); }
    );
  }

  // Who made the change: an SSE trigger's detail is the message, its data the event.
  function actorOf(trigger) {
    try {
      return JSON.parse(trigger.detail.data).actor || "";
    } catch (error) {
      return ""; // live-resync, or a message without JSON
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var fragment = event.detail.elt;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!trigger || !/^sse:|^live-resync$/.test(trigger.type)) {
      return;
    }
    if (busy(fragment)) {
      event.preventDefault();
      markStale(fragment, actorOf(trigger), trigger.type);
    }
  });

  document.addEventListener("focusout", function (event) {
    window.setTimeout(function () {
      var stale = event.target.closest && event.target.closest("[data-live-stale]");
      if (stale && !busy(stale)) {
        refresh(stale);
      }
    }, 0);
  });

  // The stream dropped and came back: catch up on whatever was missed.
  var dropped = false;
  document.addEventListener("htmx:sseError", function () { dropped = true; });
  document.addEventListener("htmx:sseOpen", function (event) {
    var source = event.detail.source;
    if (source && !source.pmListening) {
      source.pmListening = true;
      source.addEventListener("resync", function () { resyncAll(); });
      source.addEventListener("revoked", function () {
        source.close();
        window.location.reload(); // the page now answers 404: access was withdrawn
      });
    }
    if (dropped) {
      dropped = false;
      resyncAll();
    }
  });

  // Presence: a heartbeat says this page is open and what is being edited.
  var live = document.querySelector("[data-presence-beat]");
  if (!live) {
    return;
  }
  var csrf = "";
  try {
    csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch (error) {
    csrf = "";
  }
  var lastEditing = null;

  function editingLabel() {
    var active = document.activeElement;
    var part = active && active.closest && active.closest("[data-presence-label]");
    return part ? part.getAttribute("data-presence-label") : "";
  }

  function beat(force) {
    var editing = editingLabel();
    if (!force && editing === lastEditing) {
      return;
    }
    lastEditing = editing;
    var body = new URLSearchParams({ editing: editing });
    fetch(live.dataset.presenceBeat, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf },
      credentials: "same-origin",
      keepalive: true,
    }).catch(function () { /* the next beat tries again */ });
  }

  beat(true);
  window.setInterval(function () { beat(true); }, 10000);
  document.addEventListener("focusin", function () { beat(false); });
  document.addEventListener("focusout", function () { window.setTimeout(function () { beat(false); }, 50); });
})();

// Meeting mode
// (templates/postmortems/meeting.html) The per-step timer, keyboard stepping,
// the agenda's current step after an htmx step change, and focus after a capture.
(function () {
  "use strict";
  var started = { step: null, at: 0 };

  function currentStep() {
    return document.getElementById("meeting-step");
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  // The timer counts from when this step was opened; a re-render of the same
  // step (the Actions list after a capture) keeps counting.
  function tick() {
    var step = currentStep();
    if (!step) {
      return;
    }
    if (started.step !== step.dataset.step) {
      started = { step: step.dataset.step, at: Date.now() };
    }
    step.dataset.stepStarted = String(started.at);
    var seconds = Math.floor((Date.now() - started.at) / 1000);
    var timer = step.querySelector("[data-step-timer]");
    if (timer) {
      timer.textContent = two(Math.floor(seconds / 60)) + ":" + two(seconds % 60);
    }
  }

  function markAgenda() {
    var step = currentStep();
    if (!step) {
      return;
    }
    document.querySelectorAll("[data-meeting-agenda]").forEach(function (link) {
      if (link.dataset.meetingAgenda === step.dataset.step) {
        link.setAttribute("aria-current", "step");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  function typing(target) {
    return target && target.closest && (
      target.closest("input, textarea, select, [contenteditable]") !== null
    );
  }

  document.addEventListener("keydown", function (event) {
    var step = currentStep();
    if (!step || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var selector = null;
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      selector = "[data-meeting-next]";
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      selector = "[data-meeting-prev]";
    }
    var link = selector && step.querySelector(selector);
    if (link) {
      event.preventDefault();
      link.click();
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target) {
      return;
    }
    if (target.id === "meeting-step") {
      tick();
      markAgenda();
      var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
      // Stepping moves focus to the new step; the Actions list refreshing
      // after a capture leaves the focus in the capture box.
      // (An outerHTML swap's target is the old element: find the new one.)
      if (elt && elt.closest && elt.closest(".meeting-step__nav, .meeting-agenda")) {
        currentStep().focus({ preventScroll: true });
      }
    } else if (target.id === "meeting-capture") {
      var box = document.getElementById("meeting-capture");
      var field = box && (box.querySelector("[aria-invalid='true']") || box.querySelector("#id_title"));
      if (field) {
        field.focus();
      }
    }
  });

  if (currentStep()) {
    tick();
    window.setInterval(tick, 1000);
  }
})();
