// Editorial calendar: drag a post to another day to reschedule it (same time of day).
// Progressive enhancement only: every post also has a "Move to" form that works with the
// keyboard and without JavaScript. No inline scripts (CSP).
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function announce(text) {
    var status = document.getElementById("calendar-status");
    if (status) {
      status.textContent = text;
    }
  }

  // The language checker counts length the way the chosen channel's network does.
  function syncNetwork() {
    var select = document.querySelector("select[data-calendar-channel]");
    var text = document.querySelector("textarea[data-language-check]");
    if (!select || !text) {
      return;
    }
    var platforms = JSON.parse(select.getAttribute("data-platforms") || "{}");
    var network = platforms[select.value] || "facebook";
    text.setAttribute("hx-vals", JSON.stringify({ field: "text", network: network }));
  }

  function setupChannelSync() {
    var select = document.querySelector("select[data-calendar-channel]");
    if (!select) {
      return;
    }
    syncNetwork();
    select.addEventListener("change", function () {
      syncNetwork();
      var text = document.querySelector("textarea[data-language-check]");
      if (text && window.htmx) {
        window.htmx.trigger(text, "load");
      }
    });
  }

  function setupDragAndDrop() {
    var calendar = document.querySelector("[data-calendar]");
    if (!calendar) {
      return;
    }
    var dragged = null;
    calendar.querySelectorAll("a[data-move-url]").forEach(function (link) {
      link.addEventListener("dragstart", function (event) {
        dragged = link;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", link.getAttribute("data-move-url"));
      });
      link.addEventListener("dragend", function () {
        dragged = null;
      });
    });
    calendar.querySelectorAll("td[data-date]").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) {
        if (dragged) {
          event.preventDefault();
          cell.classList.add("calendar-drop");
        }
      });
      cell.addEventListener("dragleave", function () {
        cell.classList.remove("calendar-drop");
      });
      cell.addEventListener("drop", function (event) {
        event.preventDefault();
        cell.classList.remove("calendar-drop");
        if (!dragged) {
          return;
        }
        var body = new FormData();
        body.append("move-date", cell.getAttribute("data-date"));
        body.append("move-time", dragged.getAttribute("data-time"));
        fetch(dragged.getAttribute("data-move-url"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "calendar" },
        }).then(function () {
          // Messages (moved, or why not) are shown by the reloaded page.
          announce("…");
          window.location.reload();
        });
      });
    });
  }

  setupChannelSync();
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupDragAndDrop);
  } else {
    setupDragAndDrop();
  }
})();
