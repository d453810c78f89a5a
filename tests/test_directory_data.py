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
# them, corrected where Microsoft's documentation says otherwise.  "Critical" follows
# the README's rule (common and blocks all mail), not the seed page's tiers.
SEED_CODES = [
    # Exchange Online's final NDR reads "550 4.4.7 QUEUE.Expired", not 421.
    ("4-4-7", "550", "4.4.7", "Message Expired in Queue", True),
    # Exchange Online's 5.1.8 is "Access denied, bad outbound sender", sent as 550.
    ("5-1-8", "550", "5.1.8", "Bad Outbound Sender (Sender Restricted)", True),
    # Gmail's code; Microsoft 365 answers a wrong password with 535 5.7.3.
    ("5-7-8", "535", "5.7.8", "Authentication Credentials Invalid", False),
    ("5-1-1", "550", "5.1.1", "Mailbox Does Not Exist", True),
    # From Microsoft, 5.2.1 is mostly the IPv6 refusal; disabled mailboxes give 5.1.10.
    ("5-2-1", "550", "5.2.1", "Mailbox Disabled", False),
    ("5-4-1", "550", "5.4.1", "Recipient Address Rejected", True),
    ("5-7-1", "550", "5.7.1", "Message Rejected by Policy", True),
    # Microsoft documents 5.7.13 as a public folder refusing unauthenticated senders.
    ("5-7-13", "550", "5.7.13", "Public Folder Rejects Unauthenticated Sender", False),
    ("5-7-14", "550", "5.7.14", "Trust Relationship Required", False),
    # Exchange Online rejects DMARC failures with 5.7.509; 5.7.26 is Gmail's.
    ("5-7-26", "550", "5.7.26", "DMARC Policy Violation", False),
    # "550 5.2.3 RESOLVER.RST.RecipSizeLimit" is what Exchange Online sends.
    ("5-2-3", "550", "5.2.3", "Message Too Large for Recipient", False),
    ("5-3-4", "552", "5.3.4", "Message Too Big for System", False),
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


# Statuses Microsoft documents or real Microsoft bounces carry (issue 11 added the
# tenant limits, direct send, DANE/MTA-STS, store driver and Exchange Server ones).
MICROSOFT_STATUSES = [
    "4.3.1", "4.3.2", "4.4.0", "4.4.1", "4.4.2", "4.4.7", "4.4.8", "4.4.312", "4.4.316",
    "4.4.317", "4.5.3", "4.7.0", "4.7.5", "4.7.26", "4.7.321", "4.7.325", "4.7.500", "4.7.650",
    "4.7.651", "4.7.700", "4.7.850", "5.0.0", "5.0.350", "5.1.0", "5.1.3", "5.1.10", "5.1.20",
    "5.1.90", "5.2.0", "5.2.2", "5.2.121", "5.2.122", "5.3.190", "5.4.6", "5.4.14", "5.4.300",
    "5.4.310", "5.4.312", "5.4.316", "5.4.317", "5.5.0", "5.6.0", "5.6.11", "5.7.5", "5.7.12",
    "5.7.13", "5.7.30", "5.7.60", "5.7.68", "5.7.124", "5.7.129", "5.7.133", "5.7.134",
    "5.7.135", "5.7.136", "5.7.139", "5.7.193", "5.7.23", "5.7.25", "5.7.57", "5.7.64",
    "5.7.232", "5.7.233", "5.7.236", "5.7.321", "5.7.322", "5.7.323", "5.7.324", "5.7.325",
    "5.7.367", "5.7.501", "5.7.505", "5.7.506", "5.7.507", "5.7.508", "5.7.509", "5.7.512",
    "5.7.513", "5.7.515", "5.7.520", "5.7.606", "5.7.703", "5.7.705", "5.7.708", "5.7.750",
    "5.7.800",
]  # fmt: skip


@pytest.mark.parametrize("status", MICROSOFT_STATUSES)
def test_every_code_microsoft_documents_has_an_entry_that_names_it(status):
    from errorcodes.lookup import EntryIndex

    slug = EntryIndex.load()(status)
    assert slug, status
    assert status in _claims(ErrorCode.objects.get(slug=slug)), (status, slug)


@pytest.mark.parametrize(
    "old, new",
    [("5-7-133", "5-7-12"), ("5-7-135", "5-7-13"), ("4-7-651", "4-7-650"),
     ("5-7-1-s3140", "5-7-1-s3150")],
)  # fmt: skip
def test_merged_entries_leave_a_redirect(client, old, new):
    response = client.get(f"/codes/{old}/")
    assert response.status_code == 301
    assert response["Location"] == f"/codes/{new}/"
    assert not ErrorCode.objects.filter(slug=old).exists()


@pytest.mark.parametrize(
    "status, exception, rule, evidence, slug",
    [
        # Microsoft's table puts 5.7.30 with the SMTP AUTH refusals, not with RFC 4468's 5.7.14.
        (
            "5.7.30",
            None,
            None,
            "Basic authentication is not supported for Client Submission",
            "5-7-139",
        ),
        ("5.5.3", "RESOLVER.ADR.RecipLimit", None, "", "4-5-3"),
        ("5.2.0", "STOREDRV.Submission.Exception:SendAsDeniedException", None, "", "5-7-60"),
        ("5.6.0", "CAT.InvalidContent.Exception", None, "InvalidCharsetException", "5-6-0"),
        ("5.2.0", "STOREDRV.Deliver.Exception:ObjectNotFoundException", None, "", "5-2-0"),
        (
            "5.2.0",
            None,
            None,
            "STOREDRV.Submission.Exception:SomethingNew",
            "5-2-0-storedrv-submission",
        ),
        ("5.7.1", None, "S3140", "part of their network is on our block list", "5-7-1-s3150"),
        ("4.7.651", None, "S844", "rate limited due to IP reputation", "4-7-650"),
    ],
)
def test_corrected_mappings(status, exception, rule, evidence, slug):
    from errorcodes.lookup import EntryIndex

    assert EntryIndex.load()(status, exception, rule, evidence) == slug


def test_bare_linefeed_exception_names_the_status_its_entry_explains():
    row = ExceptionIdentifier.objects.get(identifier="SMTPSEND.BareLinefeedsAreIllegal")
    assert "5.6.11" in row.statuses and "5.6.2" not in row.statuses
    assert row.entry.status == "5.6.11"


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


def _claims(code: ErrorCode) -> set[str]:
    """Every status an entry answers for: its own and the codes and ranges it also covers."""
    claimed = {code.status}
    for token in code.also_matches.split():
        first, _, last = token.partition("-")
        if not last:
            claimed.add(first)
            continue
        prefix, _, low = first.rpartition(".")
        high = last.rpartition(".")[2]
        claimed |= {f"{prefix}.{n}" for n in range(int(low), int(high) + 1)}
    return claimed


def test_no_status_or_token_is_claimed_by_two_entries():
    owners: dict[tuple[str, str], str] = {}
    clashes = []
    for code in ErrorCode.objects.all():
        for status in _claims(code):
            key = (status, code.variant)
            if key in owners and owners[key] != code.slug:
                clashes.append((status, code.variant, owners[key], code.slug))
            owners[key] = code.slug
    assert clashes == []


def test_tier_one_is_the_common_codes_that_block_all_mail():
    for code in ErrorCode.objects.all():
        rule = code.frequency == "common" and code.impact == "blocks_all"
        assert code.is_critical is rule, code.slug
    critical = ErrorCode.objects.filter(tier=ErrorCode.Tier.CRITICAL).count()
    assert 0 < critical < ErrorCode.objects.count() / 3


def test_every_entry_shows_its_sources_and_date():
    for code in ErrorCode.objects.prefetch_related("sources"):
        assert code.checked_on, code.slug
        if code.basis != ErrorCode.Basis.OBSERVED:
            assert code.sources.exists(), code.slug
        for source in code.sources.all():
            assert source.url.startswith("https://"), source.url


def _text(slug: str) -> str:
    code = ErrorCode.objects.get(slug=slug)
    return f"{code.microsoft_behaviour}\n{code.explanation_md}\n{code.fix_md}"


def test_corrections_checked_against_microsofts_documentation_are_made():
    assert "5.7.9" in _text("5-7-26") and "Yahoo" in _text("5-7-26")
    assert "does not accept email over IPv6" in _text("5-2-1")
    assert "used to be" not in _text("4-7-26")
    assert "535 5.7.3 Authentication unsuccessful" in _text("5-7-3")
    assert "MapiExceptionMaxObjsExceeded" in _text("4-3-2")
    assert "support" in _text("5-7-750").lower()
    assert "5.7.68" in _text("5-7-57")
    assert "disabled account" not in ErrorCode.objects.get(slug="5-7-12").explanation_md
    # Gmail's incoming limit is 50 MB on both size pages.
    assert "50 MB" in _text("5-3-4") and "50 MB" in _text("5-2-3")
    assert "20 or more" in AntispamRule.objects.get(pattern="AS345").meaning
    delist = SenderTool.objects.get(name="Delist Portal").purpose
    assert "confirmation link" in delist
    assert "**sending** side" in Provider.objects.get().identify_md
