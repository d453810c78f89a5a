"""Microsoft's anti-spam stamps, every field and value in words (data/antispam.json).

Read: X-Forefront-Antispam-Report (SCL, SFV, CAT, IPV, CIP, ...),
X-Microsoft-Antispam (BCL, PCL), X-MS-Exchange-Organization-SCL and -PCL, and
X-Microsoft-Antispam-Mailbox-Delivery (the folder it was filed in).  The
"-Untrusted" copies Microsoft makes of an earlier organisation's stamps are
read and shown, not trusted.  The topmost trusted value of each field is the
one that counts.  A field or value the table does not have is kept, flagged
``known: false``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..statuscodes import data_path, load_json
from .block import HeaderBlock
from .model import Antispam, AntispamField

DATA = data_path("antispam.json")
# Fields read per header (SFS alone can list a hundred rule numbers, in one field).
MAX_FIELDS = 200
# Header occurrences read per name.
MAX_OCCURRENCES = 5
# The main values: attribute of Antispam -> field, and whether it is a number.
MAIN = {
    "scl": ("SCL", True),
    "bcl": ("BCL", True),
    "pcl": ("PCL", True),
    "sfv": ("SFV", False),
    "cat": ("CAT", False),
    "ipv": ("IPV", False),
    "srv": ("SRV", False),
    "direction": ("DIR", False),
    "sfty": ("SFTY", False),
    "cip": ("CIP", False),
    "country": ("CTRY", False),
    "language": ("LANG", False),
    "ptr": ("PTR", False),
    "helo": ("H", False),
    "destination": ("dest", False),
}


@cache
def table() -> dict[str, Any]:
    """The headers, fields and values (data/antispam.json)."""
    data = load_json(DATA)
    # Field names as written vary in case ("UriScan", "uriscan"): look up lower-case.
    data["by_lower"] = {name.lower(): name for name in data["fields"]}
    return data


def read(block: HeaderBlock) -> Antispam | None:
    """Every anti-spam field of the block; None when there is no such header."""
    data = table()
    wanted = [name for name in data["headers"] if block.all(name)]
    if not wanted:
        return None
    found = Antispam()
    main: dict[str, AntispamField] = {}
    for header in sorted(
        (h for name in wanted for h in block.all(name)[:MAX_OCCURRENCES]), key=lambda h: h.index
    ):
        about = data["headers"][header.lname]
        trusted = not about.get("untrusted", False)
        value = header.value()
        if "field" in about:
            pairs = [(about["field"], value.strip())]
        else:
            pairs = []
            for item in value.split(";", MAX_FIELDS)[:MAX_FIELDS]:
                name, colon, val = item.partition(":")
                name = name.strip()
                if name or colon:
                    pairs.append((name, val.strip()))
        for name, val in pairs:
            item = describe(name, val)
            item.header = header.name
            item.trusted = trusted
            item.span = header.span(f"{name}:{val}" if "field" not in about else "")
            found.fields.append(item)
            if trusted:
                main.setdefault(item.field, item)
        if trusted and found.span is None and header.lname == "x-forefront-antispam-report":
            found.span = header.span()
    for attribute, (field_name, numeric) in MAIN.items():
        item = main.get(field_name)
        if item is None or item.value == "":
            continue
        setattr(found, attribute, _number(item.value) if numeric else item.value)
    return found


def describe(name: str, value: str) -> AntispamField:
    """One field:value in words (the header and trust are set by the caller)."""
    data = table()
    key = data["by_lower"].get(name.lower())
    spec = data["fields"].get(key) if key else None
    item = AntispamField(header="", field=key or name, value=value)
    if spec is None:
        return item  # unknown field: kept as written, known false
    item.name = spec["name"]
    kind = spec["kind"]
    if value == "" or kind in ("free", "diagnostic"):
        item.meaning = spec["about"] if value or kind == "diagnostic" else None
        item.known = True
    elif kind == "enum":
        values = spec["values"]
        meaning = values.get(value) or values.get(value.upper())
        item.meaning, item.known = meaning, meaning is not None
    elif kind == "level":
        number = _number(value)
        level = next(
            (
                lv
                for lv in spec["levels"]
                if number is not None and lv["min"] <= number <= lv["max"]
            ),
            None,
        )
        item.meaning, item.known = (level["meaning"], True) if level else (None, False)
    return item


def _number(value: str) -> int | None:
    value = value.strip()
    digits = value[1:] if value[:1] == "-" else value
    if digits.isascii() and digits.isdigit() and len(digits) < 6:
        return int(value)
    return None
