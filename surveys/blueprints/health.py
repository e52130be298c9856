"""Operator endpoint: /healthz reports database, mail, queue depth and dead rows.

``dead_rows`` counts work the worker set aside for good (see services/failures):
any makes the status degraded, since some customer or shop is not being served."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..services.failures import dead_count
from ..services.invitations import due_counts
from ..services.mail import mail_health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        mail_state, pending = mail_health()
        depth = pending + due_counts()
        dead = dead_count()
        db_state = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="degraded", db="error", mail="unknown", queue_depth=None, dead_rows=None), 503
    status = "ok" if mail_state == "ok" and not dead else "degraded"
    return jsonify(status=status, db=db_state, mail=mail_state, queue_depth=depth, dead_rows=dead)
