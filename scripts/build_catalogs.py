"""Extract message ids, write the es/en catalogues from scripts/es_catalog.py, compile them.

Fails (exit 1) when a message id has no Spanish translation.
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).parent))
from es_catalog import ES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveys" / "translations"


def main() -> int:
    pot = TRANSLATIONS / "messages.pot"
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
    for lang in ("es", "en"):
        with pot.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if message.id:
                message.string = ES[message.id] if lang == "es" else message.id
        out = TRANSLATIONS / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with (out / "messages.po").open("wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True)
        with (out / "messages.mo").open("wb") as fh:
            write_mo(fh, catalog)
    print(f"catalogues es, en: {sum(1 for m in template if m.id)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
