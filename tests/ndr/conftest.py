"""Shared paths for the decoder tests, and the check that no test's decoding failed."""

from pathlib import Path

import pytest

from errorcodes.ndr import decode_failures

SAMPLES = Path(__file__).with_name("samples")
# The shared corpus sits beside the repository: /work/main/../shared/corpus.
CORPUS = Path(__file__).resolve().parents[2] / "../shared/corpus/sisimai"


@pytest.fixture(autouse=True)
def no_decode_failures(request: pytest.FixtureRequest):
    """Fail any test during which an exception reached one of decode()'s safety nets.

    decode() still returns a result then, so the test's own assertions might
    pass on what was left.  A test that provokes a failure on purpose asks for
    the ``expect_decode_failures`` fixture.
    """
    before = decode_failures()
    yield
    if "expect_decode_failures" not in request.fixturenames:
        assert decode_failures() == before, "an exception reached a safety net of decode()"


@pytest.fixture
def expect_decode_failures() -> None:
    """Allow this test to make decode() catch exceptions (see no_decode_failures)."""
