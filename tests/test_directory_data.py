"""The shipped directory holds all of the seed page's content, complete."""

import re

import pytest

from errorcodes.models import (
    AntispamRule,
    Component,
    ErrorCode,
    ExceptionIdentifier,
    FaqEntry,
    Provider,
    SenderTool,
)

pytestmark = pytest.mark.django_db

# (slug, reply code, status, title, critical) as the product owner's page lists
# them, corrected where Microsoft's documentation says otherwise.
SEED_CODES = [
    # Exchange Online's final NDR reads "550 4.4.7 QUEUE.Expired", not 421.
    ("4-4-7", "550", "4.4.7", "Message Expired in Queue", True),
    # Exchange Online's 5.1.8 is "Access denied, bad outbound sender", sent as 550.
    ("5-1-8", "550", "5.1.8", "Bad Outbound Sender (Sender Restricted)", True),
    ("5-7-8", "535", "5.7.8", "Authentication Credentials Invalid", True),
    ("5-1-1", "550", "5.1.1", "Mailbox Does Not Exist", True),
    ("5-2-1", "550", "5.2.1", "Mailbox Disabled", True),
    ("5-4-1", "550", "5.4.1", "Recipient Address Rejected", True),
    ("5-7-1", "550", "5.7.1", "Message Rejected by Policy", True),
    # Microsoft documents 5.7.13 as a public folder refusing unauthenticated senders.
    ("5-7-13", "550", "5.7.13", "Public Folder Rejects Unauthenticated Sender", True),
    ("5-7-14", "550", "5.7.14", "Trust Relationship Required", True),
    ("5-7-26", "550", "5.7.26", "DMARC Policy Violation", True),
    # "550 5.2.3 RESOLVER.RST.RecipSizeLimit" is what Exchange Online sends.
    ("5-2-3", "550", "5.2.3", "Message Too Large for Recipient", True),
    ("5-3-4", "552", "5.3.4", "Message Too Big for System", True),
    # Microsoft documents no DMARC deferral under 4.7.1.
    ("4-7-1", "451", "4.7.1", "Temporary Policy or Throttling Deferral", False),
    ("5-2-4", "550", "5.2.4", "Mailing List Expansion Problem", False),
]


@pytest.mark.parametrize("slug, reply, status, title, critical", SEED_CODES)
def test_every_seed_code_is_shipped_as_listed(slug, reply, status, title, critical):
    code = ErrorCode.objects.get(slug=slug)
    assert (code.reply_code, code.status, code.title) == (reply, status, title)
    assert code.is_critical is critical
    assert code.provider.slug == "microsoft365"


def word_count(markdown: str) -> int:
    return len(markdown.split())


@pytest.mark.parametrize("slug", [row[0] for row in SEED_CODES])
def test_every_code_has_a_full_explanation_and_fix(slug):
    code = ErrorCode.objects.get(slug=slug)
    assert word_count(code.explanation_md) >= 150, "explanation too short"
    assert word_count(code.fix_md) >= 60, "fix too short"
    assert code.microsoft_behaviour.strip()
    assert code.example_bounce.strip()
    # The example shows the code itself or one the entry also covers (5.7.14's
    # example is the 5.7.139 that Microsoft really sends).
    covered = [code.status, *code.also_matches.replace("-", " ").split()]
    covered += re.findall(r"\b[45]\.\d\.\d{1,3}\b", code.microsoft_behaviour)
    assert any(status in code.example_bounce for status in covered)
    assert code.who_can_fix, "someone must be able to fix it"
    assert code.area in ErrorCode.Area.values
    assert "<ol>" in code.fix_html, "fix steps are a numbered list"


def test_codes_are_unique_and_slugs_follow_the_status():
    codes = list(ErrorCode.objects.all())
    assert len({(c.status, c.variant) for c in codes}) == len(codes)
    for code in codes:
        assert code.slug.startswith(code.status.replace(".", "-"))
        assert code.reply_code.isdigit() and len(code.reply_code) == 3
        assert code.reply_code[0] in "45"


def test_seed_corrections_from_microsofts_documentation_are_made():
    assert "Directory-Based Edge Blocking" in ErrorCode.objects.get(slug="5-4-1").explanation_md
    assert "5.7.509" in ErrorCode.objects.get(slug="5-7-26").explanation_md
    assert "public folder" in ErrorCode.objects.get(slug="5-7-13").microsoft_behaviour
    assert "550 4.4.7 QUEUE.Expired" in ErrorCode.objects.get(slug="4-4-7").microsoft_behaviour
    basic_auth = ErrorCode.objects.get(slug="5-7-14")
    assert "5.7.139" in basic_auth.explanation_md + basic_auth.microsoft_behaviour
    assert "5.7.57" in basic_auth.explanation_md + basic_auth.fix_md


def test_components_tools_faq_and_provider_are_shipped():
    assert list(Component.objects.values_list("name", flat=True))[:4] == [
        "RESOLVER",
        "STOREDRV",
        "QUEUE",
        "FilteringService",
    ]
    assert list(SenderTool.objects.values_list("name", "url")) == [
        ("Delist Portal", "https://sender.office.com/"),
        (
            "SNDS (Smart Network Data Services)",
            "https://sendersupport.olc.protection.outlook.com/snds/",
        ),
    ]
    assert FaqEntry.objects.count() == 4
    assert all(faq.answer_html for faq in FaqEntry.objects.all())
    provider = Provider.objects.get()
    assert provider.mx_pattern == "*.mail.protection.outlook.com"
    assert "STOREDRV.Deliver.Exception:QuotaExceededException" in provider.example_diagnostic


def test_related_codes_point_at_other_codes():
    for code in ErrorCode.objects.prefetch_related("related"):
        assert code not in code.related.all()


# The directory beyond the seed page (issue 5).


def test_the_directory_has_sixty_complete_entries():
    codes = list(ErrorCode.objects.all())
    assert len(codes) >= 60
    for code in codes:
        assert len(code.explanation_md.split()) >= 150, code.slug
        assert "<ol>" in code.fix_html, code.slug
        assert code.example_bounce and code.microsoft_behaviour and code.who_can_fix, code.slug


@pytest.mark.parametrize(
    "status",
    ["4.3.2", "4.4.316", "4.7.26", "4.7.650", "4.7.651", "5.0.350", "5.1.0", "5.1.10", "5.1.90",
     "5.2.2", "5.2.121", "5.2.122", "5.3.190", "5.4.6", "5.4.14", "5.4.300", "5.4.310", "5.4.312",
     "5.4.316", "5.6.11", "5.7.12", "5.7.124", "5.7.129", "5.7.133", "5.7.134", "5.7.135",
     "5.7.136", "5.7.139", "5.7.23", "5.7.25", "5.7.57", "5.7.64", "5.7.501", "5.7.509",
     "5.7.515", "5.7.520", "5.7.606", "5.7.703", "5.7.705", "5.7.708", "5.7.750", "5.5.0"],
)  # fmt: skip
def test_every_code_microsoft_documents_has_an_entry(status):
    assert ErrorCode.objects.filter(status=status, variant="").exists()


@pytest.mark.parametrize(
    "status, evidence, slug",
    [
        ("5.7.620", "", "5-7-606"),  # inside the banned-IP range
        ("4.7.610", "", "4-7-500"),  # inside the throttling range
        ("5.4.9", "", "5-4-6"),
        ("5.7.1", "(S3150)", "5-7-1-s3150"),
        ("5.7.1", "Client host [192.0.2.1] blocked using Spamhaus", "5-7-1-spamhaus"),
        ("5.7.1", "RESOLVER.RST.AuthRequired; authentication required", "5-7-1-group-auth"),
        ("5.7.1", "Delivery not authorized", "5-7-1"),
    ],
)
def test_lookup_picks_the_most_specific_entry(status, evidence, slug):
    from errorcodes.lookup import EntryIndex

    assert EntryIndex.load()(status, None, None, evidence) == slug


def test_exception_and_antispam_tables_point_at_entries():
    assert ExceptionIdentifier.objects.count() >= 30
    assert AntispamRule.objects.count() >= 10
    for row in [*ExceptionIdentifier.objects.all(), *AntispamRule.objects.all()]:
        assert row.entry is not None, row
    for identifier in (
        "RESOLVER.ADR.RecipientNotFound",
        "RESOLVER.RST.AuthRequired",
        "STOREDRV.Deliver.Exception:QuotaExceededException",
        "QUEUE.Expired",
        "SMTPSEND.DNS.NonExistentDomain",
        "TRANSPORT.RULES.RejectMessage",
    ):
        assert ExceptionIdentifier.objects.filter(identifier=identifier).exists()
