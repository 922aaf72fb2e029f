// Small progressive enhancements; the portal works without JavaScript.
// Loaded as an external file: the Content-Security-Policy allows no inline script.
"use strict";

// A table wider than the screen scrolls sideways inside its box. While it does, the keyboard must
// be able to reach the box (the arrow keys then scroll it), and a screen reader should hear what
// it holds: the table's caption.
const markScrollingTables = () => {
  document.querySelectorAll(".table-responsive").forEach((box, index) => {
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      const caption = box.querySelector("caption");
      if (caption) {
        caption.id = caption.id || `portal-table-caption-${index}`;
        box.setAttribute("role", "region");
        box.setAttribute("aria-labelledby", caption.id);
      }
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-labelledby");
    }
  });
};

document.addEventListener("DOMContentLoaded", () => {
  // After a failed submit, move focus to the error summary so screen readers announce it first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  markScrollingTables();
  let resizing = null;
  window.addEventListener("resize", () => {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollingTables, 150);
  });
});
