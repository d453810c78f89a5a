"""decode() never raises and stays bounded, whatever it is given."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from errorcodes.ndr import DecodeResult, decode

from .conftest import CORPUS, SAMPLES

SAMPLE_BYTES = [p.read_bytes() for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
CORPUS_BYTES = (
    [p.read_bytes() for p in sorted((CORPUS / "emails").glob("*.eml"))[::10]]
    if (CORPUS / "emails").exists()
    else []
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data):
    assert isinstance(decode(data), DecodeResult)


@SETTINGS
@given(st.text(max_size=4000))
def test_random_text_never_raises(text):
    decode(text).to_dict()


@SETTINGS
@given(
    st.sampled_from(SAMPLE_BYTES + CORPUS_BYTES),
    st.integers(0, 20000),
    st.binary(max_size=50),
    st.integers(0, 20000),
)
def test_truncated_and_mutated_messages_never_raise(raw, cut, junk, at):
    decode(raw[:cut]).to_dict()
    decode(raw[:at] + junk + raw[at:]).to_dict()


def test_one_megabyte_paste_returns():
    line = "550 5.1.1 <user@example.com>: Recipient address rejected: User unknown " * 3
    big = ("\n".join([line] * 5000) + "x" * 100)[:1_000_000]
    result = decode(big)
    assert result.is_bounce


def test_pathological_inputs_return():
    for data in (
        "<" * 200000,
        "a@" * 100000,
        "5." * 200000,
        "From: x\n" * 50000,
        b"\xff\xfe" * 100000,
        # Bounce prose first, so that every extractor reads the rest.
        "Delivery has failed to these recipients\n" + "@" * 300000,
        "could not be delivered\n550 5.1.1 " + "a@" * 150000,
        "could not be delivered\n550 5.1.1 host " + "[" * 300000,
    ):
        assert isinstance(decode(data), DecodeResult)
