// Django's admin scripts write their numbers ("0 of 1 selected") through interpolate(): on a
// Persian page they are written in Persian digits, as the server writes the page's own
// (the localdigits filter); a word with Latin letters, a code, keeps its digits.
(function () {
  "use strict";
  if (document.documentElement.lang !== "fa" || typeof window.interpolate !== "function") {
    return;
  }
  const persianDigits = "۰۱۲۳۴۵۶۷۸۹";
  const original = window.interpolate;
  window.interpolate = function (format, values, named) {
    return original(format, values, named).replace(/\S+/g, function (word) {
      return /[A-Za-z]/.test(word)
        ? word
        : word.replace(/[0-9]/g, function (digit) { return persianDigits[digit]; });
    });
  };
})();
