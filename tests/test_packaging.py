"""The wheel: built from pyproject.toml, installed into a fresh virtualenv without Django.

Slow (about 10-30 s: a build, the dependencies' wheels, an install), but part of
the default run, as CI runs everything. The build and the dependencies come
from the package index pip is configured with (or its cache); the install
itself is offline (--no-index), from the wheels gathered first.
"""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "ndr" / "samples" / "qmail.eml"

pytestmark = pytest.mark.slow


def pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=240,
    )
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def copy_sources(destination: Path) -> None:
    """Copy what the wheel is built from, so the build leaves nothing in the checkout."""
    shutil.copy2(ROOT / "pyproject.toml", destination)
    shutil.copy2(ROOT / "README.md", destination)
    (destination / "errorcodes").mkdir()
    shutil.copy2(ROOT / "errorcodes" / "__init__.py", destination / "errorcodes")
    shutil.copytree(
        ROOT / "errorcodes" / "ndr",
        destination / "errorcodes" / "ndr",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def test_wheel_installs_the_django_free_decoder_and_its_command(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    copy_sources(source)
    dist = tmp_path / "dist"
    pip("wheel", "--no-deps", "--wheel-dir", str(dist), str(source), cwd=tmp_path)
    (wheel,) = dist.glob("bounce_decoder-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    assert "errorcodes/ndr/decoder.py" in names
    assert "errorcodes/ndr/extractors/base.py" in names
    assert "errorcodes/ndr/data/enhanced_status.csv" in names
    assert "errorcodes/ndr/data/output.schema.json" in names
    # The decoder only: not the Django app beside it, nor its package __init__.
    assert not [n for n in names if n.startswith("errorcodes/") and "/ndr/" not in n]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "bounce-decoder = errorcodes.ndr.cli:console"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )

    # The dependencies as wheels (sdists built), then an offline install from them.
    wheels = tmp_path / "wheels"
    pip("wheel", "--wheel-dir", str(wheels), str(wheel), cwd=tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip(
        "--python",
        str(python),
        "install",
        "--no-index",
        "--find-links",
        str(wheels),
        "bounce-decoder",
        cwd=tmp_path,
    )

    # Run from elsewhere, so the checkout is not on the path: the installed copy answers.
    proc = subprocess.run(
        [str(venv / "bin" / "bounce-decoder"), "decode", "--format", "json", str(SAMPLE)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    line = json.loads(proc.stdout)
    assert line["file"] == str(SAMPLE)
    assert line["recipients"][0]["address"] == "frank@example.org"
    assert line["recipients"][0]["hard_bounce"] is True

    probe = (
        "import importlib.util, json, sys\n"
        "import errorcodes.ndr\n"
        "print(json.dumps({'django': importlib.util.find_spec('django') is not None,\n"
        "                  'where': errorcodes.ndr.__file__,\n"
        "                  'loaded': sorted(m for m in sys.modules if 'django' in m)}))\n"
    )
    found = json.loads(
        subprocess.run(
            [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
        ).stdout
    )
    assert found == {"django": False, "where": found["where"], "loaded": []}
    assert found["where"].startswith(str(venv))

    schema = subprocess.run(
        [str(python), "-m", "errorcodes.ndr", "decode", "--schema"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert json.loads(schema.stdout)["schema_version"]
