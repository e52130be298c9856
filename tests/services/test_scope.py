"""Store scoping is written once (services/scope.py): the helper really filters by store, and
no service or view hand-writes a `store_id ==` filter beside it."""

import re
from pathlib import Path

from sqlalchemy import func, select

from surveys.extensions import db
from surveys.models import Order
from surveys.services.scope import in_store, scoped

from ..factories import deliver, make_store

PACKAGE = Path(__file__).resolve().parents[2] / "surveys"
HAND_WRITTEN = re.compile(r"\b[A-Z]\w*\.store_id\s*==")  # a column (Model.store_id), not an object's
# Not a filter by the principal's store: a join between two tables on their own columns.
ALLOWED = {
    ("services/staff_auth.py", ".join(Membership, Membership.store_id == Store.id)"),
    ("services/tenancy.py", ".join(ApiKey, ApiKey.store_id == Store.id)"),
    (
        "services/tenancy.py",
        "select(Store).join(Membership, Membership.store_id == Store.id).where(Membership.user_id == user.id)",
    ),
}


def test_scoped_queries_see_only_their_stores_rows(app):
    mine, theirs = make_store()[0], make_store()[0]
    deliver(mine, order_id="A-1"), deliver(theirs, order_id="B-1"), deliver(theirs, order_id="B-2")
    refs = lambda store: sorted(db.session.scalars(scoped(select(Order.order_ref), store, Order)))  # noqa: E731
    assert refs(mine) == ["A-1"] and refs(theirs) == ["B-1", "B-2"] and refs(theirs.id) == ["B-1", "B-2"]
    assert db.session.scalars(scoped(select(Order), mine)).one().order_ref == "A-1"
    assert db.session.scalar(select(func.count()).select_from(Order).where(in_store(Order, theirs.id))) == 2


def test_no_hand_written_store_filter_outside_the_helper():
    found = set()
    for folder in ("services", "blueprints"):
        for path in (PACKAGE / folder).rglob("*.py"):
            if path.name == "scope.py" and path.parent.name == "services":
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if HAND_WRITTEN.search(line):
                    found.add((str(path.relative_to(PACKAGE)), line.strip()))
    assert found == ALLOWED, "scope the query with services/scope.py (in_store / scoped)"
