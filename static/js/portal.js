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

// A button beside a value to copy (a system's secret, shown once): offered only where the browser
// lets a page write to the clipboard (a secure context); the value stays selectable without it.
const offerCopyButtons = () => {
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    const label = button.textContent;
    const name = button.getAttribute("aria-label");
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(source.textContent.trim()).then(() => {
        button.textContent = button.dataset.copied;
        button.setAttribute("aria-label", button.dataset.copied);
        window.setTimeout(() => {
          button.textContent = label;
          button.setAttribute("aria-label", name);
        }, 2000);
      });
    });
  });
};

document.addEventListener("DOMContentLoaded", () => {
  offerCopyButtons();
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
