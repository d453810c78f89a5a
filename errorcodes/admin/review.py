"""The review queue: entries whose check against Microsoft's documentation is old.

Microsoft changes limits, portals and codes several times a year; an entry not
checked for DIRECTORY_REVIEW_DAYS days (or never) is due for another look.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import timezone

from ..models import ErrorCode
from .shipped import DirectoryForm


def review_days() -> int:
    return settings.DIRECTORY_REVIEW_DAYS


def due_for_review():
    """The error codes due for review, the longest unchecked first."""
    return ErrorCode.objects.due_for_review(review_days(), timezone.localdate())


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        days = review_days()
        return [
            ("due", f"Due (not checked in {days} days, or never)"),
            ("recent", f"Checked in the last {days} days"),
        ]

    def queryset(self, request, queryset):
        due = due_for_review().values("pk")
        if self.value() == "due":
            return queryset.filter(pk__in=due)  # ordered by ErrorCodeAdmin.get_ordering
        if self.value() == "recent":
            return queryset.exclude(pk__in=due)
        return None


class ReviewForm(DirectoryForm):
    """The entry's form, with a box that records today's check."""

    mark_checked = forms.BooleanField(
        label="Mark as checked today",
        required=False,
        help_text="Tick after checking this entry against Microsoft's documentation: "
        "saving sets the date above to today.",
    )
