// Small behaviours that CSP forbids inline: auto-submitting selects.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]")) { el.form.submit(); }
});
