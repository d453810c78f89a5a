"""The versioned JSON Schema of the decoder's JSON Lines output.

Each line carries ``"schema": SCHEMA_VERSION``; the schema itself
(``data/output.schema.json``) states the same ``schema_version`` and ends its
``$id`` with it. Adding a field bumps the minor number; removing, renaming or
changing the meaning of one bumps the major number. The test suite validates
real output against the schema, so a new field fails it until the schema (and
its version) follow.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

SCHEMA_VERSION = "1.1"
# Beside the other data files (importlib.resources would cost the CLI 20 ms to import).
# A plain path: pathlib would cost the command line 3 ms.
SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "data", "output.schema.json")


def schema_text() -> str:
    """Return the schema as stored (JSON text)."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return handle.read()


@cache
def schema() -> dict[str, Any]:
    """Return the schema as a dict."""
    return json.loads(schema_text())
