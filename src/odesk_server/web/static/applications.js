// The applications page: "Copy" buttons next to a new application's key and secret.
"use strict";
document.querySelectorAll("button[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch (_error) {
      button.textContent = "Selected: press Ctrl+C";
    }
  });
});
