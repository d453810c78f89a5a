// Live Markdown previews in the directory's admin. The page works without this
// file: the preview under each box is drawn by the server, and the "Preview"
// button redraws every one from what was typed. With it, the preview follows the
// typing: a short pause after the last key, the server renders the box's text
// (the same Markdown and sanitizer as the public page) and the preview shows it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const PAUSE_MS = 300;
  for (const box of document.querySelectorAll("textarea[data-preview-url]")) {
    const preview = document.getElementById(`${box.id}-preview`);
    const status = preview?.parentElement.querySelector(".markdown-preview-status");
    if (!preview || !box.form) {
      continue;
    }
    const token = box.form.querySelector("input[name=csrfmiddlewaretoken]");
    let timer = null;
    let asked = 0;
    const render = async () => {
      const number = ++asked;
      const body = new FormData();
      body.append("text", box.value);
      try {
        const response = await fetch(box.dataset.previewUrl, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" },
        });
        if (number !== asked) {
          return; // a later keystroke's rendering is on its way
        }
        const answer = await response.json();
        if (!response.ok) {
          status.textContent = answer.error || "The preview could not be updated.";
          return;
        }
        // The server's rendering went through the same sanitizer as the public page.
        preview.innerHTML = answer.html;
        status.textContent = "";
      } catch {
        if (number === asked) {
          status.textContent = "The preview could not be updated: use the Preview button.";
        }
      }
    };
    box.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(render, PAUSE_MS);
    });
  }
});
