"""Shared paths for the decoder tests."""

from pathlib import Path

SAMPLES = Path(__file__).with_name("samples")
# The shared corpus sits beside the repository: /work/main/../shared/corpus.
CORPUS = Path(__file__).resolve().parents[2] / "../shared/corpus/sisimai"
