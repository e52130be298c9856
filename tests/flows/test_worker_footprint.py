"""What a web worker imports: neither Alembic (only migrations need it), NLTK (TextBlob's
dependency; comments are read without it) nor cryptography (only WhatsApp secrets need it),
whose ~36 MB together would sit in every worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("alembic", "flask_migrate", "nltk", "textblob", "cryptography")

SCRIPT = """
import json, sys
import wsgi
from surveys.reading.analysis import analyze_text
analyze_text("Llegó rápido pero la caja venía golpeada", "es")
analyze_text("Arrived late and the box was crushed", "en")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def test_web_worker_imports_no_migrations_and_no_nltk(tmp_path):
    env = {
        **os.environ,
        "SURVEYS_ENV": "production",
        "SURVEYS_SECRET_KEY": "k" * 40,
        "SURVEYS_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT % (HEAVY,)], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
