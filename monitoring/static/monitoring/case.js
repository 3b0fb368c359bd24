// The case page: template insertion, drafting presence, a local copy of the draft, shortcuts.
(function () {
  "use strict";

  function typing(event) {
    const el = event.target;
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const text = document.getElementById("reply-text");
    const form = document.getElementById("reply-form");
    const activity = document.getElementById("presence-activity");
    const storageKey = form ? "reply-draft:" + form.dataset.caseId : null;

    if (text && storageKey) {
      // The server keeps the draft (autosave); this copy covers a lost connection.
      try {
        const local = window.localStorage.getItem(storageKey);
        if (local && !text.value) text.value = local;
      } catch (e) { /* storage disabled: the server draft is enough */ }
      text.addEventListener("input", () => {
        try { window.localStorage.setItem(storageKey, text.value); } catch (e) { /* ignore */ }
      });
      form.addEventListener("submit", () => {
        try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
      });
      text.addEventListener("focus", () => { if (activity) activity.value = "drafting"; });
      text.addEventListener("blur", () => {
        if (activity) activity.value = text.value ? "drafting" : "viewing";
      });
    }

    const insert = document.querySelector("[data-insert-template]");
    const select = document.getElementById("template-select");
    if (insert && select && text) {
      insert.addEventListener("click", async () => {
        if (!select.value) return;
        const body = new URLSearchParams({ template: select.value });
        const response = await fetch(select.dataset.templateUrl, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf() },
        });
        const data = await response.json();
        if (!response.ok) {
          window.alert(data.error || "Error");
          return;
        }
        text.value = text.value ? text.value + "\n\n" + data.text : data.text;
        document.getElementById("reply-template").value = data.template;
        text.dispatchEvent(new Event("change", { bubbles: true }));
        text.focus();
      });
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    if (event.key === "c") {
      const claim = document.querySelector("form[data-claim-form]");
      if (claim) { claim.requestSubmit(); event.preventDefault(); }
    } else if (event.key === "r") {
      const text = document.getElementById("reply-text");
      if (text) { text.focus(); event.preventDefault(); }
    } else if (event.key === "u") {
      const back = document.querySelector("[data-shortcut-back]");
      if (back) { window.location.href = back.href; event.preventDefault(); }
    }
  });
})();
