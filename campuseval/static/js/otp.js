// The recovery-code page's print button (no inline script: the site's Content-Security-Policy).
document.querySelectorAll("[data-ce-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
