"""Nothing of a decoded input stays in the process once decode() has returned."""

import importlib
import inspect
import pkgutil

import errorcodes.ndr as ndr
from errorcodes.ndr import decode, memo

MARKER = "zq-kept-9731"
# Cached functions whose argument comes from the code, not the input.
DATA_LOADERS = {"errorcodes.ndr.statuscodes.reply_statuses"}  # a table's column name


def bounce() -> str:
    return f"""From: postmaster@outlook.com
Subject: Undeliverable: hello
Content-Type: text/plain

Delivery has failed to these recipients or groups:

{MARKER}@example.org
The email address you entered couldn't be found.

Diagnostic information for administrators:
Remote server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound;
 Recipient {MARKER}@example.org not found by SMTP address lookup'

Original message headers:

Authentication-Results: spf=fail (sender IP is 192.0.2.1)
 smtp.mailfrom={MARKER}.example.net; dkim=none (message not signed)
 header.d=none;dmarc=fail action=quarantine
 header.from={MARKER}.example.net;compauth=fail reason=000
From: {MARKER}@{MARKER}.example.net
Received: from mail.{MARKER}.example.net (192.0.2.1) by mx.example.org;
 Mon, 30 Nov 2026 10:00:00 +0000
"""


def memoised_functions():
    """Every functools cache of the decoder's modules, by name."""
    for info in pkgutil.walk_packages(ndr.__path__, "errorcodes.ndr."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if hasattr(obj, "cache_info") and obj.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", obj


def test_memos_of_the_input_are_empty_once_decode_returns():
    result = decode(bounce())
    assert result.recipients[0].address == f"{MARKER}@example.org"
    assert result.analysis is not None and result.analysis.authentication
    del result
    # A cache may hold a data file (a function of no arguments, or of a name the code
    # gives), nothing of the input.
    kept = [
        name
        for name, cached in memoised_functions()
        if cached.cache_info().currsize
        and inspect.signature(cached.__wrapped__).parameters
        and name not in DATA_LOADERS
    ]
    assert kept == []
    assert len(memo._MEMOS) >= 6
