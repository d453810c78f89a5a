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
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1.0"
# Beside the other data files (importlib.resources would cost the CLI 20 ms to import).
SCHEMA_PATH = Path(__file__).with_name("data") / "output.schema.json"


def schema_text() -> str:
    """Return the schema as stored (JSON text)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


@cache
def schema() -> dict[str, Any]:
    """Return the schema as a dict."""
    return json.loads(schema_text())
