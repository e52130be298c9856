"""store daily counts

Revision ID: f16580a6e5cb
Revises: 19ea5290282a
Create Date: 2026-12-01 16:20:00

Per-store, per-day counts of NPS promoters/passives/detractors, satisfied CSAT answers and
CSAT answers (by the response's UTC creation day) and of invitations sent and answered (by
the UTC day they were sent, per channel), kept by triggers on every insert, update and
delete of responses and invitations, whoever writes them: the store metrics read a few
hundred rows instead of counting a million. Existing rows are counted once here.

The cut-offs are reading/scoring.py's (promoter 9-10, passive 7-8, detractor 0-6,
satisfied 4-5); changing them needs a migration that recreates the triggers and recounts.

SQLite: row triggers (one writer at a time), shard 0. PostgreSQL: statement triggers with
transition tables, one upsert per (store, day) that a statement touches, in key order, into
the connection's own shard (pg_backend_pid() % 8) so concurrent writers rarely share a row.
Deltas for a store that no longer exists (its rows deleted by the store's cascade) are
skipped: the store's counts go with it.
"""

import sqlalchemy as sa
from alembic import op

revision = "f16580a6e5cb"
down_revision = "19ea5290282a"
branch_labels = None
depends_on = None

SHARDS = 8

RESPONSE_COLUMNS = ("promoters", "passives", "detractors", "satisfied", "csat_answers")
INVITATION_COLUMNS = ("sent", "answered")


def _response_values(row: str, sign: str) -> list[str]:
    return [
        f"{sign} * (CASE WHEN {row}.nps >= 9 THEN 1 ELSE 0 END)",
        f"{sign} * (CASE WHEN {row}.nps >= 7 AND {row}.nps < 9 THEN 1 ELSE 0 END)",
        f"{sign} * (CASE WHEN {row}.nps < 7 THEN 1 ELSE 0 END)",
        f"{sign} * (CASE WHEN {row}.csat >= 4 THEN 1 ELSE 0 END)",
        f"{sign} * (CASE WHEN {row}.csat IS NOT NULL THEN 1 ELSE 0 END)",
    ]


def _invitation_values(row: str, sign: str) -> list[str]:
    return [f"{sign}", f"{sign} * (CASE WHEN {row}.answered_at IS NOT NULL THEN 1 ELSE 0 END)"]


def _on_conflict(key: str, columns: tuple[str, ...], table: str) -> str:
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return f"ON CONFLICT ({key}) DO UPDATE SET {sets}"


# --- SQLite: row triggers -------------------------------------------------------------

STORE_EXISTS = "EXISTS (SELECT 1 FROM stores WHERE stores.id = {row}.store_id)"


def _sqlite_response_upsert(row: str, sign: str, guard: bool) -> str:
    values = ", ".join(_response_values(row, sign))
    where = f"WHERE {STORE_EXISTS.format(row=row)}" if guard else "WHERE 1"
    return (
        f"INSERT INTO response_day_counts (store_id, day, shard, {', '.join(RESPONSE_COLUMNS)}) "
        f"SELECT {row}.store_id, date({row}.created_at), 0, {values} {where} "
        + _on_conflict("store_id, day, shard", RESPONSE_COLUMNS, "response_day_counts")
        + ";"
    )


def _sqlite_invitation_upsert(row: str, sign: str, guard: bool) -> str:
    values = ", ".join(_invitation_values(row, sign))
    where = f"WHERE {row}.sent_at IS NOT NULL" + (f" AND {STORE_EXISTS.format(row=row)}" if guard else "")
    return (
        f"INSERT INTO invitation_day_counts (store_id, day, channel, shard, {', '.join(INVITATION_COLUMNS)}) "
        f"SELECT {row}.store_id, date({row}.sent_at), coalesce({row}.channel, 'email'), 0, {values} {where} "
        + _on_conflict("store_id, day, channel, shard", INVITATION_COLUMNS, "invitation_day_counts")
        + ";"
    )


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


SQLITE_TRIGGERS = {
    "responses_counts_insert": (
        "AFTER INSERT ON responses BEGIN " + _sqlite_response_upsert("NEW", "1", False) + " END"
    ),
    "responses_counts_delete": (
        "AFTER DELETE ON responses BEGIN " + _sqlite_response_upsert("OLD", "-1", True) + " END"
    ),
    "responses_counts_update": (
        "AFTER UPDATE OF store_id, created_at, nps, csat ON responses "
        f"WHEN {_changed(('store_id', 'created_at', 'nps', 'csat'))} BEGIN "
        + _sqlite_response_upsert("OLD", "-1", True)
        + " "
        + _sqlite_response_upsert("NEW", "1", False)
        + " END"
    ),
    "invitations_counts_insert": (
        "AFTER INSERT ON invitations BEGIN " + _sqlite_invitation_upsert("NEW", "1", False) + " END"
    ),
    "invitations_counts_delete": (
        "AFTER DELETE ON invitations BEGIN " + _sqlite_invitation_upsert("OLD", "-1", True) + " END"
    ),
    "invitations_counts_update": (
        "AFTER UPDATE OF store_id, sent_at, answered_at, channel ON invitations "
        f"WHEN {_changed(('store_id', 'sent_at', 'answered_at', 'channel'))} BEGIN "
        + _sqlite_invitation_upsert("OLD", "-1", True)
        + " "
        + _sqlite_invitation_upsert("NEW", "1", False)
        + " END"
    ),
}


# --- PostgreSQL: statement triggers with transition tables ------------------------------


def _pg_day(column: str) -> str:
    return f"(({column}) AT TIME ZONE 'UTC')::date"


def _pg_upsert(table: str, key: list[str], columns, parts: list[str]) -> str:
    """One upsert per key of the statement's rows (+1 for new rows, -1 for old ones), in key
    order, skipping keys whose deltas are all zero and stores that no longer exist."""
    sums = ", ".join(f"sum({c})" for c in columns)
    nonzero = " OR ".join(f"sum({c}) <> 0" for c in columns)
    return (
        f"INSERT INTO {table} AS c ({', '.join(key)}, shard, {', '.join(columns)}) "
        f"SELECT {', '.join(key)}, pg_backend_pid() % {SHARDS}, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) AS d "
        f"WHERE EXISTS (SELECT 1 FROM stores WHERE stores.id = d.store_id) "
        f"GROUP BY {', '.join(key)} HAVING {nonzero} ORDER BY {', '.join(key)} "
        + _on_conflict(", ".join([*key, "shard"]), columns, "c")
        + ";"
    )


def _pg_response_part(rows: str, sign: str) -> str:
    values = ", ".join(f"{v} AS {c}" for v, c in zip(_response_values("r", sign), RESPONSE_COLUMNS, strict=True))
    return f"SELECT r.store_id, {_pg_day('r.created_at')} AS day, {values} FROM {rows} AS r"


def _pg_invitation_part(rows: str, sign: str) -> str:
    values = ", ".join(f"{v} AS {c}" for v, c in zip(_invitation_values("r", sign), INVITATION_COLUMNS, strict=True))
    return (
        f"SELECT r.store_id, {_pg_day('r.sent_at')} AS day, coalesce(r.channel, 'email') AS channel, {values} "
        f"FROM {rows} AS r WHERE r.sent_at IS NOT NULL"
    )


def _pg_function(name: str, table: str, key: list[str], columns, part) -> str:
    def upsert(parts):
        return _pg_upsert(table, key, columns, parts)

    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {upsert([part("new_rows", "1")])}
    ELSIF TG_OP = 'DELETE' THEN
        {upsert([part("old_rows", "-1")])}
    ELSE
        {upsert([part("new_rows", "1"), part("old_rows", "-1")])}
    END IF;
    RETURN NULL;
END
$$"""


PG_FUNCTIONS = {
    "response_day_counts_apply": ("response_day_counts", ["store_id", "day"], RESPONSE_COLUMNS, _pg_response_part),
    "invitation_day_counts_apply": (
        "invitation_day_counts",
        ["store_id", "day", "channel"],
        INVITATION_COLUMNS,
        _pg_invitation_part,
    ),
}
PG_TRIGGERS = {  # name: (table, event, transition tables, function)
    "responses_counts_insert": ("responses", "INSERT", "NEW TABLE AS new_rows", "response_day_counts_apply"),
    "responses_counts_update": (
        "responses",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "response_day_counts_apply",
    ),
    "responses_counts_delete": ("responses", "DELETE", "OLD TABLE AS old_rows", "response_day_counts_apply"),
    "invitations_counts_insert": ("invitations", "INSERT", "NEW TABLE AS new_rows", "invitation_day_counts_apply"),
    "invitations_counts_update": (
        "invitations",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "invitation_day_counts_apply",
    ),
    "invitations_counts_delete": ("invitations", "DELETE", "OLD TABLE AS old_rows", "invitation_day_counts_apply"),
}


def _backfill(day) -> list[str]:
    responses = ", ".join(f"sum({v})" for v in _response_values("responses", "1"))
    invitations = ", ".join(f"sum({v})" for v in _invitation_values("invitations", "1"))
    rday, iday = day("responses.created_at"), day("invitations.sent_at")
    return [
        f"INSERT INTO response_day_counts (store_id, day, shard, {', '.join(RESPONSE_COLUMNS)}) "
        f"SELECT store_id, {rday}, 0, {responses} FROM responses GROUP BY store_id, {rday}",
        f"INSERT INTO invitation_day_counts (store_id, day, channel, shard, {', '.join(INVITATION_COLUMNS)}) "
        f"SELECT store_id, {iday}, coalesce(channel, 'email'), 0, {invitations} FROM invitations "
        f"WHERE sent_at IS NOT NULL GROUP BY store_id, {iday}, coalesce(channel, 'email')",
    ]


def upgrade():
    op.create_table(
        "response_day_counts",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in RESPONSE_COLUMNS),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name="response_day_counts_store_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("store_id", "day", "shard", name="response_day_counts_pkey"),
    )
    op.create_table(
        "invitation_day_counts",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in INVITATION_COLUMNS),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name="invitation_day_counts_store_id_fkey", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("store_id", "day", "channel", "shard", name="invitation_day_counts_pkey"),
    )
    # Triggers first: on PostgreSQL creating them locks out writers until this transaction
    # commits, so no write falls between the count below and the triggers.
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, key, columns, part) in PG_FUNCTIONS.items():
            op.execute(_pg_function(name, table, key, columns, part))
        for name, (table, event, transitions, function) in PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        day = _pg_day
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")

        def day(column):
            return f"date({column})"

    for sql in _backfill(day):
        op.execute(sql)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, *_) in PG_TRIGGERS.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("invitation_day_counts")
    op.drop_table("response_day_counts")
