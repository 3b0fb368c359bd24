// Keyboard triage of the inbox: j/k move, Enter opens, c claims, x selects, / searches, ? help.
// Shortcuts never fire while the person types in a field.
(function () {
  "use strict";

  function typing(event) {
    const el = event.target;
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function rows() {
    return Array.from(document.querySelectorAll("tr[data-case-row]"));
  }

  let current = -1;
  let currentId = null;

  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("is-selected", i === current));
    const link = all[current].querySelector("[data-case-link]");
    currentId = all[current].dataset.caseId;
    if (link) link.focus();
  }

  function toggleHelp() {
    const help = document.getElementById("keyboard-help");
    const button = document.querySelector("[data-keyboard-help-toggle]");
    if (!help) return;
    help.hidden = !help.hidden;
    if (button) button.setAttribute("aria-expanded", String(!help.hidden));
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const all = rows();
    const focusedRow = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("tr[data-case-row]") : null;
    if (focusedRow) current = all.indexOf(focusedRow);
    switch (event.key) {
      case "j": select(current + 1); event.preventDefault(); break;
      case "k": select(current < 0 ? 0 : current - 1); event.preventDefault(); break;
      case "c": {
        if (current < 0) return;
        const form = all[current].querySelector("form[data-claim-form]");
        if (form) { form.requestSubmit(); event.preventDefault(); }
        break;
      }
      case "x": {
        if (current < 0) return;
        const box = all[current].querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; event.preventDefault(); }
        break;
      }
      case "/": {
        const search = document.querySelector("[data-shortcut-search]");
        if (search) { search.focus(); event.preventDefault(); }
        break;
      }
      case "?": toggleHelp(); event.preventDefault(); break;
      default: break;
    }
  });

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.querySelector("[data-keyboard-help-toggle]");
    if (button) button.addEventListener("click", toggleHelp);
  });

  // New cases arrive by polling: keep the keyboard position on the same case after a swap.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (!event.target || event.target.id !== "inbox-results" || !currentId) return;
    const all = rows();
    const index = all.findIndex((row) => row.dataset.caseId === currentId);
    if (index >= 0) {
      current = index;
      all[index].classList.add("is-selected");
    }
  });
})();
