"""A preview of every Markdown field, rendered as the public page renders it.

The preview under each box is drawn by the server when the form is shown; as
the editor types, static/js/markdown-preview.js asks the model admin's
``preview/`` address for a fresh rendering (same function, same sanitizer).
Without JavaScript, the form's "Preview" button re-shows the form with every
preview drawn from what was typed, saving nothing.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from ..markup import render_markdown

PREVIEW_BUTTON = "_preview"
# Longest text the live preview renders; a Markdown field is a few kilobytes.
PREVIEW_MAX_CHARS = 200_000


class MarkdownPreviewWidget(forms.Textarea):
    """A Markdown box with its rendering underneath."""

    def __init__(self, preview_url: str, attrs: dict | None = None) -> None:
        base = {"rows": 16, "cols": 100, "class": "markdown-source"}
        base["data-preview-url"] = preview_url
        super().__init__({**base, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        element_id = (attrs or {}).get("id") or f"id_{name}"
        # render_markdown() returns what nh3 let through: safe to show as it is.
        html = mark_safe(render_markdown(value or ""))
        return format_html(
            '<div class="markdown-editor">{}'
            # tabindex: a long preview scrolls, and keyboards must reach it.
            '<div class="markdown-preview" role="region" tabindex="0" '
            'aria-labelledby="{}-preview-label">'
            '<p class="markdown-preview-label" id="{}-preview-label">Preview, as the public '
            'page shows it <span class="markdown-preview-status" aria-live="polite"></span></p>'
            '<div class="markdown-preview-body prose" id="{}-preview">{}</div></div></div>',
            box,
            element_id,
            element_id,
            element_id,
            html,
        )


class PreviewForm(forms.ModelForm):
    """Validates as usual but never counts as valid, so that nothing is saved."""

    previewing = True

    def is_valid(self) -> bool:
        super().is_valid()  # errors are still shown beside the fields
        return False


class MarkdownPreviewMixin:
    """ModelAdmin part: previews for the model's ``markdown_fields``."""

    class Media:
        css = {"all": ["css/admin-directory.css"]}
        js = ["js/markdown-preview.js"]

    def preview_url_name(self) -> str:
        meta = self.model._meta
        return f"{meta.app_label}_{meta.model_name}_preview"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.model.markdown_fields:
            url = reverse(f"{self.admin_site.name}:{self.preview_url_name()}")
            kwargs["widget"] = MarkdownPreviewWidget(url)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if request.method == "POST" and PREVIEW_BUTTON in request.POST:
            return type(form.__name__, (PreviewForm, form), {})
        return form

    def get_urls(self):
        own = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name=self.preview_url_name(),
            )
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, *args, **kwargs):
        context["previewing"] = request.method == "POST" and PREVIEW_BUTTON in request.POST
        context["has_markdown"] = bool(self.model.markdown_fields)
        return super().render_change_form(request, context, *args, **kwargs)

    @staticmethod
    def _preview_response(request: HttpRequest) -> HttpResponse:
        text = request.POST.get("text", "")
        if len(text) > PREVIEW_MAX_CHARS:
            return JsonResponse({"error": "Too long to preview."}, status=413)
        return JsonResponse({"html": render_markdown(text)})

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The rendering of the posted ``text``, as JSON: {"html": ...}."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            return JsonResponse({"error": "Not allowed."}, status=403)
        return require_POST(self._preview_response)(request)
