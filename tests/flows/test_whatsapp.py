"""WhatsApp invitations end to end against a strict Cloud API stand-in on loopback: channel
choice, retries, fallback to email once, signed webhooks (statuses, BAJA, replies), and two
workers racing for the same rows."""

import email
import hashlib
import hmac
import json
import logging
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from surveys.extensions import db
from surveys.models import Customer, Invitation, OutboxMessage, Response, WhatsAppInbound, utcnow
from surveys.services.tokens import read_token
from surveys.worker import dispatch_once

from ..cloud_api import APP_SECRET, SECRETS, TOKEN, VERIFY, reply, status
from ..factories import deliver, make_store, wa_due, wa_store


def mails(app) -> list:
    return [email.message_from_string(raw) for raw in app.extensions.get("mail_memory", [])]


def reload(invitation) -> Invitation:
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id)


def post_hook(client, store, body, secret=APP_SECRET, header=None):
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json"}
    if header is not False:
        headers["X-Hub-Signature-256"] = header or signature
    return client.post(f"/hooks/whatsapp/{store.slug}", data=raw, headers=headers)


# -- sending ----------------------------------------------------------------------------------


def test_opted_in_customer_gets_the_approved_template_with_the_survey_token_and_no_email(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    counts = dispatch_once()
    assert counts["whatsapp"] == 1 and mails(app) == []
    [sent] = cloud.accepted
    assert sent["to"] == "525512345678" and sent["type"] == "template"
    template = sent["template"]
    assert (template["name"], template["language"]["code"]) == ("encuesta_entrega", "es_MX")
    assert [p["text"] for p in template["components"][0]["parameters"]] == ["Ana", "Barro y Fuego", "Taza de barro"]
    token = template["components"][1]["parameters"][0]["text"]
    assert read_token("survey", token)[0] == invitation.public_id
    assert client.get(f"/s/{token}").status_code == 200  # the same signed link the email carries
    invitation = reload(invitation)
    assert (invitation.status, invitation.channel, invitation.wa_state) == ("sent", "whatsapp", "sent")
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id))
    assert row.provider_id == sent["_id"] and row.status == "sent"


def test_english_customer_gets_the_english_template(app, cloud):
    store = wa_store()
    wa_due(store, locale="en-US")
    dispatch_once()
    assert [(b["template"]["name"], b["template"]["language"]["code"]) for b in cloud.accepted] == [
        ("delivery_survey", "en")
    ]


@pytest.mark.parametrize(("phone", "opt_in"), [(None, True), ("55 1234 5678", False)])
def test_without_a_phone_or_opt_in_whatsapp_first_sends_the_email(app, cloud, phone, opt_in):
    store = wa_store()
    invitation = wa_due(store, phone=phone, opt_in=opt_in)
    dispatch_once()
    assert cloud.accepted == [] and len(mails(app)) == 1
    assert reload(invitation).channel == "email"


def test_whatsapp_only_store_suppresses_customers_it_cannot_reach(app, cloud):
    store = wa_store(policy="whatsapp_only")
    invitation = wa_due(store, opt_in=False)
    assert dispatch_once()["suppressed"] == 1
    assert cloud.accepted == [] and mails(app) == []
    assert (reload(invitation).status, reload(invitation).suppressed_reason) == ("suppressed", "no_whatsapp")


def test_email_policy_never_uses_whatsapp(app, cloud):
    store = wa_store(policy="email")
    wa_due(store)
    dispatch_once()
    assert cloud.accepted == [] and len(mails(app)) == 1


@pytest.mark.parametrize("trouble", [130429, 500, "slow"])
def test_throttling_server_errors_and_timeouts_are_retried_with_backoff_and_sent_once(app, cloud, trouble):
    store = wa_store()
    invitation = wa_due(store)
    cloud.plan["525512345678"] = [trouble]
    counts = dispatch_once()
    assert counts["whatsapp_retry"] == 1 and cloud.accepted == []
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.invitation_id == invitation.id))
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert dispatch_once().get("whatsapp", 0) == 0  # not due yet
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert dispatch_once()["whatsapp"] == 1
    dispatch_once()
    assert len(cloud.accepted) == 1 and mails(app) == []
    assert reload(invitation).wa_state == "sent"


@pytest.mark.parametrize("code", [131026, 131047, 132001, 190])
def test_a_permanent_failure_falls_back_to_email_once_and_is_recorded(app, cloud, code):
    store = wa_store()
    invitation = wa_due(store)
    cloud.plan["525512345678"] = [code]
    dispatch_once()
    dispatch_once()
    assert cloud.accepted == []
    [mail] = mails(app)
    assert mail["To"].endswith(f"<{invitation.customer.email}>")
    invitation = reload(invitation)
    assert (invitation.channel, invitation.wa_state, invitation.status) == ("email", "failed", "sent")
    assert invitation.fell_back_at is not None and invitation.wa_error.startswith(str(code))


def test_an_unknown_template_is_a_permanent_failure(app, cloud):
    cloud.templates = {"otra_plantilla": {"es_MX"}}
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    assert len(mails(app)) == 1 and reload(invitation).wa_error.startswith("132001")


def test_whatsapp_only_does_not_fall_back_and_marks_the_invitation_undeliverable(app, cloud):
    store = wa_store(policy="whatsapp_only")
    invitation = wa_due(store)
    cloud.plan["525512345678"] = [131026]
    dispatch_once()
    assert mails(app) == []
    invitation = reload(invitation)
    assert (invitation.status, invitation.wa_state, invitation.fell_back_at) == ("bounced", "failed", None)


def test_the_reminder_goes_on_whatsapp_too_and_only_once(app, cloud):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    db.session.execute(update(Invitation).values(reminder_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    dispatch_once()
    dispatch_once()
    assert len(cloud.accepted) == 2 and mails(app) == []
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.invitation_id == invitation.id)).all()
    assert sorted(kinds) == ["wa_invitation", "wa_reminder"]


def test_throttling_applies_across_channels(app, cloud):
    store = wa_store()
    first = wa_due(store, email_addr="ana@example.com")
    dispatch_once()
    second = wa_due(store, email_addr="ana@example.com")
    dispatch_once()
    assert reload(first).channel == "whatsapp"
    assert (reload(second).status, reload(second).suppressed_reason) == ("suppressed", "throttled")
    assert len(cloud.accepted) == 1 and mails(app) == []


# -- webhook ----------------------------------------------------------------------------------


def test_handshake_echoes_the_challenge_only_for_the_store_verify_token(app, client):
    store = wa_store()
    ok = client.get(
        f"/hooks/whatsapp/{store.slug}?hub.mode=subscribe&hub.verify_token={VERIFY}&hub.challenge=1158201444"
    )
    assert (ok.status_code, ok.get_data(as_text=True)) == (200, "1158201444")
    for query in (
        "hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1",
        f"hub.mode=unsubscribe&hub.verify_token={VERIFY}&hub.challenge=1",
    ):
        assert client.get(f"/hooks/whatsapp/{store.slug}?{query}").status_code == 403
    assert client.get(f"/hooks/whatsapp/nope?hub.mode=subscribe&hub.verify_token={VERIFY}").status_code == 403


def test_bad_missing_or_foreign_signatures_and_unknown_slugs_get_the_same_401(app, client):
    store = wa_store()
    other = wa_store()
    body = reply("wamid.X1", "BAJA")
    answers = [
        post_hook(client, store, body, secret="not-the-secret"),
        post_hook(client, store, body, header=False),
        post_hook(client, store, body, header="sha256=" + "0" * 64),
        post_hook(client, make_store()[0], body),  # a store without WhatsApp
    ]
    answers.append(client.post("/hooks/whatsapp/no-such-store", data=json.dumps(body), headers={}))
    assert {r.status_code for r in answers} == {401}
    assert len({r.get_data() for r in answers}) == 1
    assert db.session.scalar(select(func.count()).select_from(WhatsAppInbound)) == 0
    assert post_hook(client, other, body).status_code == 200  # right secret, right store


def test_statuses_move_forward_only_and_are_recorded_on_the_invitation(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    wamid = cloud.accepted[0]["_id"]
    assert post_hook(client, store, status(wamid, "read")).status_code == 200
    post_hook(client, store, status(wamid, "delivered"))  # late, out of order
    assert reload(invitation).wa_state == "read"


def test_a_failed_status_falls_back_to_email_once_even_when_the_webhook_repeats(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    wamid = cloud.accepted[0]["_id"]
    for _ in range(3):
        assert post_hook(client, store, status(wamid, "failed", error=131026)).status_code == 200
    dispatch_once()
    assert len(mails(app)) == 1
    invitation = reload(invitation)
    assert (invitation.channel, invitation.wa_state) == ("email", "failed")
    assert invitation.wa_error.startswith("131026")


def test_baja_from_a_521_number_unsubscribes_the_52_customer_and_is_confirmed_once(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    for _ in range(2):  # the platform repeats webhooks with the same message id
        assert post_hook(client, store, reply("wamid.IN1", "BAJA")).status_code == 200
    dispatch_once()
    customer = db.session.get(Customer, invitation.customer_id)
    assert customer.whatsapp_unsubscribed_at is not None
    texts = [b for b in cloud.accepted if b["type"] == "text"]
    assert len(texts) == 1 and texts[0]["to"] == "5215512345678"
    assert "WhatsApp" in texts[0]["text"]["body"]
    assert db.session.scalar(select(func.count()).select_from(WhatsAppInbound)) == 1


@pytest.mark.parametrize("word", ["STOP", "no más", "Baja por favor", "darme de baja"])
def test_stop_words_in_both_languages_unsubscribe(app, cloud, client, word):
    store = wa_store()
    invitation = wa_due(store)
    post_hook(client, store, reply("wamid.S1", word, sender="525512345678"))
    assert db.session.get(Customer, invitation.customer_id).whatsapp_unsubscribed_at is not None


def test_after_baja_the_reminder_goes_by_email(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    post_hook(client, store, reply("wamid.IN2", "stop"))
    db.session.execute(update(Invitation).values(reminder_due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    dispatch_once()
    assert [b["type"] for b in cloud.accepted] == ["template", "text"]
    assert len(mails(app)) == 1 and reload(invitation).reminder_sent_at is not None


def test_any_other_reply_is_kept_for_staff_and_is_not_an_answer(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    post_hook(client, store, reply("wamid.IN3", "Llegó roto el jarro, ¿me ayudan?"))
    kept = db.session.scalar(select(WhatsAppInbound))
    assert (kept.kind, kept.invitation_id, kept.body) == ("reply", invitation.id, "Llegó roto el jarro, ¿me ayudan?")
    assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert reload(invitation).status == "sent"
    assert db.session.get(Customer, invitation.customer_id).whatsapp_unsubscribed_at is None


def test_no_secret_reaches_the_logs(app, cloud, client, caplog):
    caplog.set_level(logging.DEBUG)
    store = wa_store()
    wa_due(store)
    cloud.plan["525512345678"] = [190]
    dispatch_once()
    post_hook(client, store, reply("wamid.L1", "hola"), secret="wrong")
    client.get(f"/hooks/whatsapp/{store.slug}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1")
    assert caplog.records  # the failure was logged ...
    for secret in SECRETS:  # ... without any secret
        assert secret not in caplog.text


# -- two workers --------------------------------------------------------------------------------


def test_two_dispatch_processes_over_60_whatsapp_invitations_send_each_once(app, cloud, database_url):
    store = wa_store()
    for n in range(60):
        invitation = deliver(store, email=f"c{n}@example.com")
        invitation.customer.phone, invitation.customer.whatsapp_opt_in = f"+5255100{n:05d}", True
    db.session.execute(update(Invitation).values(send_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    env = {
        **os.environ,
        "SURVEYS_ENV": "test",
        "SURVEYS_SECRET_KEY": app.config["SECRET_KEY"],
        "SURVEYS_DATABASE_URL": database_url,
        "SURVEYS_MAIL_BACKEND": "memory",
        "SURVEYS_BASE_URL": "http://survey.test",
        "SURVEYS_DISPATCH_BATCH_SIZE": "7",
        "SURVEYS_WHATSAPP_API_BASE": cloud.url,
    }
    cmd = [sys.executable, "-m", "flask", "--app", "surveys", "dispatch"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    per_process = [int(re.search(rb"\bwhatsapp=(\d+)", out).group(1)) for out, _ in outputs]
    assert sum(per_process) == 60, per_process
    recipients = [b["to"] for b in cloud.accepted]
    assert len(recipients) == 60 and len(set(recipients)) == 60
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")) == 60
    )


def test_erasure_removes_the_customer_whatsapp_messages_and_replies(app, cloud, client):
    from surveys.services import privacy

    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    post_hook(client, store, reply("wamid.E1", "Llegó roto"))
    post_hook(client, store, reply("wamid.E2", "BAJA"))
    dispatch_once()
    privacy.erase_customer(store, invitation.customer.email)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(WhatsAppInbound)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_baja_before_a_queued_invitation_leaves_sends_it_by_email_instead(app, cloud, client):
    store = wa_store()
    invitation = wa_due(store)
    from surveys.services.invitations import enqueue_due_invitations

    enqueue_due_invitations()  # queued on WhatsApp, not sent yet
    db.session.commit()
    post_hook(client, store, reply("wamid.B1", "BAJA"))
    dispatch_once()
    assert [b["type"] for b in cloud.accepted] == ["text"]  # only the confirmation
    assert len(mails(app)) == 1
    assert (reload(invitation).channel, reload(invitation).wa_state) == ("email", "failed")


def test_the_client_does_not_follow_redirects_with_the_token(app):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from surveys.services.whatsapp import cloud as cloud_client
    from surveys.services.whatsapp.settings import Credentials

    seen = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app.config["WHATSAPP_API_BASE"] = f"http://127.0.0.1:{server.server_port}"
        with pytest.raises(cloud_client.CloudError) as failure:
            cloud_client.send(Credentials("1", TOKEN, None, None), {"messaging_product": "whatsapp"})
        assert failure.value.transient is False and TOKEN not in str(failure.value)
        assert [path for path, _ in seen] == ["/1/messages"]
    finally:
        server.shutdown()
        server.server_close()
