"""Every Microsoft-family bounce of the shared corpus lands on a directory entry."""

import json
from pathlib import Path

import pytest

from errorcodes.diagnosis import diagnose
from errorcodes.ndr import decode

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "sisimai"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CORPUS.exists(), reason=f"no shared corpus at {CORPUS}"),
]


def microsoft_files():
    if not CORPUS.exists():
        return []
    expected = json.loads((CORPUS / "expected.json").read_text())
    return [row["file"] for row in expected if row.get("microsoft")]


@pytest.mark.parametrize("name", microsoft_files())
def test_microsoft_bounce_gets_a_directory_entry(name):
    report = diagnose(decode((CORPUS / "emails" / name).read_bytes()))
    assert report.recipients
    for diagnosis in report.recipients:
        assert diagnosis.entry is not None, diagnosis.recipient.status
