"""NDR (bounce message) decoder: pure Python, no Django.

from errorcodes.ndr import decode
result = decode(data)      # bytes or str; never raises
result.to_dict()
"""

from .decoder import decode
from .result import DecodeResult, Evidence, Hop, OriginalMessage, Recipient

__all__ = ["DecodeResult", "Evidence", "Hop", "OriginalMessage", "Recipient", "decode"]
