// Offline check of a certificate's QR token (/verify/offline/): a compact JWS signed with
// Ed25519 (documents/qr_tokens.py), verified here with WebCrypto against the organization's
// public keys, kept in localStorage from /.well-known/jwks.json whenever the page is online.
// Checking a token sends nothing anywhere. An external file: the CSP allows no inline script.
"use strict";

(() => {
  const STORE = "portal.certificateKeys";

  const box = document.getElementById("offline-check");
  if (!box) {
    return;
  }
  const text = JSON.parse(box.dataset.messages);
  const locale = box.dataset.locale;
  const status = document.getElementById("keys-status");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token-input");
  const result = document.getElementById("result");
  const verdict = document.getElementById("result-verdict");
  const factsList = document.getElementById("result-facts");
  const cameraButton = document.getElementById("camera-button");
  const video = document.getElementById("camera-view");

  const showDate = (iso, withTime) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) {
      return iso;
    }
    const options = withTime
      ? { year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit" }
      : { year: "numeric", month: "long", day: "numeric" };
    return date.toLocaleString(locale, options);
  };

  // --- Keys ---------------------------------------------------------------------------------

  const storedKeys = () => {
    try {
      const stored = JSON.parse(window.localStorage.getItem(STORE) || "null");
      return stored && Array.isArray(stored.keys) ? stored : null;
    } catch (error) {
      return null;
    }
  };

  const showKeyStatus = (stored, online) => {
    if (!stored) {
      status.textContent = text.keysNone;
      status.dataset.keys = "none";
      return;
    }
    const message = online ? text.keysRefreshed : text.keysStale;
    status.textContent = message.replace("%(date)s", showDate(stored.refreshedAt, true));
    status.dataset.keys = online ? "fresh" : "cached";
  };

  const refreshKeys = async () => {
    if (!navigator.onLine) {
      showKeyStatus(storedKeys(), false);
      return;
    }
    try {
      const response = await fetch(box.dataset.jwksUrl, { cache: "no-store", credentials: "omit" });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      const jwks = await response.json();
      const keys = (jwks.keys || []).filter(
        (key) => key.kty === "OKP" && key.crv === "Ed25519" && typeof key.x === "string",
      );
      const stored = { keys, refreshedAt: new Date().toISOString() };
      window.localStorage.setItem(STORE, JSON.stringify(stored));
      showKeyStatus(stored, true);
    } catch (error) {
      showKeyStatus(storedKeys(), false);
    }
  };

  // --- The token ----------------------------------------------------------------------------

  const fromBase64Url = (value) => {
    if (!/^[A-Za-z0-9_-]*$/.test(value)) {
      throw new Error("not base64url");
    }
    const padded = value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4);
    const binary = window.atob(padded);
    return Uint8Array.from(binary, (character) => character.charCodeAt(0));
  };

  const decodeJson = (value) => JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Url(value)));

  // The QR code holds SITE_URL/verify/<number>/#<token>; a bare token is accepted too.
  const readInput = (raw) => {
    const value = raw.trim();
    const hash = value.indexOf("#");
    if (hash === -1) {
      return { token: value, number: null };
    }
    const match = value.slice(0, hash).match(/\/verify\/([0-9]+)\/?$/);
    return { token: value.slice(hash + 1), number: match ? match[1] : null };
  };

  const check = async (raw) => {
    const { token, number } = readInput(raw);
    const parts = token.split(".");
    if (parts.length !== 3 || token.length > 4096) {
      return { outcome: "malformed" };
    }
    let header;
    let claims;
    let signature;
    try {
      header = decodeJson(parts[0]);
      claims = decodeJson(parts[1]);
      signature = fromBase64Url(parts[2]);
    } catch (error) {
      return { outcome: "malformed" };
    }
    if (!header || header.alg !== "EdDSA" || typeof header.kid !== "string" || !claims) {
      return { outcome: "invalid" };
    }
    const stored = storedKeys();
    const jwk = stored && stored.keys.find((key) => key.kid === header.kid);
    if (!jwk) {
      return { outcome: "unknownKey" };
    }
    let genuine;
    try {
      const key = await window.crypto.subtle.importKey(
        "jwk",
        { kty: "OKP", crv: "Ed25519", x: jwk.x },
        { name: "Ed25519" },
        false,
        ["verify"],
      );
      genuine = await window.crypto.subtle.verify(
        { name: "Ed25519" },
        key,
        signature,
        new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
      );
    } catch (error) {
      return { outcome: error && error.name === "NotSupportedError" ? "noCrypto" : "invalid" };
    }
    // A genuine token pasted under another certificate's address is not that certificate's.
    if (!genuine || (number !== null && number !== claims.num)) {
      return { outcome: "invalid" };
    }
    const expired = Date.parse(claims.exp) <= Date.now();
    return { outcome: expired ? "validExpired" : "valid", claims };
  };

  // --- Showing it ---------------------------------------------------------------------------

  const label = (code) => text.labels[code] || code;
  // Codes made only of digits take Persian digits in Persian (still shown left to right).
  const digits = (value) =>
    locale.startsWith("fa") ? String(value).replace(/[0-9]/g, (digit) => "۰۱۲۳۴۵۶۷۸۹"[digit]) : String(value);

  const show = ({ outcome, claims }) => {
    result.hidden = false;
    result.dataset.outcome = outcome;
    verdict.textContent = text[outcome];
    factsList.replaceChildren();
    if (!claims) {
      return;
    }
    const insured = claims.ins === null ? text.noRecord : claims.ins ? text.yes : text.no;
    const rows = [
      [text.number, digits(claims.num), true],
      [text.name, claims.name, false],
      [text.nationalCode, digits(claims.nc), true],
      [text.insured, insured, false],
      [text.coverage, (claims.cov || []).map(label).join(text.separator) || text.none, false],
      [text.pension, (claims.pen || []).map(label).join(text.separator) || text.none, false],
      [text.issued, showDate(claims.iat, false), false],
      [text.until, showDate(claims.exp, true), false],
      [text.addressedTo, claims.to || text.none, false],
    ];
    for (const [name, value, code] of rows) {
      const term = document.createElement("dt");
      term.className = "col-sm-5";
      term.textContent = name;
      const detail = document.createElement("dd");
      detail.className = code ? "col-sm-7 ltr" : "col-sm-7";
      detail.textContent = String(value);
      factsList.append(term, detail);
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    show(await check(input.value));
  });

  // --- The camera, where the browser can read QR codes itself --------------------------------

  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", async () => {
      let stream;
      try {
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        const scan = async () => {
          const codes = await detector.detect(video);
          if (codes.length) {
            stream.getTracks().forEach((track) => track.stop());
            video.hidden = true;
            input.value = codes[0].rawValue;
            show(await check(input.value));
            return;
          }
          window.requestAnimationFrame(scan);
        };
        scan();
      } catch (error) {
        if (stream) {
          stream.getTracks().forEach((track) => track.stop());
        }
        video.hidden = true;
      }
    });
  }

  window.addEventListener("online", refreshKeys);
  window.addEventListener("offline", () => showKeyStatus(storedKeys(), false));
  showKeyStatus(storedKeys(), navigator.onLine);
  refreshKeys();
})();
