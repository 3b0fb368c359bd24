// Dashboard: show the custom dates only when "Custom" is chosen. Without JavaScript the
// dates are always visible and the form works the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-period-form]");
  if (!form) return;
  const custom = form.querySelector("[data-custom-dates]");
  const sync = () => {
    const chosen = form.querySelector("input[name=periodo]:checked");
    custom.hidden = !(chosen && chosen.value === "custom");
  };
  form.querySelectorAll("input[name=periodo]").forEach((radio) => {
    radio.addEventListener("change", sync);
  });
  sync();
});
