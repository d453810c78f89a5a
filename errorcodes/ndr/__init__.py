"""NDR (bounce message) decoder: pure Python, no Django.

from errorcodes.ndr import decode
result = decode(data)      # bytes or str; never raises
result.to_dict()
decode_failures()          # exceptions decode() caught (bugs): see failures.py
"""

from .decoder import decode
from .failures import decode_failures, failure_counts
from .result import DecodeResult, Evidence, Hop, OriginalMessage, Recipient
from .source import trim_attached_original

__all__ = [
    "DecodeResult",
    "Evidence",
    "Hop",
    "OriginalMessage",
    "Recipient",
    "decode",
    "decode_failures",
    "failure_counts",
    "trim_attached_original",
]
