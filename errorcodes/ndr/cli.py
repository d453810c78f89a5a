"""Command-line front end: decode files and mailboxes to JSON Lines, CSV, text or a list.

``bounce-decoder decode [--format json|csv|text] [--only hard] FILE...`` (also
``python -m errorcodes.ndr decode``) imports nothing from Django; ``manage.py
decode`` runs the same ``run()`` with the directory's entry lookup.

Inputs are whatever ``mailboxes.messages_from_paths`` reads (files, folders,
mbox, Maildir, zip, ``-``). Long jobs are decoded by forked worker processes,
a chunk of messages at a time, and printed in input order.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from types import SimpleNamespace
from typing import IO, TYPE_CHECKING

from . import mailboxes
from .decoder import decode
from .result import DecodeResult, Recipient
from .schema import SCHEMA_VERSION
from .statuscodes import describe_reply, describe_status, lookup_status, reason_table

if TYPE_CHECKING:
    import argparse

# Maps (status, exception, anti-spam rule, diagnostic) of a recipient to an entry slug.
EntryLookup = Callable[[str | None, str | None, str | None, str | None], str | None]
FORMATS = ("json", "csv", "text")
CSV_COLUMNS = (
    "file",
    "message",
    "address",
    "status",
    "reply_code",
    "action",
    "permanent",
    "hard_bounce",
    "reason",
    "provider",
    "entry",
)
# A cell starting with one of these is a formula to a spreadsheet (CSV injection):
# such cells get a leading single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# From this many messages (or PARALLEL_FROM_BYTES of them) on, decode in worker
# processes; below it, starting them costs more than it saves.
PARALLEL_FROM = 100
PARALLEL_FROM_BYTES = 4 << 20
# A worker gets this many messages (or bytes of messages) at a time: enough to make
# the hand-over cheap, few enough that the last chunks leave no core idle for long.
CHUNK_MESSAGES = 16
CHUNK_BYTES = 1 << 20
# Chunks handed out and not yet printed, per worker: bounds memory on an endless
# mbox while keeping every worker busy.
WINDOW_PER_WORKER = 4
# Set before the workers fork, so they inherit it instead of receiving a pickle.
_JOB: dict = {}

USAGE_EXAMPLES = """\
inputs: message files (.eml, .msg, .txt), mbox files, Maildir folders, plain
folders (searched recursively), .zip archives of messages, and - for standard input.

examples:
  bounce-decoder decode --format json bounces/*.eml > results.jsonl
  bounce-decoder decode --format csv ~/Maildir/.Bounces > bounces.csv
  bounce-decoder decode --only hard bounces.mbox >> suppress.txt
  bounce-decoder decode --schema

exit status: 0 every input was read, 1 some input could not be read, 2 usage error.
"""


def console() -> None:
    """The ``bounce-decoder`` console script and ``python -m errorcodes.ndr``: run, then exit.

    Exits with ``os._exit`` once the output is flushed: tearing down the
    interpreter (freeing every module and object one by one) would cost 8-10 ms,
    an eighth of decoding one file.
    """
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help (0), usage errors (2)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:  # Ctrl-C: the workers are stopped already
        code = 130
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = code or 1
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run it; return the exit status."""
    args = _plain_arguments(sys.argv[1:] if argv is None else argv) or _parse_arguments(argv)
    if args.schema:
        return print_schema(sys.stdout)
    return run(args.files, args.format, None, only=args.only, jobs=args.jobs)


def _plain_arguments(argv: list[str]) -> SimpleNamespace | None:
    """The arguments of a plain ``decode`` command line, read without argparse; else None.

    argparse and what it imports (shutil, gettext, locale) cost some 5 ms of a
    one-file run.  Read here: ``decode``, then ``--format X``, ``--only hard``,
    ``-j N`` / ``--jobs N`` (also ``--name=value``) and ``--schema``, with the
    files in one run (argparse rejects files on both sides of an option).
    Anything else (help, an abbreviation, a file named like an option, a usage
    error) goes to argparse, which gives the same namespace or its own message.
    """
    if not argv or argv[0] != "decode":
        return None
    args = SimpleNamespace(
        files=[], format=None, only=None, schema=False, jobs=None, default_format="json"
    )
    values = {"--format": FORMATS, "--only": ("hard",), "--jobs": None, "-j": None}
    files_ended = False
    at = 1
    while at < len(argv):
        word = argv[at]
        at += 1
        if word == "-" or not word.startswith("-"):
            if files_ended:
                return None
            args.files.append(word)
            continue
        if args.files:
            files_ended = True
        if word == "--schema":
            args.schema = True
            continue
        name, equals, value = word.partition("=")
        if name not in values or (equals and name == "-j"):
            return None
        if not equals:
            if at >= len(argv):
                return None
            value = argv[at]
            at += 1
        if value.startswith("-"):
            return None
        allowed = values[name]
        if allowed is not None:
            if value not in allowed:
                return None
            setattr(args, name[2:], value)
        else:
            try:
                args.jobs = int(value)
            except ValueError:
                return None
    if (args.only and args.format) or (args.jobs is not None and args.jobs < 1):
        return None
    if not args.files and not args.schema:
        return None
    args.format = args.format or args.default_format
    return args


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line read by argparse (with its help and usage errors)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="bounce-decoder",
        description="Decode bounce messages (NDRs): who failed, why, and whether to remove them.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub = commands.add_parser(
        "decode",
        help="decode bounce messages, mailboxes and archives",
        description="Decode bounce messages to JSON Lines, CSV, text, or the addresses to drop.",
        epilog=USAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(sub, default_format="json")
    args = parser.parse_args(argv)
    check_arguments(args, sub.error)
    return args


def add_arguments(parser: argparse.ArgumentParser, default_format: str) -> None:
    """Add the decode options to ``parser`` (shared with ``manage.py decode``)."""
    parser.add_argument("files", nargs="*", metavar="FILE", help="inputs; - is standard input")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help=f"json: one JSON object per message (JSON Lines); csv: one row per recipient; "
        f"text: a readable diagnosis (default: {default_format})",
    )
    parser.set_defaults(default_format=default_format)
    parser.add_argument(
        "--only",
        choices=("hard",),
        help="hard: print only the addresses to suppress (hard bounces), one per line, each once",
    )
    parser.add_argument(
        "--schema", action="store_true", help="print the JSON Schema of --format json and exit"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="worker processes for long jobs (default: one per CPU; 1: none)",
    )


def check_arguments(args: argparse.Namespace, error: Callable[[str], object]) -> None:
    """Settle the defaults of ``add_arguments``; call ``error`` (exits 2) on a bad mix."""
    if args.only and args.format:
        error("--only hard prints addresses; it takes no --format")
    if args.jobs is not None and args.jobs < 1:
        error("--jobs must be 1 or more")
    if not args.files and not args.schema:
        error("no FILE given (use - for standard input)")
    args.format = args.format or args.default_format


def print_schema(stdout: IO[str]) -> int:
    """Print the JSON Schema of the JSON Lines output."""
    from .schema import schema_text

    stdout.write(schema_text())
    stdout.flush()
    return 0


def run(
    paths: list[str],
    fmt: str = "json",
    entry_lookup: EntryLookup | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    *,
    only: str | None = None,
    jobs: int | None = None,
) -> int:
    """Decode every message of ``paths``; return 0, or 1 if any input was unreadable.

    ``fmt`` is json, csv or text; ``only="hard"`` prints just the hard-bounced
    addresses instead. Unreadable inputs are named on ``stderr``, one line each.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    _JOB.update(fmt="hard" if only == "hard" else fmt, lookup=entry_lookup)
    bar = _ProgressBar.start(err, paths)
    failed = False

    def on_error(label: str, reason: str) -> None:
        nonlocal failed
        failed = True
        bar.write(f"decode: cannot read {label}: {reason}\n")

    messages = mailboxes.messages_from_paths(paths, on_error, progress=bar.advance)
    if _JOB["fmt"] == "csv":
        out.write(_csv_rows([CSV_COLUMNS]))
    seen: set[str] = set()
    try:
        for output in _outputs(messages, jobs or _cpus()):
            if isinstance(output, list):  # --only hard: addresses, each printed once
                fresh = []
                for address in output:
                    if address.lower() not in seen:
                        seen.add(address.lower())
                        fresh.append(f"{address}\n")
                output = "".join(fresh)
            out.write(output)
        out.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python's exit-time
        # flush of the same pipe from printing a traceback.
        _silence(out)
        failed = True
    finally:
        bar.close()
    return 1 if failed else 0


def _cpus() -> int:
    """The CPUs this process may run on (fewer than the machine's under a CPU affinity mask)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _silence(out: IO[str]) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())


def _outputs(messages: Iterator[mailboxes.Message], jobs: int) -> Iterator[str | list[str]]:
    """Yield the output of each message (or chunk of messages), in input order."""
    head: list[mailboxes.Message] = []
    size = 0
    for message in messages:
        head.append(message)
        size += len(message.data)
        if len(head) >= PARALLEL_FROM or size >= PARALLEL_FROM_BYTES:
            break
    else:  # a short job: all of it is in head
        yield from map(_render, head)
        return
    rest = chain(head, messages)
    if jobs < 2 or not hasattr(os, "fork"):
        yield from map(_render, rest)
        return
    yield from _parallel(_chunks(rest), jobs)


def _render(message: mailboxes.Message) -> str | list[str]:
    """Decode one message into its output: text, or the addresses for --only hard."""
    label, key, data = message
    result = decode(data)
    lookup = _JOB.get("lookup")
    fmt = _JOB.get("fmt")
    if fmt == "hard":
        return [r.address for r in result.recipients if r.hard_bounce and r.address]
    if fmt == "text":
        return format_text(label, result, lookup, key)
    if fmt == "csv":
        return _csv_rows(csv_rows(label, result, lookup, key))
    return _json(as_json(label, result, lookup, key))


def _render_chunk(chunk: list[tuple[str, str | int | None, bytes]]) -> str | list[str]:
    """A worker's job: the joined output of a chunk of messages."""
    outputs = [_render(mailboxes.Message(*message)) for message in chunk]
    if _JOB.get("fmt") == "hard":
        return [address for output in outputs for address in output]
    return "".join(outputs)  # type: ignore[arg-type]


def _json(data: dict) -> str:
    encoder = _JOB.get("encoder")
    if encoder is None:
        import json  # already loaded by the decoder: no start-up cost

        # One encoder for the run (json.dumps makes one per call for these options);
        # the data is a tree of plain values, so no cycle check.
        encoder = _JOB["encoder"] = json.JSONEncoder(ensure_ascii=False, check_circular=False)
    return encoder.encode(data) + "\n"


def _chunks(messages: Iterable[mailboxes.Message]) -> Iterator[list[tuple]]:
    """Group messages into chunks of CHUNK_MESSAGES or CHUNK_BYTES, as plain tuples."""
    chunk: list[tuple] = []
    size = 0
    for message in messages:
        chunk.append(tuple(message))  # marshal takes tuples, not NamedTuples
        size += len(message.data)
        if len(chunk) >= CHUNK_MESSAGES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _parallel(chunks: Iterator[list[tuple]], workers: int) -> Iterator[str | list[str]]:
    """Render chunks in forked workers; yield their outputs in input order.

    A plain fork-and-pipes pool rather than multiprocessing.Pool: importing that
    costs 15 ms, a tenth of a 300-file job. The parent's feeder thread reads the
    inputs and hands each chunk to the worker with the fewest outstanding; this
    thread reads every worker's results as they come (so no worker ever waits to
    write) and yields them in order. At most WINDOW_PER_WORKER chunks per worker
    are out at a time, so an endless mbox costs a bounded amount of memory.
    """
    import marshal
    import select
    import threading

    # Everything loaded so far lives as long as the process: moving it out of the
    # collector's reach spares every worker's collections from walking it (and
    # keeps the pages the workers share with this process unwritten).
    gc.freeze()
    sys.stdout.flush()
    sys.stderr.flush()
    pool = _Workers(workers)
    window = threading.Semaphore(workers * WINDOW_PER_WORKER)
    state: dict = {"sent": 0, "done": False, "error": None}

    def feed() -> None:
        try:
            for index, chunk in enumerate(chunks):
                window.acquire()
                if pool.stopped:
                    return
                pool.send(index, marshal.dumps((index, chunk)))
                state["sent"] = index + 1
        except BaseException as exc:  # re-raised by the consumer below
            state["error"] = exc
        finally:
            state["done"] = True
            pool.close_tasks()  # workers finish their queue, then exit

    feeder = threading.Thread(target=feed, name="bounce-decoder-feeder", daemon=True)
    feeder.start()
    results: dict[int, str | list[str]] = {}
    next_index = 0
    try:
        poller = select.poll()
        for fd in pool.result_fds():
            poller.register(fd, select.POLLIN)
        while True:
            while next_index in results:
                output = results.pop(next_index)
                next_index += 1
                window.release()
                yield output
            if state["done"] and next_index >= state["sent"]:
                break
            if not pool.alive():
                break
            for fd, _event in poller.poll():
                frames, ended = pool.receive(fd)
                for frame in frames:
                    index, output = marshal.loads(frame)
                    results[index] = output
                if ended:
                    poller.unregister(fd)
        feeder.join()
        if state["error"] is not None:
            raise state["error"]
        if next_index < state["sent"]:
            raise RuntimeError("a decoder worker process died; output is incomplete")
    finally:
        pool.stop()
        window.release(workers * WINDOW_PER_WORKER)  # a feeder waiting for room ends
        # A feeder still reading (a slow stdin) is a daemon thread: not waited for long.
        feeder.join(timeout=1)
        gc.unfreeze()


class _Workers:
    """Forked worker processes, each with a task pipe in and a result pipe out."""

    def __init__(self, count: int) -> None:
        self.stopped = False
        self.pids: list[int] = []
        self.tasks: list[IO[bytes]] = []
        self.results: dict[int, int] = {}  # result fd -> worker number
        self.buffers: dict[int, bytearray] = {}
        # Chunks sent to and received from each worker: each list is written by one
        # thread only (the feeder, this one), so neither needs a lock.
        self.sent: list[int] = []
        self.received: list[int] = []
        for number in range(count):
            task_r, task_w = os.pipe()
            result_r, result_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(task_w)
                os.close(result_r)
                # The parent's ends of the earlier workers' pipes: a worker holding
                # another's task pipe open would keep it from ever seeing its end.
                for handle in self.tasks:
                    os.close(handle.fileno())
                for fd in self.results:
                    os.close(fd)
                _serve(task_r, result_w)
            os.close(task_r)
            os.close(result_w)
            self.pids.append(pid)
            self.tasks.append(open(task_w, "wb"))  # noqa: SIM115 - closed in stop()
            self.results[result_r] = number
            self.buffers[result_r] = bytearray()
            self.sent.append(0)
            self.received.append(0)

    def result_fds(self) -> list[int]:
        return list(self.results)

    def alive(self) -> bool:
        return bool(self.results)

    def send(self, index: int, payload: bytes) -> None:
        """Hand a chunk to the worker with the fewest chunks outstanding."""
        number = min(range(len(self.tasks)), key=lambda n: self.sent[n] - self.received[n])
        self.sent[number] += 1
        handle = self.tasks[number]
        try:
            handle.write(len(payload).to_bytes(8, "little"))
            handle.write(payload)
            handle.flush()
        except BrokenPipeError:  # not the reader of our output going away: say so
            raise RuntimeError("a decoder worker process died; output is incomplete") from None

    def receive(self, fd: int) -> tuple[list[bytearray], bool]:
        """Read what ``fd`` has; return the complete frames, and whether it has ended."""
        data = os.read(fd, 1 << 20)
        buf = self.buffers[fd]
        buf += data
        frames = []
        at = 0
        while len(buf) - at >= 8:
            size = int.from_bytes(buf[at : at + 8], "little")
            if len(buf) - at - 8 < size:
                break
            frames.append(buf[at + 8 : at + 8 + size])
            at += 8 + size
        del buf[:at]
        number = self.results[fd]
        self.received[number] += len(frames)
        if not data:
            os.close(fd)
            del self.results[fd]
            # A worker exits once its task pipe is closed and its queue is done.
            if self.received[number] < self.sent[number] or buf:
                raise RuntimeError("a decoder worker process died; output is incomplete")
        return frames, not data

    def close_tasks(self) -> None:
        for handle in self.tasks:
            # A worker that died leaves a broken pipe: nothing more to tell it.
            with contextlib.suppress(OSError):
                handle.close()

    def stop(self) -> None:
        """Close every pipe and reap the workers (killing any still at work)."""
        import signal

        self.stopped = True
        for fd in list(self.results):
            os.close(fd)
        self.results.clear()
        for pid in self.pids:
            try:
                if os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGTERM)
                    os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _serve(task_fd: int, result_fd: int) -> None:
    """A worker's loop: read chunks, render them, write the outputs back; then exit."""
    import marshal
    import signal

    status = 0
    try:
        # Ctrl-C is the parent's to handle: it stops the workers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with open(task_fd, "rb") as tasks, open(result_fd, "wb") as results:
            while header := tasks.read(8):
                index, chunk = marshal.loads(tasks.read(int.from_bytes(header, "little")))
                payload = marshal.dumps((index, _render_chunk(chunk)))
                results.write(len(payload).to_bytes(8, "little"))
                results.write(payload)
                results.flush()
    except BrokenPipeError:  # the parent stopped reading
        status = 1
    except BaseException:
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        # Never return into the parent's code (pytest, Django...), nor flush its buffers.
        os._exit(status)


class _ProgressBar:
    """A progress bar on a terminal's stderr (tqdm, by input bytes read); else nothing."""

    def __init__(self, stderr: IO[str], bar: object | None = None) -> None:
        self.stderr = stderr
        self.bar = bar

    @classmethod
    def start(cls, stderr: IO[str], paths: list[str]) -> _ProgressBar:
        isatty = getattr(stderr, "isatty", None)
        if not (isatty and isatty()):
            return cls(stderr)
        try:
            from tqdm import tqdm
        except ImportError:  # installed without its dependencies: no bar
            return cls(stderr)
        # No monitor thread: the workers are forked, and forking beside a thread is unsafe.
        tqdm.monitor_interval = 0
        bar = tqdm(
            total=mailboxes.input_bytes(paths),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=stderr,
            desc="decoding",
            leave=False,
        )
        return cls(stderr, bar)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)  # type: ignore[attr-defined]

    def write(self, text: str) -> None:
        if self.bar is None:
            self.stderr.write(text)
        else:
            self.bar.write(text.rstrip("\n"), file=self.stderr)  # type: ignore[attr-defined]

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]


def _entry(lookup: EntryLookup | None, rcpt: Recipient) -> str | None:
    if lookup is None:
        return None
    try:
        status = lookup_status(rcpt.status, rcpt.status_inferred, rcpt.reason)
        return lookup(status, rcpt.exception, rcpt.antispam_rule, rcpt.diagnostic)
    except Exception:  # a lookup problem must not lose the diagnosis
        return None


def as_json(
    path: str,
    result: DecodeResult,
    lookup: EntryLookup | None = None,
    key: str | int | None = None,
) -> dict:
    """Return the JSON Lines object for one message (see schema.py for its schema)."""
    data = {"schema": SCHEMA_VERSION, "file": path, "message": key, **result.to_dict()}
    for rcpt_dict, rcpt in zip(data["recipients"], result.recipients, strict=True):
        rcpt_dict["entry"] = _entry(lookup, rcpt)
    return data


def csv_rows(
    path: str,
    result: DecodeResult,
    lookup: EntryLookup | None = None,
    key: str | int | None = None,
) -> list[list[str]]:
    """Return one CSV row per recipient (CSV_COLUMNS), cells safe to open in a spreadsheet."""
    rows = []
    for rcpt in result.recipients:
        values = (
            path,
            key,
            rcpt.address,
            rcpt.status,
            rcpt.reply_code,
            rcpt.action,
            rcpt.permanent,
            rcpt.hard_bounce,
            rcpt.reason,
            result.provider,
            _entry(lookup, rcpt),
        )
        rows.append([csv_cell(value) for value in values])
    return rows


def csv_cell(value: object) -> str:
    """A CSV cell: booleans as true/false, never the start of a spreadsheet formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    # A leading quote makes a spreadsheet show the cell as text, never run it.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_rows(rows: Iterable[Iterable[str]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def format_text(
    path: str,
    result: DecodeResult,
    lookup: EntryLookup | None = None,
    key: str | int | None = None,
) -> str:
    """Return a readable diagnosis, one paragraph per recipient."""
    lines = [f"== {path}" + (f" (message {key})" if key is not None else "")]
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
