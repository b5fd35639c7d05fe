// The ranking page while its background job computes: once the polled job card reports success, reload the page,
// which then finds the ranking in the cache. A failed job stays on screen with its error.
document.addEventListener("htmx:afterSettle", () => {
  const card = document.querySelector("[data-reload-when-done] > [id^='job-']");
  if (card && !card.hasAttribute("hx-get") && card.querySelector(".badge.ok")) {
    window.location.reload();
  }
});
