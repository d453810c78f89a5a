from django.contrib import admin
from django.db import models
from django.forms import Textarea

from .models import (
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

# Markdown is easier to edit in a wide, monospaced box.
MARKDOWN_WIDGET = {
    models.TextField: {
        "widget": Textarea(attrs={"rows": 16, "cols": 100, "style": "font-family: monospace"})
    }
}


class DirectoryAdmin(admin.ModelAdmin):
    formfield_overrides = MARKDOWN_WIDGET
    readonly_fields = ("updated_at",)


@admin.register(ErrorCode)
class ErrorCodeAdmin(DirectoryAdmin):
    list_display = (
        "status", "reply_code", "title", "tier", "frequency", "impact", "area", "checked_on",
        "order",
    )  # fmt: skip
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
        ("Sources", {"fields": ("sources", "basis", "checked_on")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The slug is the page's address: fixed once the code exists.
        fields = (*self.readonly_fields, "tier")
        return (*fields, "slug") if obj else fields


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
