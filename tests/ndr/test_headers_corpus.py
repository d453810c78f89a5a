"""The shared corpus's authentication and anti-spam headers are all explained.

Every Authentication-Results (and ARC-, -Original) and X-Forefront-Antispam-Report
/ X-Microsoft-Antispam header anywhere in the corpus messages (their own
headers, attached messages, text/rfc822-headers parts, headers quoted in a
body, quoted-printable undone) is read, each Authentication-Results must parse
with authres after the documented repairs, and any method, result, property
or anti-spam field and value the tables (data/authentication.json,
data/antispam.json) do not explain is listed, so the tables grow.  The corpus
is read where it lies, never copied.
"""

import re

import pytest

from errorcodes.ndr import decode, mime
from errorcodes.ndr.failures import strict
from errorcodes.ndr.headers import antispam, auth
from errorcodes.ndr.headers.block import Header, as_text
from errorcodes.ndr.source import normalize_newlines

from .conftest import CORPUS

FILES = sorted((CORPUS / "emails").glob("*.eml")) if (CORPUS / "emails").exists() else []
pytestmark = pytest.mark.skipif(not FILES, reason="the shared corpus is not beside the repository")

NAMES_RE = re.compile(
    r"(?:(?:arc-|x-original-)?authentication-results(?:-original)?"
    r"|x-forefront-antispam-report(?:-untrusted)?|x-microsoft-antispam(?:-untrusted)?)",
    re.I,
)
# Header lines inside a body (a text/rfc822-headers part, headers quoted in a report).
HEADER_LINE_RE = re.compile(r"^([!-9;-~]+):[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)", re.M)


def every_header(part: mime.Part, found: list[tuple[str, str]], depth: int = 0) -> None:
    found.extend(part.headers)
    if depth > 8:
        return
    if isinstance(part.body, list):
        for sub in part.body:
            every_header(sub, found, depth + 1)
    else:
        text = part.body_bytes().decode("utf-8", "replace")
        found.extend(match.groups() for match in HEADER_LINE_RE.finditer(text))


def corpus_headers() -> list[tuple[str, str, str]]:
    """(file, name, value) of every authentication and anti-spam header, once each."""
    seen: set[tuple[str, str]] = set()
    headers = []
    for path in FILES:
        raw = normalize_newlines(path.read_bytes())
        found: list[tuple[str, str]] = []
        every_header(mime.parse(raw.decode("ascii", "surrogateescape")), found)
        for name, value in found:
            if NAMES_RE.fullmatch(name) and (name.lower(), value) not in seen:
                seen.add((name.lower(), value))
                headers.append((path.name, name, as_text(value)))
    return headers


def test_every_authentication_and_antispam_header_of_the_corpus_is_explained():
    headers = corpus_headers()
    stamps = [h for h in headers if "authentication-results" in h[1].lower()]
    reports = [h for h in headers if "antispam" in h[1].lower()]
    assert len(stamps) >= 100 and len(reports) >= 20
    unexplained: list[str] = []
    for file, name, value in stamps:
        results, parsed, _ = auth.read_header(Header(0, name, value))
        if not parsed:
            unexplained.append(f"{file}: {name} not parsed by authres: {value[:200]}")
        for res in results:
            unexplained += [f"{file}: {name}: {token}" for token in auth.unknown_tokens(res)]
    for file, name, value in reports:
        for item in " ".join(value.split()).split(";"):
            field, colon, val = item.partition(":")
            if not field.strip() and not colon:
                continue
            described = antispam.describe(field.strip(), val.strip())
            if not described.known:
                unexplained.append(f"{file}: {name}: {field.strip()}:{val.strip()[:40]}")
    assert not unexplained, "\n".join(unexplained)


def test_the_corpus_decodes_with_the_analysis_and_no_failure():
    analysed = 0
    for path in FILES:
        with strict():
            result = decode(path.read_bytes())
        if result.analysis is not None:
            analysed += 1
            assert result.analysis.source in ("original headers", "pasted headers")
            for res in result.analysis.authentication:
                assert res.known, (path.name, res.method, res.result, auth.unknown_tokens(res))
    assert analysed >= 200
