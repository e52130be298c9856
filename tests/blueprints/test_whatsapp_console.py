"""The WhatsApp channel in the console and the read API: write-only secrets, the test send,
each invitation's channel and delivery state, replies, response rate by channel."""

import hashlib
import hmac
import json
import re

from sqlalchemy import select, text

from surveys.extensions import db
from surveys.models import Invitation, Response, StoreWhatsApp, utcnow
from surveys.services.tenancy import create_api_key, create_staff_user
from surveys.worker import dispatch_once

from ..cloud_api import APP_SECRET, PHONE_ID, SECRETS, TOKEN, VERIFY, reply, status
from ..factories import field_state, wa_due, wa_store

PASSWORD = "una clave muy larga"  # noqa: S105


def login(client, store, role="admin"):
    email = f"{role}-{store.slug}@tienda.test"
    create_staff_user(email, store, role, PASSWORD)
    db.session.commit()
    client.post("/staff/login", data={"email": email, "password": PASSWORD})


def settings_form(**overrides):
    form = {
        "policy": "whatsapp_first",
        "country": "MX",
        "phone_number_id": PHONE_ID,
        "access_token": TOKEN,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY,
        "template_es": "encuesta_entrega",
        "template_es_code": "es_MX",
        "template_en": "delivery_survey",
        "template_en_code": "en",
    }
    form.update(overrides)
    return form


def hook(client, store, body):
    raw = json.dumps(body).encode()
    sig = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(f"/hooks/whatsapp/{store.slug}", data=raw, headers={"X-Hub-Signature-256": sig})


def test_admin_sets_the_channel_and_the_secrets_are_never_shown_again(app, client):
    from surveys.services.tenancy import create_store

    store = create_store("Barro", "barro")
    db.session.commit()
    login(client, store)
    resp = client.post("/staff/whatsapp", data=settings_form())
    assert resp.status_code == 302
    page = client.get("/staff/whatsapp").get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in page
    for name in ("access_token", "app_secret", "verify_token"):  # write-only: said to be set, never shown
        attrs = field_state(page, name)["attrs"]
        assert (attrs["type"], attrs.get("value", ""), attrs["data-set"]) == ("password", "", "1"), name
    # Saving again with the secret fields empty keeps them.
    assert (
        client.post("/staff/whatsapp", data=settings_form(access_token="", app_secret="", verify_token="")).status_code
        == 302
    )
    row = db.session.scalar(select(StoreWhatsApp))
    from surveys.services.whatsapp.settings import credentials

    assert (credentials(row).access_token, row.policy, row.template_es_code) == (TOKEN, "whatsapp_first", "es_MX")
    dump = json.dumps([list(r) for r in db.session.execute(text("SELECT * FROM store_whatsapp")).all()], default=str)
    assert not any(secret in dump for secret in SECRETS)


def test_bad_settings_are_refused_field_by_field_and_change_nothing(app, client):
    store = wa_store()
    login(client, store)
    resp = client.post("/staff/whatsapp", data=settings_form(policy="sms", phone_number_id="abc", country="ZZ"))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert {"policy-err", "phone_number_id-err", "country-err"} <= set(re.findall(r'id="([a-z_]+-err)"', page))
    for name, typed, words in (("phone_number_id", "abc", "solo dígitos"), ("country", "ZZ", "código de país")):
        state = field_state(page, name)  # as typed, the error beside it, in the admin's language
        assert state["value"] == typed and state["invalid"] and state["beside"] and words in state["error"], state
    db.session.expire_all()
    assert db.session.scalar(select(StoreWhatsApp.policy)) == "whatsapp_first"


def test_agents_cannot_see_the_whatsapp_page(app, client):
    store = wa_store()
    login(client, store, role="agent")
    assert client.get("/staff/whatsapp").status_code == 404
    assert client.post("/staff/whatsapp/test", data={"test_phone": "5512345678"}).status_code == 404


def test_send_me_a_test_sends_both_languages_to_the_admins_phone(app, client, cloud):
    store = wa_store()
    login(client, store)
    resp = client.post("/staff/whatsapp/test", data={"test_phone": "55 8765 4321"}, follow_redirects=True)
    assert resp.status_code == 200
    sent = [(b["to"], b["template"]["name"], b["template"]["language"]["code"]) for b in cloud.accepted]
    assert sent == [("525587654321", "encuesta_entrega", "es_MX"), ("525587654321", "delivery_survey", "en")]
    page = resp.get_data(as_text=True)
    assert page.count('class="flash ok"') == 2
    assert not any(secret in page for secret in SECRETS)


def test_a_refused_test_is_reported_without_leaking_the_token(app, client, cloud):
    store = wa_store()
    login(client, store)
    cloud.plan["525587654321"] = [190, 190]
    page = client.post("/staff/whatsapp/test", data={"test_phone": "5587654321"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert page.count('class="flash error"') == 2 and "190" in page
    assert TOKEN not in page


def test_console_shows_each_invitations_channel_state_failures_and_replies(app, client, cloud):
    store = wa_store()
    read = wa_due(store, email_addr="lee@example.com")
    failing = wa_due(store, email_addr="falla@example.com", phone="55 2222 3333")
    by_email = wa_due(store, email_addr="correo@example.com", opt_in=False)
    cloud.plan["525522223333"] = [131026]
    dispatch_once()
    hook(client, store, status(cloud.accepted[0]["_id"], "read"))
    hook(client, store, reply("wamid.R1", "¿Y el otro paquete?"))
    dispatch_once()
    login(client, store)
    page = client.get("/staff/whatsapp").get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-order="([^"]+)" data-channel="([a-z]+)"', page))
    refs = {inv.order.order_ref: inv for inv in (read, failing, by_email)}
    assert rows == {r: ("whatsapp" if inv is read else "email") for r, inv in refs.items()}
    states = dict(re.findall(r'<tr data-order="([^"]+)" data-channel="[a-z]+" data-state="([a-z]*)"', page))
    assert states[read.order.order_ref] == "read" and states[by_email.order.order_ref] == "sent"
    problems = page.split('id="wa-problems"')[1].split("</table>")[0]
    assert failing.order.order_ref in problems and "131026" in problems
    assert "¿Y el otro paquete?" in page.split('id="wa-replies"')[1]


def test_response_page_says_how_the_customer_was_invited(app, client, cloud):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    db.session.add(Response(store_id=store.id, invitation_id=invitation.id, nps=9, nps_category="promoter"))
    db.session.commit()
    login(client, store)
    rid = db.session.scalar(select(Response.id))
    page = client.get(f"/staff/responses/{rid}").get_data(as_text=True)
    assert re.search(r'id="invitation-channel" data-channel="whatsapp" data-state="sent"', page)


def test_dashboard_and_metrics_give_the_response_rate_by_channel(app, client, cloud):
    store = wa_store()
    invitations = [wa_due(store, phone=f"55 1000 {n:04d}") for n in range(3)]
    invitations.append(wa_due(store, opt_in=False))
    dispatch_once()
    db.session.execute(
        Invitation.__table__.update().where(Invitation.id == invitations[0].id).values(answered_at=utcnow())
    )
    db.session.commit()
    key = create_api_key(store)
    db.session.commit()
    body = client.get("/api/v1/metrics", headers={"Authorization": f"Bearer {key}"}).get_json()
    assert body["response_rate_by_channel"] == {
        "email": {"sent": 1, "answered": 0, "response_rate": 0.0},
        "whatsapp": {"sent": 3, "answered": 1, "response_rate": 0.3333},
    }
    login(client, store)
    page = client.get("/staff/").get_data(as_text=True)
    assert re.findall(r'data-channel="([a-z]+)" data-rate="([0-9.]*)" data-sent="(\d+)"', page) == [
        ("email", "0.0", "1"),
        ("whatsapp", "0.3333", "3"),
    ]


def test_read_api_gives_the_invitation_channel_states_and_replies(app, client, cloud):
    store = wa_store()
    invitation = wa_due(store)
    dispatch_once()
    hook(client, store, status(cloud.accepted[0]["_id"], "delivered"))
    hook(client, store, reply("wamid.R2", "Gracias!"))
    key = create_api_key(store)
    db.session.commit()
    auth = {"Authorization": f"Bearer {key}"}
    body = client.get(f"/api/v1/invitations/{invitation.order.order_ref}", headers=auth).get_json()
    assert (body["status"], body["channel"], body["whatsapp"]["state"]) == ("sent", "whatsapp", "delivered")
    assert body["email"]["state"] is None and body["fell_back_to_email_at"] is None
    assert [(r["kind"], r["body"]) for r in body["replies"]] == [("reply", "Gracias!")]
    assert client.get("/api/v1/invitations/nope", headers=auth).status_code == 404
    other_key = create_api_key(wa_store())
    db.session.commit()
    foreign = client.get(
        f"/api/v1/invitations/{invitation.order.order_ref}", headers={"Authorization": f"Bearer {other_key}"}
    )
    assert foreign.status_code == 404
    for secret in SECRETS:
        assert secret not in json.dumps(body)
