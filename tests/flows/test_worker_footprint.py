"""What a web worker imports: not Alembic (only migrations need it), NLTK (TextBlob's dependency;
comments are read without it), cryptography (only WhatsApp secrets need it), jsonschema (only an
invalid payload's error list needs it), the PostgreSQL dialect on SQLite, Pillow (only an
uploaded photo needs it) or phonenumbers (only a delivery with a phone needs it): about 44 MB
together that would sit in every worker. Nor the common-words vocabulary (0.9 MB of source; only
the typo check of a long unknown word needs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = (
    "alembic",
    "flask_migrate",
    "nltk",
    "textblob",
    "cryptography",
    "jsonschema",
    "sqlalchemy.dialects.postgresql",
    "PIL",
    "phonenumbers",
    "surveys.reading.lexicons.vocabulary",
)

SCRIPT = """
import json, sys
import wsgi
from surveys.extensions import db
from surveys.services import tenancy
with wsgi.app.app_context():
    store = tenancy.create_store("Footprint", "footprint", "es", "America/Mexico_City", "F <f@f.test>")
    key = tenancy.create_api_key(store)
    db.session.commit()
client = wsgi.app.test_client()
auth = {"Authorization": "Bearer " + key}
one = {"order_id": "F1", "delivered_at": "2026-11-20T15:04:00-06:00",
       "customer": {"email": "ana@example.com", "name": "Ana", "locale": "es-MX"},
       "items": [{"sku": "TAZA-01", "name": "Taza"}]}
assert client.post("/api/v1/deliveries", json=one, headers=auth).status_code == 201
batch = {"deliveries": [dict(one, order_id="F2")]}
assert client.post("/api/v1/deliveries/batch", json=batch, headers=auth).status_code == 200
from surveys.reading.analysis import analyze_text
analyze_text("Llegó rápido pero la caja venía golpeada", "es")
analyze_text("Arrived late and the box was crushed", "en")
print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in %r))))
"""


def test_web_worker_imports_nothing_it_does_not_use(tmp_path):
    env = {
        **os.environ,
        "SURVEYS_ENV": "production",
        "SURVEYS_SECRET_KEY": "k" * 40,
        "SURVEYS_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    flask = [sys.executable, "-m", "flask", "--app", "surveys", "db", "upgrade"]
    subprocess.run(flask, env=env, cwd=root, capture_output=True, check=True)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT % (HEAVY,)], env=env, cwd=root, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
