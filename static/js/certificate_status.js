// While a certificate's PDF is being prepared, ask the server every few seconds and reload the
// page once it is ready or has failed. An external file: the Content-Security-Policy allows no
// inline script. Without JavaScript a <noscript> meta refresh does the same.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-certificate-status-url]");
  if (!box) {
    return;
  }
  const url = box.dataset.certificateStatusUrl;
  let delay = 1500;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const state = await response.json();
        if (state.rendering_status === "ready" || state.rendering_status === "failed") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A network blip: keep trying, a little less often.
    }
    delay = Math.min(delay * 1.5, 10000);
    window.setTimeout(poll, delay);
  };
  window.setTimeout(poll, delay);
});
