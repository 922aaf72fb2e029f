// Small progressive enhancements; the portal works without JavaScript.
// Loaded as an external file: the Content-Security-Policy allows no inline script.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After a failed submit, move focus to the error summary so screen readers announce it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
