"""What an admin changed from the shipped directory: a column, a filter, the
differences field by field, and the action that puts the shipped text back."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import model_ngettext
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.text import capfirst

from ..textdiff import DiffLine, diff_lines

STATE_LABELS = {
    "shipped": "As shipped",
    "edited": "Edited here",
    "added": "Added here",
}
WAITING = "waiting"


class DirectoryForm(forms.ModelForm):
    """A directory row's form: lines end as in the shipped text.

    Browsers send a textarea's lines with CRLF; a form previewed (not saved)
    would otherwise differ from the shipped text in every multi-line field.
    """

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned


@dataclass
class FieldChange:
    name: str
    label: str
    lines: list[DiffLine]


class ShippedStateFilter(admin.SimpleListFilter):
    title = "shipped content"
    parameter_name = "content"

    def lookups(self, request, model_admin):
        return [
            ("edited", "Edited here (differs from the shipped text)"),
            ("shipped", "As shipped"),
            (WAITING, "New shipped text waiting (edited here)"),
            ("added", "Added here (never shipped)"),
        ]

    def queryset(self, request, queryset):
        wanted = self.value()
        if wanted is None:
            return None
        if wanted == WAITING:
            return queryset.exclude(release_content={})
        # A row's state needs its values compared with what was shipped.
        rows = prefetched(queryset.model.objects.all())
        return queryset.filter(pk__in=[row.pk for row in rows if row.shipped_state() == wanted])


def prefetched(queryset: QuerySet) -> QuerySet:
    """The rows with their many-to-many relations, for content_values()."""
    names = [f.name for f in queryset.model._meta.many_to_many]
    return queryset.prefetch_related(*names)


def describe(value: str | list[str]) -> str:
    if isinstance(value, list):
        return "\n".join(value) if value else "(none)"
    return value


def field_changes(pairs, model) -> list[FieldChange]:
    """Each (name, before, after) as a FieldChange with its lines."""
    return [
        FieldChange(
            name=name,
            label=capfirst(model._meta.get_field(name).verbose_name),
            lines=diff_lines(describe(before), describe(after)),
        )
        for name, before, after in pairs
    ]


def release_changes(row) -> list[FieldChange]:
    """What a waiting release changed in the shipped text (installed -> release)."""
    if not row.release_content:
        return []
    pairs = [
        (name, row.shipped_content.get(name, ""), value)
        for name, value in row.release_content.items()
        if row.shipped_content.get(name) != value
    ]
    return field_changes(pairs, type(row))


@admin.action(description="Revert to shipped content", permissions=["change"])
def revert_to_shipped(modeladmin, request: HttpRequest, queryset: QuerySet):
    """Confirm, then put the newest shipped text back on each selected row."""
    rows = list(prefetched(queryset))
    never_shipped = [row for row in rows if not row.shipped_content]
    changing = [(row, row.changes_from_shipped()) for row in rows if row.shipped_content]
    changing = [(row, pairs) for row, pairs in changing if pairs]
    if request.POST.get("post") == "yes":
        for row, _ in changing:
            changed = row.restore_shipped()
            modeladmin.log_change(
                request, row, f"Reverted to the shipped content: {', '.join(changed)}."
            )
        if changing:
            modeladmin.message_user(
                request,
                f"Reverted {len(changing)} {model_ngettext(queryset, len(changing))} to the "
                "shipped content.",
                messages.SUCCESS,
            )
        if never_shipped:
            modeladmin.message_user(
                request,
                f"{len(never_shipped)} {model_ngettext(queryset, len(never_shipped))} "
                "added here, with no shipped text to go back to: left unchanged.",
                messages.WARNING,
            )
        if not changing and not never_shipped:
            modeladmin.message_user(request, "Nothing to revert: already as shipped.")
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Revert to shipped content?",
        "opts": opts,
        # What goes (the text now) and what comes back (the shipped text).
        "changes": [
            (row, field_changes([(n, now, shipped) for n, shipped, now in pairs], type(row)))
            for row, pairs in changing
        ],
        "never_shipped": never_shipped,
        "unchanged": len(rows) - len(changing) - len(never_shipped),
        "changing_name": model_ngettext(queryset, len(changing)),
        "queryset": queryset,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/errorcodes/revert_confirmation.html", context)
