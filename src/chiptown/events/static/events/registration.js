// The registration pages' small behaviours that CSP forbids inline: printing the badge.
document.addEventListener("click", function (event) {
  var el = event.target;
  if (el && el.closest && el.closest("[data-print]")) { window.print(); }
});
