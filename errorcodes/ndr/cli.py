"""Command-line front end: decode files to JSON Lines or a readable diagnosis."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import sys
from collections.abc import Callable
from typing import IO

from .decoder import decode
from .result import DecodeResult, Recipient
from .statuscodes import describe_reply, describe_status, lookup_status, reason_table

# Maps (status, exception, anti-spam rule, diagnostic) of a recipient to an entry slug.
EntryLookup = Callable[[str | None, str | None, str | None, str | None], str | None]
# From this many files on, decode in worker processes (one per CPU); below it,
# starting the workers costs more than it saves.
PARALLEL_FROM = 100
# Set before the workers fork, so they inherit it instead of receiving a pickle.
_JOB: dict = {}


def run(
    paths: list[str],
    fmt: str = "json",
    entry_lookup: EntryLookup | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Decode every path ("-" is standard input); return 0, or 1 if any file was unreadable."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    failed = False
    _JOB.update(fmt=fmt, lookup=entry_lookup)
    for output, error in _outputs(paths):
        if error:
            err.write(error)
            failed = True
        else:
            out.write(output)
    out.flush()
    return 1 if failed else 0


def _outputs(paths: list[str]):
    """Yield (output, error) per path, in order; in parallel for long file lists."""
    cpus = os.cpu_count() or 1
    use_pool = (
        len(paths) >= PARALLEL_FROM
        and cpus > 1
        and "-" not in paths
        and "fork" in multiprocessing.get_all_start_methods()
    )
    if not use_pool:
        yield from map(_one, paths)
        return
    # Everything loaded so far lives as long as the process: moving it out of the
    # collector's reach spares every worker's collections from walking it (and
    # keeps the pages the workers share with this process unwritten).
    gc.freeze()
    with multiprocessing.get_context("fork").Pool(cpus) as pool:
        yield from pool.imap(_one, paths, chunksize=32)


def _one(path: str) -> tuple[str, str | None]:
    """Decode one file into its output text, or return the error line."""
    try:
        data = _read(path)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return "", f"decode: cannot read {path}: {reason}\n"
    result = decode(data)
    lookup = _JOB.get("lookup")
    if _JOB.get("fmt") == "text":
        return format_text(path, result, lookup), None
    return json.dumps(as_json(path, result, lookup), ensure_ascii=False) + "\n", None


def _read(path: str) -> bytes:
    if path == "-":
        return (
            sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        )
    with open(path, "rb") as handle:
        return handle.read()


def _entry(lookup: EntryLookup | None, rcpt: Recipient) -> str | None:
    if lookup is None:
        return None
    try:
        status = lookup_status(rcpt.status, rcpt.status_inferred, rcpt.reason)
        return lookup(status, rcpt.exception, rcpt.antispam_rule, rcpt.diagnostic)
    except Exception:  # a lookup problem must not lose the diagnosis
        return None


def as_json(path: str, result: DecodeResult, lookup: EntryLookup | None = None) -> dict:
    """Return the JSON Lines object for one file."""
    data = {"file": path, **result.to_dict()}
    for rcpt_dict, rcpt in zip(data["recipients"], result.recipients, strict=True):
        rcpt_dict["entry"] = _entry(lookup, rcpt)
    return data


def format_text(path: str, result: DecodeResult, lookup: EntryLookup | None = None) -> str:
    """Return a readable diagnosis, one paragraph per recipient."""
    lines = [f"== {path}"]
    if not result.is_bounce:
        lines.append("Not a bounce (no delivery failure found).")
        return "\n".join(lines) + "\n\n"
    lines.append(
        f"Bounce from {result.provider or 'an unknown system'}"
        + (f", reported by {result.reporting_mta}" if result.reporting_mta else "")
        + (f" ({result.layout} layout)" if result.layout else "")
    )
    if result.original.subject:
        lines.append(f"Original subject: {result.original.subject}")
    for rcpt in result.recipients:
        lines.append("")
        lines.append(f"Recipient: {rcpt.address or '(not named)'}")
        status = rcpt.status or "?"
        info = describe_status(rcpt.status, result.provider) if rcpt.status else None
        inferred = " (inferred from the wording)" if rcpt.status_inferred else ""
        lines.append(f"  Status: {status}{inferred}" + (f" - {info.title}" if info else ""))
        if rcpt.reply_code:
            reply = describe_reply(rcpt.reply_code)
            lines.append(
                f"  Reply code: {rcpt.reply_code}" + (f" - {reply.title}" if reply else "")
            )
        kind = "permanent" if rcpt.permanent else "temporary"
        if rcpt.action == "delayed":
            kind += ", still being retried"
        advice = "remove the address from your lists" if rcpt.hard_bounce else "keep the address"
        lines.append(
            f"  Failure: {kind}; hard bounce: {'yes' if rcpt.hard_bounce else 'no'} ({advice})"
        )
        if rcpt.reason and (meaning := reason_table().get(rcpt.reason)):
            lines.append(f"  Reason: {rcpt.reason} ({meaning[1]})")
        for name, label in (
            ("status", "Status read from"),
            ("hard_bounce", "Hard bounce read from"),
        ):
            if (item := rcpt.evidence.get(name)) and item.text:
                lines.append(f"  {label}: {item.text!r} ({item.basis})")
        for label, value in (
            ("Address as sent", rcpt.original_address),
            ("Component", rcpt.component),
            ("Exception", rcpt.exception),
            ("Anti-spam rule", rcpt.antispam_rule),
            ("Remote server", rcpt.remote_mta),
            ("Server said", rcpt.diagnostic),
            ("Directory entry", _entry(lookup, rcpt)),
        ):
            if value:
                lines.append(f"  {label}: {value}")
        if info:
            lines.append(f"  Meaning: {info.description}")
    for hop in result.hops:
        lines.append(
            f"  Hop {hop.index}: {hop.time} {hop.from_server} -> {hop.to_server}"
            + (f" ({hop.delay_seconds} s)" if hop.delay_seconds is not None else "")
        )
    return "\n".join(lines) + "\n\n"
