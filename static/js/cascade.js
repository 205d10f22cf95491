// Small keyboard behaviours shared by the pages. A static file, not inline script, so
// that a Content-Security-Policy without 'unsafe-inline' allows it. Everything here is
// an enhancement: without JavaScript the forms still post and redirect.
(function () {
  "use strict";

  function firstField(container) {
    return container.querySelector(
      "input:not([type=hidden]):not([disabled]), select, textarea"
    );
  }

  // A check-in's value is typed over, not appended to: select it when it gets focus.
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.matches && field.matches(".check-in-form input[type=text], .check-in-form input[type=number]")) {
      field.select();
    }
  });

  // Opening a "Check in" disclosure puts the cursor in its first field.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (details.matches && details.matches("details.check-in") && details.open) {
        var field = firstField(details);
        if (field) field.focus();
      }
    },
    true
  );

  // Escape closes a check-in form and gives focus back to what opened it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest(".check-in-form");
    if (!form) return;
    var details = form.closest("details.check-in");
    if (details) {
      details.open = false;
      details.querySelector("summary").focus();
      return;
    }
    var slot = form.closest(".check-in-slot");
    if (slot) {
      var row = slot.parentElement;
      slot.innerHTML = "";
      var opener = row && row.querySelector(".my-kr-action a");
      if (opener) opener.focus();
    }
  });

  // Escape in an in-place editor cancels it: the editor listens for "cancelEdit"
  // (hx-trigger), a plain event, so htmx never evaluates a filter expression, which a
  // Content-Security-Policy without 'unsafe-eval' forbids.
  // htmx wires a swapped-in editor only when it settles, a moment after the editor is on
  // screen; an Escape in that moment would find no listener, so wire the editor first
  // (processing an element twice changes nothing).
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var editor = event.target.closest("[hx-trigger=cancelEdit]");
    if (!editor) return;
    if (window.htmx) window.htmx.process(editor);
    event.target.dispatchEvent(new CustomEvent("cancelEdit", { bubbles: true }));
  });
})();
