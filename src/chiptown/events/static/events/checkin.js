// The check-in desk: keep the badge input ready for the next scan, and scan QR codes with the camera where the
// browser has the BarcodeDetector API (feature-detected; elsewhere a note says so and the input stays).
(function () {
  "use strict";

  var REPEAT_MS = 3000; // the camera sees the same badge many times a second: submit it once

  function setUp(scanner) {
    var form = scanner.querySelector("form");
    var input = form.querySelector("input[name=token]");
    var startButton = scanner.querySelector("[data-camera-start]");
    var stopButton = scanner.querySelector("[data-camera-stop]");
    var video = scanner.querySelector("[data-camera-video]");
    var unsupported = scanner.querySelector("[data-camera-unsupported]");
    var failed = scanner.querySelector("[data-camera-failed]");
    var stream = null;
    var detector = null;
    var lastCode = "";
    var lastAt = 0;

    function refocus() {
      input.value = "";
      input.focus();
    }

    // After each scan (HTMX swaps the result in), clear the input for the next badge.
    form.addEventListener("htmx:afterRequest", refocus);
    // Search results' buttons answer in the same panel: give the focus back to the scanner input.
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "scan-result" && !stream) { input.focus(); }
    });

    function submit(code) {
      input.value = code;
      if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    }

    function stop() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
      input.focus();
    }

    function scanFrame() {
      if (!stream) { return; }
      detector.detect(video).then(function (codes) {
        var now = Date.now();
        for (var i = 0; i < codes.length; i++) {
          var code = codes[i].rawValue;
          if (code && (code !== lastCode || now - lastAt > REPEAT_MS)) {
            lastCode = code;
            lastAt = now;
            submit(code);
            break;
          }
        }
      }).catch(function () { /* a frame that could not be read: try the next one */ }).then(function () {
        if (stream) { window.setTimeout(scanFrame, 150); }
      });
    }

    function start() {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        failed.hidden = true;
        return video.play();
      }).then(scanFrame).catch(function () {
        stop();
        failed.hidden = false;
      });
    }

    var supported = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    if (!supported) {
      unsupported.hidden = false;
      return;
    }
    Promise.resolve(
      typeof window.BarcodeDetector.getSupportedFormats === "function"
        ? window.BarcodeDetector.getSupportedFormats()
        : ["qr_code"]
    ).then(function (formats) {
      if (formats.indexOf("qr_code") === -1) {
        unsupported.hidden = false;
        return;
      }
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      startButton.hidden = false;
      startButton.addEventListener("click", start);
      stopButton.addEventListener("click", stop);
    }).catch(function () { unsupported.hidden = false; });
  }

  function init() {
    var scanners = document.querySelectorAll("[data-checkin-scan]");
    for (var i = 0; i < scanners.length; i++) { setUp(scanners[i]); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
