/* The application workspace, for keyboard and screen-reader users.

   An autosave answer replaces the fields' error texts out of band (#err-<key>); the inputs
   themselves are left as typed, so their aria-invalid would keep telling the state of the page
   load. After every htmx swap, each control that names an error text in aria-describedby is
   marked invalid exactly when that text is not empty. */
(function () {
  "use strict";

  function errorText(el) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/);
    for (var i = 0; i < ids.length; i++) {
      if (ids[i].indexOf("err-") !== 0) { continue; }
      var target = document.getElementById(ids[i]);
      if (target && target.textContent.trim()) { return true; }
    }
    return false;
  }

  function sync() {
    var controls = document.querySelectorAll(".ws-main [aria-describedby*='err-']");
    Array.prototype.forEach.call(controls, function (el) {
      if (errorText(el)) { el.setAttribute("aria-invalid", "true"); } else { el.removeAttribute("aria-invalid"); }
    });
  }

  document.addEventListener("DOMContentLoaded", sync);
  document.body.addEventListener("htmx:afterSettle", sync);
  document.body.addEventListener("htmx:oobAfterSwap", sync);
})();
