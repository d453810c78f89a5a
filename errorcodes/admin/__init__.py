"""The directory in Django's admin: every content model, with Markdown previews,
what differs from the shipped text, a revert action and the review queue."""

from datetime import date

from django.contrib import admin
from django.db import models
from django.db.models import F
from django.forms import Textarea
from django.urls import reverse
from django.utils import timezone

from ..models import (
    AntispamRule,
    Component,
    ErrorCode,
    ExceptionIdentifier,
    FaqEntry,
    FormerSlug,
    Provider,
    SenderTool,
    Source,
)
from .preview import MarkdownPreviewMixin
from .review import ReviewFilter, ReviewForm, review_days
from .shipped import (
    STATE_LABELS,
    DirectoryForm,
    ShippedStateFilter,
    field_changes,
    prefetched,
    release_changes,
    revert_to_shipped,
)

RELEASE_MERGED = "_release_merged"

# Markdown is easier to edit in a wide, monospaced box.
MARKDOWN_WIDGET = {
    models.TextField: {
        "widget": Textarea(attrs={"rows": 16, "cols": 100, "style": "font-family: monospace"})
    }
}


class DirectoryAdmin(MarkdownPreviewMixin, admin.ModelAdmin):
    formfield_overrides = MARKDOWN_WIDGET
    readonly_fields = ("updated_at",)
    actions = [revert_to_shipped]
    form = DirectoryForm
    change_form_template = "admin/errorcodes/change_form.html"

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if "content_state" in shown else (*shown, "content_state")

    def get_list_filter(self, request):
        return (ShippedStateFilter, *super().get_list_filter(request))

    def get_queryset(self, request):
        return prefetched(super().get_queryset(request))

    @admin.display(description="Content")
    def content_state(self, obj) -> str:
        state = STATE_LABELS[obj.shipped_state()]
        return f"{state}, new shipped text waiting" if obj.release_content else state

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and obj.shipped_content:
            # Shipped text first, the text now second: what was changed here.
            context["shipped_changes"] = field_changes(obj.changes_from_shipped(), type(obj))
            context["release_changes"] = release_changes(obj)
        context["never_shipped"] = obj is not None and bool(obj.pk) and not obj.shipped_content
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # The box beside a waiting release's text (change_form.html): the editor has
        # merged it by hand, so it becomes the text this row is compared with.
        if request.POST.get(RELEASE_MERGED) and obj.release_content:
            obj.shipped_content, obj.release_content = obj.release_content, {}
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if request.POST.get(RELEASE_MERGED):
            message.append({"changed": {"fields": ["the new shipped text, merged"]}})
        return message


@admin.register(ErrorCode)
class ErrorCodeAdmin(DirectoryAdmin):
    # Frequency and impact make the tier: they are filters, not columns.
    list_display = ("status", "title", "tier", "area", "checked", "content_state", "order")
    list_display_links = ("status", "title")
    list_editable = ("order",)
    list_filter = (
        "tier", "frequency", "impact", "basis", "area", "component", "fixable_by_sender",
        "fixable_by_sender_admin", "fixable_by_recipient_admin",
    )  # fmt: skip
    search_fields = (
        "status",
        "also_matches",
        "variant",
        "title",
        "microsoft_behaviour",
        "example_bounce",
    )
    filter_horizontal = ("related", "sources")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "slug",
                    "provider",
                    "reply_code",
                    "status",
                    "also_matches",
                    "variant",
                    "title",
                )
            },
        ),
        (
            "Directory",
            {
                "fields": (
                    "frequency",
                    "impact",
                    "tier",
                    "area",
                    "order",
                    "component",
                    "microsoft_behaviour",
                ),
                "description": "Tier 1 (critical) is derived: a common code that blocks all mail.",
            },
        ),
        ("Explanation and fix (Markdown)", {"fields": ("explanation_md", "fix_md")}),
        (
            "Who can fix it",
            {
                "fields": (
                    "fixable_by_sender",
                    "fixable_by_sender_admin",
                    "fixable_by_recipient_admin",
                )
            },
        ),
        (
            "Examples and links",
            {"fields": ("example_bounce", "example_is_illustrative", "related", "updated_at")},
        ),
        ("Sources and review", {"fields": ("sources", "basis", "checked_on", "mark_checked")}),
    )
    form = ReviewForm

    def get_list_filter(self, request):
        return (ReviewFilter, *super().get_list_filter(request))

    @admin.display(description="Checked", ordering="checked_on")
    def checked(self, obj) -> date | None:
        return obj.checked_on

    def get_ordering(self, request):
        # The review queue: never checked first, then the oldest check.
        if request.GET.get(ReviewFilter.parameter_name) == "due":
            return (F("checked_on").asc(nulls_first=True), "status")
        return super().get_ordering(request)

    def get_readonly_fields(self, request, obj=None):
        # The slug is the page's address: fixed once the code exists.
        fields = (*self.readonly_fields, "tier")
        return (*fields, "slug") if obj else fields

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("mark_checked"):
            obj.checked_on = timezone.localdate()
        super().save_model(request, obj, form, change)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["public_url"] = obj.get_absolute_url()
            if obj.example_bounce:
                context["try_url"] = f"{reverse('errorcodes:decode')}?example={obj.slug}"
        context["review_days"] = review_days()
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Component)
class ComponentAdmin(DirectoryAdmin):
    list_display = ("name", "summary", "order")
    list_editable = ("order",)
    search_fields = ("name", "summary", "description_md")


@admin.register(Provider)
class ProviderAdmin(DirectoryAdmin):
    list_display = ("name", "key_identifiers", "mx_pattern")
    search_fields = ("name", "key_identifiers")


@admin.register(FaqEntry)
class FaqEntryAdmin(DirectoryAdmin):
    list_display = ("question", "order")
    list_editable = ("order",)
    search_fields = ("question", "answer_md")


@admin.register(SenderTool)
class SenderToolAdmin(DirectoryAdmin):
    list_display = ("name", "url", "order")
    list_editable = ("order",)
    search_fields = ("name", "purpose")
    filter_horizontal = ("codes",)


@admin.register(ExceptionIdentifier)
class ExceptionIdentifierAdmin(DirectoryAdmin):
    list_display = ("identifier", "component", "statuses", "entry")
    list_filter = ("component",)
    search_fields = ("identifier", "meaning", "statuses")
    autocomplete_fields = ("entry",)


@admin.register(AntispamRule)
class AntispamRuleAdmin(DirectoryAdmin):
    list_display = ("pattern", "entry")
    search_fields = ("pattern", "meaning", "delist")
    autocomplete_fields = ("entry",)


@admin.register(Source)
class SourceAdmin(DirectoryAdmin):
    list_display = ("title", "publisher", "url")
    search_fields = ("title", "url")


@admin.register(FormerSlug)
class FormerSlugAdmin(DirectoryAdmin):
    list_display = ("slug", "code")
    search_fields = ("slug",)
