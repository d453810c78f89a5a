"""Why it bounced, from the original message's headers (issue 15).

The modules, by responsibility:

- ``pick``: which block of headers to read (the bounce's copy of the
  original's headers, or a pasted message's own), from the names alone;
- ``block``: that block, bounded;
- ``auth``: Authentication-Results and ARC-Authentication-Results (RFC 8601,
  parsed with ``authres``), and which stamps are trusted;
- ``alignment``: DMARC alignment of the From domain, computed with the Public
  Suffix List;
- ``antispam``: Microsoft's anti-spam stamps in words (``data/antispam.json``);
- ``route``: the Received chain, its delays and slowest hop;
- ``verdicts``: the rules of ``data/header_verdicts.json`` and their matcher;
- ``analysis``: puts them together into ``DecodeResult.analysis``, and locates
  each part's header in the input;
- ``model``: the dataclasses of the output.

Start-up time matters to the command line: the decoder imports only ``pick``
until an input has headers to analyse, the analysis imports each reader only
when its headers are there, and ``authres`` and ``publicsuffixlist`` are
imported on first use.
"""
