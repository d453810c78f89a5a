"""Every Microsoft-family status, in the shared corpus and in our own samples, lands on
a directory entry."""

import json
import re
from pathlib import Path

import pytest

from errorcodes.diagnosis import diagnose
from errorcodes.ndr import decode

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS.parent / ".." / "shared" / "corpus" / "sisimai"
SAMPLES = TESTS / "ndr" / "samples"

MICROSOFT_SYSTEMS = {"microsoft365", "exchange", "outlook.com"}
# A reply relayed by another system still comes from Microsoft when a Microsoft host
# or an Exchange component wrote it.
MICROSOFT_TEXT = re.compile(
    r"\b(?i:outlook\.com|hotmail\.com|live\.com)\b|\b(?:STOREDRV|RESOLVER|QUEUE|SMTPSEND|CAT)\.[A-Z]"
)

pytestmark = pytest.mark.django_db


def microsoft_files():
    if not CORPUS.exists():
        return []
    expected = json.loads((CORPUS / "expected.json").read_text())
    return [row["file"] for row in expected if row.get("microsoft")]


def is_microsoft(result, recipient) -> bool:
    where = f"{recipient.remote_mta or ''} {recipient.diagnostic or ''}"
    return result.provider in MICROSOFT_SYSTEMS or bool(MICROSOFT_TEXT.search(where))


def unexplained_microsoft_statuses(paths) -> list[tuple[str, str]]:
    missing = []
    for path in paths:
        result = decode(path.read_bytes())
        for diagnosis in diagnose(result).recipients:
            recipient = diagnosis.recipient
            if recipient.status and is_microsoft(result, recipient) and diagnosis.entry is None:
                missing.append((path.name, recipient.status))
    return missing


@pytest.mark.skipif(not CORPUS.exists(), reason=f"no shared corpus at {CORPUS}")
@pytest.mark.parametrize("name", microsoft_files())
def test_microsoft_bounce_gets_a_directory_entry(name):
    report = diagnose(decode((CORPUS / "emails" / name).read_bytes()))
    assert report.recipients
    for diagnosis in report.recipients:
        assert diagnosis.entry is not None, diagnosis.recipient.status


@pytest.mark.skipif(not CORPUS.exists(), reason=f"no shared corpus at {CORPUS}")
def test_every_microsoft_status_in_the_corpus_resolves_to_an_entry():
    # Includes other systems' reports quoting a Microsoft server (lhost-postfix-47: a
    # bare "554 Transaction failed" from a Hotmail MX, status 5.0.0).
    assert unexplained_microsoft_statuses(sorted((CORPUS / "emails").iterdir())) == []


def test_every_microsoft_status_in_our_samples_resolves_to_an_entry():
    paths = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    assert len(paths) > 100
    assert unexplained_microsoft_statuses(paths) == []
