// The password slip's print button (no inline script: the Content-Security-Policy forbids it).
document.querySelectorAll("[data-print-slip]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
