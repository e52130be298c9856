"""Both catalogues are complete and compiled: every user-facing string has Spanish."""

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveys" / "translations"


def test_catalogues_are_complete_and_current():
    """Every message has Spanish and the compiled catalogues match the sources (writes nothing)."""
    args = [sys.executable, "scripts/build_catalogs.py", "--check"]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_compiled_spanish_catalogue_matches_the_template():
    with (TRANSLATIONS / "messages.pot").open("rb") as fh:
        ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(fh) if m.id}
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        compiled = {
            m.id if isinstance(m.id, str) else tuple(m.id): m.string if isinstance(m.string, str) else tuple(m.string)
            for m in read_mo(fh)
            if m.id
        }
    assert ids <= set(compiled)
    same_in_both = {"Detractor", "neutral", "no"}  # words Spanish spells the same
    assert all(compiled[i] and (compiled[i] != i or i in same_in_both) for i in ids)
