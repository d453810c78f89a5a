// Progressive enhancement for the decoder form: drop a saved bounce anywhere on
// the form, submit with Ctrl+Enter, and move focus to the diagnosis when one is
// shown. The form works the same without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const report = document.getElementById("report");
  if (report) {
    report.focus();
  }

  const form = document.querySelector("[data-dropzone]");
  if (!form) {
    return;
  }
  const fileInput = form.querySelector('input[type="file"]');
  const textArea = form.querySelector("textarea");
  const hint = form.querySelector(".drop-hint");
  if (hint) {
    hint.hidden = false;
  }

  const setDragging = (on) => form.classList.toggle("is-dragging", on);
  form.addEventListener("dragover", (event) => {
    event.preventDefault();
    setDragging(true);
  });
  form.addEventListener("dragleave", () => setDragging(false));
  form.addEventListener("drop", (event) => {
    event.preventDefault();
    setDragging(false);
    const files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length && fileInput) {
      fileInput.files = files;
      fileInput.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  if (textArea) {
    textArea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }
});
