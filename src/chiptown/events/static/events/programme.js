// The operators' programme pages: let HTMX show the answers that say what is wrong (form problems come back as
// 400, refusals as 403/409), instead of dropping them as errors.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 409) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
