"""The SMTP error code directory: providers, components, codes, FAQ, tools."""

import re
from datetime import date, timedelta

from django.db import models
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .markup import render_markdown


class ShippedContent(models.Model):
    """A row whose content ships in fixtures/ and that site admins may edit.

    ``shipped_content`` keeps the values sync_directory last installed. When a
    row's current values differ from them, an admin has edited it since, and
    sync_directory leaves it alone. Comparing values (not a hash of the whole
    row) keeps a field added by a later release from looking like an edit.

    ``release_content`` keeps what a later release ships for a row an admin had
    edited: sync_directory cannot install it without losing the edit, so it
    waits there for the admin to merge it by hand (or to revert to it).
    """

    # Markdown source field -> rendered HTML field, rendered on save().
    markdown_fields: dict[str, str] = {}
    # Fields about reviewing the row rather than its content: setting them is no
    # edit, and a release's newer date is taken (see sync_directory).
    review_fields: tuple[str, ...] = ()

    shipped_content = models.JSONField(default=dict, blank=True, editable=False)
    release_content = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize_line_breaks()
        self.render_html()
        super().save(*args, **kwargs)

    def normalize_line_breaks(self) -> None:
        """Browsers send a textarea's lines with CRLF; the shipped text has LF.

        Without this, saving a form unchanged would make every multi-line field
        differ from the shipped text, and the row would look edited.
        """
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(value, str) and "\r" in value:
                setattr(self, field.attname, value.replace("\r\n", "\n").replace("\r", "\n"))

    def render_html(self) -> list[str]:
        """Render the Markdown fields; return the names of the HTML fields that changed."""
        changed = []
        for source, html in self.markdown_fields.items():
            rendered = render_markdown(getattr(self, source))
            if getattr(self, html) != rendered:
                setattr(self, html, rendered)
                changed.append(html)
        return changed

    @classmethod
    def content_field_names(cls) -> list[str]:
        """Return the editable fields that fixtures provide (no derived HTML, tier, ...)."""
        return [
            f.name
            for f in cls._meta.get_fields()
            if f.concrete
            and not f.auto_created
            and f.editable
            and not f.primary_key
            and f.name not in cls.review_fields
        ]

    def content_values(self, m2m: dict[str, list] | None = None) -> dict[str, str | list[str]]:
        """Return the content fields as JSON-ready strings (relations as sorted keys).

        ``m2m`` gives the relations of a row that is not saved yet.
        """
        values: dict[str, str | list[str]] = {}
        for name in self.content_field_names():
            field = self._meta.get_field(name)
            if field.many_to_many:
                # .all() rather than values_list(): a change list prefetches them.
                keys = (
                    m2m.get(name, [])
                    if m2m is not None
                    else [related.pk for related in getattr(self, name).all()]
                )
                values[name] = sorted(str(pk) for pk in keys)
            else:
                values[name] = field.value_to_string(self)
        return values

    def edited_since_shipped(self) -> bool:
        """True when a field differs from what sync_directory installed (or it never did)."""
        if not self.shipped_content:
            return True
        current = self.content_values()
        # A field a release stopped shipping (tier became derived) is no admin edit.
        return any(
            name in current and current[name] != value
            for name, value in self.shipped_content.items()
        )

    @property
    def latest_shipped(self) -> dict[str, str | list[str]]:
        """The newest shipped values: a waiting release's, else those installed."""
        return self.release_content or self.shipped_content

    def shipped_state(self) -> str:
        """ "added" (no release ships it), "edited" or "shipped" (as the release has it)."""
        if not self.shipped_content:
            return "added"
        return "edited" if self.edited_since_shipped() else "shipped"

    def changes_from_shipped(self) -> list[tuple[str, str | list[str], str | list[str]]]:
        """(field, shipped value, current value) for every field that differs from the
        newest shipped values."""
        current = self.content_values()
        return [
            (name, shipped, current[name])
            for name, shipped in self.latest_shipped.items()
            if name in current and current[name] != shipped
        ]

    def restore_shipped(self) -> list[str]:
        """Set every field back to the newest shipped values and save; return the names
        of the fields that changed.  The release's values become the installed ones."""
        shipped = self.latest_shipped
        changed = [name for name, _, _ in self.changes_from_shipped()]
        relations = {}
        for name in changed:
            field = self._meta.get_field(name)
            if field.many_to_many:
                relations[name] = shipped[name]
            else:
                setattr(self, field.attname, value_from_string(field, shipped[name]))
        self.shipped_content, self.release_content = shipped, {}
        self.save()
        for name, keys in relations.items():
            getattr(self, name).set(keys)
        return changed


def value_from_string(field: models.Field, text):
    """The value ``field.value_to_string()`` wrote as ``text``, for setting on a row."""
    if text in ("None", "") and field.null:
        return None  # value_to_string writes a missing key as "None", a date as ""
    if field.is_relation:
        return field.target_field.to_python(text)
    return field.to_python(text)


class Provider(ShippedContent):
    markdown_fields = {"identify_md": "identify_html"}

    slug = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(max_length=120)
    key_identifiers = models.CharField(
        max_length=200, help_text=_("Strings that give the provider away in a bounce.")
    )
    mx_pattern = models.CharField(_("MX hostname pattern"), max_length=120)
    identify_md = models.TextField(
        _("how to identify a bounce (Markdown)"),
        help_text=_("Shown above the example Diagnostic-Code."),
    )
    identify_html = models.TextField(editable=False, blank=True)
    example_diagnostic = models.TextField(_("example Diagnostic-Code"), blank=True)
    example_note = models.CharField(
        max_length=300, blank=True, help_text=_("One line shown under the example.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Component(ShippedContent):
    markdown_fields = {"description_md": "description_html"}

    name = models.CharField(primary_key=True, max_length=60)
    summary = models.CharField(max_length=300, help_text=_("One line: what this component does."))
    description_md = models.TextField(_("description (Markdown)"), blank=True)
    description_html = models.TextField(editable=False, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("errorcodes:directory") + f"#component-{self.anchor}"

    @property
    def anchor(self) -> str:
        return self.name.lower().replace(".", "-")


class Source(ShippedContent):
    """A document an entry rests on: Microsoft's reference, a per-code article, ..."""

    slug = models.SlugField(primary_key=True, max_length=80)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=300, help_text=_("An https:// address."))
    publisher = models.CharField(max_length=80, default="Microsoft")

    class Meta:
        ordering = ["publisher", "title"]

    def __str__(self) -> str:
        return self.title


class ErrorCodeQuerySet(models.QuerySet):
    def in_directory_order(self):
        """Critical codes first, then by display order and code."""
        return self.order_by("tier", "order", "status")

    def search(self, text: str):
        """Entries whose code, title, summary or example bounce contains ``text`` (any case)."""
        if not text:
            return self
        return self.filter(
            models.Q(status__icontains=text)
            | models.Q(also_matches__icontains=text)
            | models.Q(variant__icontains=text)
            | models.Q(title__icontains=text)
            | models.Q(microsoft_behaviour__icontains=text)
            | models.Q(example_bounce__icontains=text)
        )

    def due_for_review(self, days: int, today: date):
        """Entries never checked against Microsoft's documentation, or not for ``days`` days."""
        cutoff = today - timedelta(days=days)
        return self.filter(models.Q(checked_on__isnull=True) | models.Q(checked_on__lt=cutoff))


class ErrorCode(ShippedContent):
    markdown_fields = {"explanation_md": "explanation_html", "fix_md": "fix_html"}

    class Tier(models.IntegerChoices):
        CRITICAL = 1, _("Critical (tier 1)")
        STANDARD = 2, _("Standard")

    class Frequency(models.TextChoices):
        COMMON = "common", _("Common: many senders meet it")
        OCCASIONAL = "occasional", _("Occasional: specific configurations or situations")
        RARE = "rare", _("Rare")

    class Impact(models.TextChoices):
        BLOCKS_ALL = "blocks_all", _("Blocks all mail (from the sender or to the recipient)")
        BLOCKS_MESSAGE = "blocks_message", _("Blocks this message")
        DELAYS = "delays", _("Delays mail (temporary)")

    class Basis(models.TextChoices):
        DOCUMENTED = "documented", _("Microsoft's documentation")
        OBSERVED = "observed", _("Real bounces (Microsoft does not document it)")
        BOTH = "documented_and_observed", _("Microsoft's documentation and real bounces")

    class Area(models.TextChoices):
        ADDRESSING = "addressing", _("Addressing")
        MAILBOX = "mailbox", _("Mailbox")
        SIZE = "size", _("Size")
        CONTENT = "content", _("Message content")
        ROUTING = "routing", _("Routing and delivery")
        AUTHENTICATION = "authentication", _("Authentication")
        REPUTATION = "reputation", _("Anti-spam and reputation")
        POLICY = "policy", _("Policy and tenant")

    slug = models.SlugField(primary_key=True, max_length=40, help_text=_("e.g. 5-7-13"))
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="codes")
    reply_code = models.CharField(_("SMTP reply code"), max_length=3, help_text=_("e.g. 550"))
    status = models.CharField(
        _("enhanced status code"), max_length=16, db_index=True, help_text=_("e.g. 5.7.13")
    )
    also_matches = models.CharField(
        max_length=200,
        blank=True,
        help_text=_(
            "Other enhanced status codes this entry covers, separated by spaces; "
            "a range as 5.7.501-5.7.520."
        ),
    )
    variant = models.CharField(
        max_length=80,
        blank=True,
        help_text=_(
            "For one of several meanings of the same status: the token that tells it apart "
            "in the server's text (an exception id such as RESOLVER.RST.AuthRequired or an "
            "anti-spam rule such as S3150)."
        ),
    )
    title = models.CharField(max_length=120)
    tier = models.PositiveSmallIntegerField(
        choices=Tier.choices,
        default=Tier.STANDARD,
        editable=False,
        help_text=_("Derived from frequency and impact on save (see the README)."),
    )
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.OCCASIONAL,
        help_text=_("How often the code reaches real senders."),
    )  # fmt: skip
    impact = models.CharField(
        max_length=16, choices=Impact.choices, default=Impact.BLOCKS_MESSAGE,
        help_text=_("How much it blocks them."),
    )  # fmt: skip
    area = models.CharField(max_length=20, choices=Area.choices)
    microsoft_behaviour = models.TextField(
        _("Microsoft-specific behaviour"), help_text=_("The one-line summary on the directory.")
    )
    explanation_md = models.TextField(_("full explanation (Markdown)"))
    explanation_html = models.TextField(editable=False, blank=True)
    fix_md = models.TextField(_("fix steps (Markdown)"))
    fix_html = models.TextField(editable=False, blank=True)
    fixable_by_sender = models.BooleanField(_("the sender can fix it"), default=False)
    fixable_by_sender_admin = models.BooleanField(_("the sender's admin can fix it"), default=False)
    fixable_by_recipient_admin = models.BooleanField(
        _("the recipient's admin can fix it"), default=False
    )
    component = models.ForeignKey(
        Component, on_delete=models.SET_NULL, null=True, blank=True, related_name="codes"
    )
    example_bounce = models.TextField(_("example bounce text"), blank=True)
    example_is_illustrative = models.BooleanField(
        _("the example is an illustration"),
        default=True,
        help_text=_("Written for the site, not quoted from Microsoft's documentation."),
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="codes")
    basis = models.CharField(
        max_length=24, choices=Basis.choices, default=Basis.DOCUMENTED,
        help_text=_("What the entry rests on."),
    )  # fmt: skip
    checked_on = models.DateField(
        _("checked against Microsoft's documentation on"), null=True, blank=True
    )
    related = models.ManyToManyField("self", symmetrical=False, blank=True)
    order = models.PositiveIntegerField(_("display order"), default=0)

    objects = ErrorCodeQuerySet.as_manager()

    review_fields = ("checked_on",)

    class Meta:
        ordering = ["tier", "order", "status"]
        verbose_name = _("error code")
        constraints = [
            models.UniqueConstraint(fields=["status", "variant"], name="unique_status_variant")
        ]

    def __str__(self) -> str:
        return f"{self.reply_code} {self.status} {self.title}"

    def save(self, *args, **kwargs):
        self.tier = self.tier_for(self.frequency, self.impact)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("errorcodes:code_detail", args=[self.slug])

    @classmethod
    def tier_for(cls, frequency: str, impact: str) -> int:
        """Return the tier the rule gives: critical when many senders meet the code and
        it stops all their mail (to that recipient, or from that sender) until someone acts."""
        common = frequency == cls.Frequency.COMMON
        return (
            cls.Tier.CRITICAL if common and impact == cls.Impact.BLOCKS_ALL else cls.Tier.STANDARD
        )

    @property
    def is_permanent(self) -> bool:
        """A 5.x.x code is a permanent failure; 4.x.x is temporary."""
        return self.status.startswith("5")

    @property
    def also_covers(self) -> str:
        """``also_matches`` for reading: "5.7.133, 5.7.134 and 4.7.501 to 4.7.649" (en dash)."""
        codes = [token.replace("-", "\N{EN DASH}") for token in self.also_matches.split()]
        return " and ".join(filter(None, [", ".join(codes[:-1]), *codes[-1:]]))

    @property
    def is_critical(self) -> bool:
        return self.tier == self.Tier.CRITICAL

    @property
    def who_can_fix(self) -> list[str]:
        """Return the parties that can fix the problem, in the order they should act."""
        parties = [
            (self.fixable_by_sender, _("the sender")),
            (self.fixable_by_sender_admin, _("the sender's email admin")),
            (self.fixable_by_recipient_admin, _("the recipient's email admin")),
        ]
        return [label for able, label in parties if able]

    @property
    def first_steps(self) -> list[tuple[str, str]]:
        """The first step of each audience's fix, as (audience, step HTML).

        ("If you sent the message", "<code>...</code> Check the address..."): the
        rendered fix is a heading per audience, each followed by a numbered list.
        """
        return [
            (strip_tags(audience).strip(), step.strip())
            for audience, step in FIRST_STEP_RE.findall(self.fix_html or "")
        ]


# A heading of the rendered fix and the first item of the list that follows it.
FIRST_STEP_RE = re.compile(r"<h3[^>]*>(.*?)</h3>\s*<ol>\s*<li>(.*?)</li>", re.DOTALL)


class FormerSlug(ShippedContent):
    """The address of an entry that was merged into another: it redirects there."""

    slug = models.SlugField(primary_key=True, max_length=40)
    code = models.ForeignKey(ErrorCode, on_delete=models.CASCADE, related_name="former_slugs")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.slug} -> {self.code_id}"


class ExceptionIdentifier(ShippedContent):
    """An Exchange exception id seen in NDRs, e.g. RESOLVER.ADR.RecipientNotFound."""

    identifier = models.CharField(primary_key=True, max_length=120)
    component = models.CharField(max_length=60, blank=True)
    meaning = models.TextField(help_text=_("One or two plain-English sentences."))
    statuses = models.CharField(
        max_length=80, blank=True, help_text=_("The status codes it comes with.")
    )
    entry = models.ForeignKey(
        ErrorCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="exceptions"
    )

    class Meta:
        ordering = ["identifier"]

    def __str__(self) -> str:
        return self.identifier


class AntispamRule(ShippedContent):
    """A family of anti-spam rule ids (AS(nnnn), S3150, ...) and what a sender can do."""

    pattern = models.CharField(primary_key=True, max_length=120)
    meaning = models.TextField()
    sender_action = models.TextField(_("what the sender should do"))
    delist = models.TextField(_("delisting path"), blank=True)
    entry = models.ForeignKey(
        ErrorCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="antispam_rules"
    )

    class Meta:
        ordering = ["pattern"]
        verbose_name = _("anti-spam rule")

    def __str__(self) -> str:
        return self.pattern


class FaqEntry(ShippedContent):
    markdown_fields = {"answer_md": "answer_html"}

    slug = models.SlugField(primary_key=True, max_length=80)
    question = models.CharField(max_length=200)
    answer_md = models.TextField(_("answer (Markdown)"))
    answer_html = models.TextField(editable=False, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "question"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")

    def __str__(self) -> str:
        return self.question


class SenderTool(ShippedContent):
    slug = models.SlugField(primary_key=True, max_length=40)
    name = models.CharField(max_length=120)
    url = models.URLField()
    link_text = models.CharField(max_length=80, help_text=_("e.g. sender.office.com"))
    purpose = models.TextField(help_text=_("What the tool is for, in one or two sentences."))
    codes = models.ManyToManyField(ErrorCode, blank=True, related_name="tools")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# Every model whose rows ship in fixtures/, referenced models first (the order
# sync_directory saves them in).
DIRECTORY_MODELS = (
    Provider, Component, Source, ErrorCode, FormerSlug, ExceptionIdentifier, AntispamRule,
    FaqEntry, SenderTool,
)  # fmt: skip


class DirectoryVersion(models.Model):
    """The directory's version: one row, whose token every edit replaces.

    Rendered pages and each process's copy of the directory are kept under this
    token, so an edit saved by any worker or instance reaches all of them; it
    lives in the database because that is what every process shares, cache
    server or not.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.token
