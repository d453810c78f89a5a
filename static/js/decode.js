// Progressive enhancement for the decoder page. The page works the same without
// this file: the copy blocks are plain text to select, and the server checks sizes.
// - drop a saved bounce anywhere on the form; submit with Ctrl+Enter;
// - a paste over the limit is caught before it is sent, and stays in the box;
// - "Copy" buttons put the diagnosis or the bad addresses on the clipboard;
// - focus moves to the diagnosis when one is shown.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const report = document.getElementById("report");
  if (report) {
    report.focus();
  }
  enableCopyButtons();

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

  // A paste too large for the server to read at all would be lost with the page:
  // say so here instead, and keep it in the box.
  const readMax = Number(form.dataset.readMaxBytes || 0);
  form.addEventListener("submit", (event) => {
    if (!textArea || !readMax || (fileInput && fileInput.files.length)) {
      return;
    }
    const size = new TextEncoder().encode(textArea.value).length;
    if (size > readMax) {
      event.preventDefault();
      showError(form, textArea, size, Number(form.dataset.maxBytes || 0));
    }
  });
});

function showError(form, textArea, size, limit) {
  let box = document.getElementById("form-errors");
  if (!box) {
    box = document.createElement("div");
    box.id = "form-errors";
    box.className = "form-error";
    box.setAttribute("role", "alert");
    form.insertBefore(box, form.querySelector(".field"));
  }
  const mb = (bytes) => (bytes / 1048576).toFixed(1) + " MB";
  box.textContent =
    "That is " + mb(size) + "; the decoder reads bounces of up to " + mb(limit) + ". " +
    "Paste only the report part (down to where the original message begins), " +
    "or upload the saved message (.eml).";
  textArea.setAttribute("aria-describedby", "form-errors");
  textArea.setAttribute("aria-invalid", "true");
  textArea.focus();
}

function enableCopyButtons() {
  const status = document.querySelector(".copy-status");
  for (const button of document.querySelectorAll("[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim() + "\n");
        if (status) {
          status.textContent = "Copied.";
        }
      } catch (error) {
        // Without clipboard permission, open the block so it can be selected by hand.
        const details = source.closest("details");
        if (details) {
          details.open = true;
        }
        if (status) {
          status.textContent = "Copying is not allowed here: select the text below instead.";
        }
      }
    });
  }
}
