"""Extract message ids, write the es/en catalogues from scripts/es_catalog.py, compile them.

Fails (exit 1) when a message id has no Spanish translation. With --check nothing is
written: it fails as well when the compiled catalogues differ from what a build would write.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).parent))
from es_catalog import ES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveys" / "translations"


def _key(message_id):
    return message_id if isinstance(message_id, str) else tuple(message_id)


def _spanish(message_id, num_plurals: int):
    """The Spanish text; a plural gets as many forms as the locale's rule has (CLDR gives Spanish
    three: one, many, other), the last one written repeated, so no count falls back to English."""
    text = ES[message_id]
    if isinstance(text, str):
        return text
    return tuple(text) + (text[-1],) * (num_plurals - len(text))


def _compiled(lang: str) -> dict:
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
        return {_key(m.id): _key(m.string) for m in read_mo(fh) if m.id}


def main(check: bool = False) -> int:
    if check:
        with tempfile.TemporaryDirectory() as tmp:
            return _build(Path(tmp) / "messages.pot", check=True)
    return _build(TRANSLATIONS / "messages.pot", check=False)


def _build(pot: Path, check: bool) -> int:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "--omit-header",
            "-o",
            str(pot),
            ".",
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    with pot.open("rb") as fh:
        template = read_po(fh)
    missing = [m.id for m in template if m.id and m.id not in ES]
    if missing:
        print("missing Spanish translations:\n  " + "\n  ".join(map(str, missing)), file=sys.stderr)
        return 1
    if check:
        plurals = Catalog(locale="es").num_plurals
        expected = {_key(m.id): _key(_spanish(m.id, plurals)) for m in template if m.id}
        if _compiled("es") != expected or set(_compiled("en")) != set(expected):
            print("the compiled catalogues are stale: run make translations", file=sys.stderr)
            return 1
        return 0
    for lang in ("es", "en"):
        with pot.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if message.id:
                message.string = _spanish(message.id, catalog.num_plurals) if lang == "es" else message.id
        out = TRANSLATIONS / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with (out / "messages.po").open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True)
        with (out / "messages.mo").open("wb") as fh:
            write_mo(fh, catalog)
    print(f"catalogues es, en: {sum(1 for m in template if m.id)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
