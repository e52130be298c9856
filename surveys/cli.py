"""Command line (``flask --app surveys ...``): thin wrappers over the services."""

from __future__ import annotations

import csv
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from .errors import DomainError
from .extensions import db
from .services import demo, tenancy


def _store(slug: str):
    store = tenancy.get_store_by_slug(slug)
    if store is None:
        raise click.ClickException(f"no store with slug {slug!r}")
    return store


def _fail(exc: DomainError):
    db.session.rollback()
    with force_locale("en"):  # the command line speaks English throughout
        detail = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        message = str(exc.message) + (f" ({detail})" if detail else "")
    raise click.ClickException(message)


store_cli = AppGroup("store", help="Manage stores.")
user_cli = AppGroup("user", help="Manage staff accounts.")
deliveries_cli = AppGroup("deliveries", help="Bulk intake of deliveries.")
customer_cli = AppGroup("customer", help="GDPR access and erasure for one customer of one store.")


@customer_cli.command("export")
@click.argument("email")
@click.option("--store", "slug", required=True)
def customer_export(email, slug):
    """Print everything held about EMAIL in the store, as JSON."""
    from .services import privacy

    click.echo(json.dumps(privacy.export_customer(_store(slug), email), ensure_ascii=False, indent=2))


@customer_cli.command("erase")
@click.argument("email")
@click.option("--store", "slug", required=True)
def customer_erase(email, slug):
    """Erase EMAIL's personal data in the store (scores stay, anonymous)."""
    from .services import privacy

    counts = privacy.erase_customer(_store(slug), email)
    db.session.commit()
    click.echo(
        f"erased: customer {counts['customer']}, comments {counts['comments']}, emails {counts['emails']}, "
        f"tasks closed {counts['tasks']}"
    )


@store_cli.command("create")
@click.argument("name")
@click.option("--slug", required=True)
@click.option("--locale", default="es", show_default=True)
@click.option("--timezone", "tz", default="America/Mexico_City", show_default=True)
@click.option("--sender", default=None, help='e.g. "Shop <hola@shop.test>"')
@click.option("--send-window", default=None, help="local hours, e.g. 9-20")
@click.option("--json", "as_json", is_flag=True)
def store_create(name, slug, locale, tz, sender, send_window, as_json):
    """Create a store; prints its API key (shown once), webhook secret and widget key."""
    try:
        store = tenancy.create_store(name, slug, locale, tz, sender, send_window)
        key = tenancy.create_api_key(store)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    out = {
        "slug": store.slug,
        "api_key": key,
        "webhook_secret": store.webhook_secret,
        "widget_key": store.widget_key,
        "feed_key": store.feed_key,
    }
    click.echo(json.dumps(out) if as_json else "\n".join(f"{k}: {v}" for k, v in out.items()))


@store_cli.command("webhook")
@click.argument("slug")
@click.argument("url", required=False)
def store_webhook(slug, url):
    """Send signed task and response events to URL (https); without URL, stop sending."""
    from .services import outbound

    try:
        secret = outbound.configure(_store(slug), url)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"signing secret: {secret}" if secret else "outbound events off")


@store_cli.command("whatsapp")
@click.argument("slug")
@click.option("--phone-number-id", default=None, help="the Cloud API phone number id")
@click.option("--app-secret", default=None, help="the Meta app's secret (verifies webhooks)")
@click.option("--verify-token", default=None, help="the webhook handshake's verify token")
@click.option("--template", "templates", multiple=True, help="LANG=NAME, e.g. es=encuesta_entrega or es_MX=...")
@click.option("--policy", type=click.Choice(["email", "whatsapp_first", "whatsapp_only"]), required=True)
@click.option("--country", default=None, help="default country for phone numbers, e.g. MX")
def store_whatsapp(slug, phone_number_id, app_secret, verify_token, templates, policy, country):
    """Set the store's WhatsApp channel; the access token is read from standard input
    (empty input keeps the stored one). Prints nothing secret."""
    from .services.whatsapp import settings as wa_settings

    token = sys.stdin.readline().strip() if not sys.stdin.isatty() else ""
    store = _store(slug)
    try:
        channel = wa_settings.configure_channel(
            store,
            policy=policy,
            phone_number_id=phone_number_id,
            templates=wa_settings.parse_templates(list(templates)),
            country=country,
            access_token=token or None,
            app_secret=app_secret,
            verify_token=verify_token,
        )
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    info = wa_settings.describe(channel)
    info["webhook_url"] = f"{current_app.config['BASE_URL']}/hooks/whatsapp/{store.slug}"
    click.echo(json.dumps(info, ensure_ascii=False))


@user_cli.command("create")
@click.argument("email")
@click.option("--store", "slug", required=True)
@click.option("--role", type=click.Choice(["admin", "agent"]), required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_create(email, slug, role, password_stdin):
    """Create a staff member (or add a store to an existing one)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and len(password) < 10:
        raise click.ClickException("the password must have at least 10 characters")
    try:
        user = tenancy.create_staff_user(email, _store(slug), role, password)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"{user.email} is {role} of {slug}")


@user_cli.command("disable")
@click.argument("email")
def user_disable(email):
    """Disable a staff account everywhere (every store) and end its sessions."""
    _set_account_active(email, False)


@user_cli.command("enable")
@click.argument("email")
def user_enable(email):
    """Enable a disabled staff account again."""
    _set_account_active(email, True)


def _set_account_active(email: str, active: bool) -> None:
    try:
        tenancy.set_account_active(email, active)
    except DomainError as exc:
        _fail(exc)
    db.session.commit()
    click.echo(f"{email} is {'enabled' if active else 'disabled'}")


@deliveries_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--store", "slug", required=True)
@click.option("--dry-run", is_flag=True, help="validate only; write nothing")
def deliveries_import(file, slug, dry_run):
    """Import deliveries from CSV (order_id,email,name,locale,delivered_at,sku,product_name; optional
    product_url,image_url,gtin,mpn,brand).

    Separated by commas, semicolons (Excel where the decimal mark is a comma) or tabs, as the
    header line shows. Streams the file (constant memory), commits every 500 orders, shows progress
    on a terminal, reports rejected lines with their line numbers.
    """
    import os

    from .services.intake import csv_rows, import_csv

    store = _store(slug)
    counts = {"created": 0, "duplicate": 0, "rejected": 0, "valid": 0}
    with (
        force_locale("en"),  # the command line speaks English throughout, field errors included
        open(file, encoding="utf-8-sig", newline="") as fh,
        click.progressbar(length=os.path.getsize(file), label="importing", file=sys.stderr) as bar,
    ):

        def lines():
            for line in fh:
                bar.update(len(line.encode("utf-8")))
                yield line

        try:
            for n, outcome in enumerate(import_csv(store, csv_rows(lines()), dry_run=dry_run), 1):
                counts[outcome.status] += 1
                if outcome.status == "rejected":
                    fields = ", ".join(f"{k}: {v}" for k, v in outcome.errors.items())
                    _echo_above(bar, f"line {outcome.line}: rejected order {outcome.order_id or '?'} ({fields})")
                if n % 500 == 0 and not dry_run:
                    db.session.commit()
        except DomainError as exc:
            _fail(exc)
        except (csv.Error, UnicodeDecodeError) as exc:  # not a UTF-8 CSV file: say where, keep what was committed
            db.session.rollback()
            raise click.ClickException(
                f"unreadable CSV (UTF-8 expected): {exc}; created so far {counts['created']}"
            ) from None
    if dry_run:
        db.session.rollback()
        click.echo(f"dry run: valid {counts['valid']}, rejected {counts['rejected']}")
    else:
        db.session.commit()
        click.echo(f"created {counts['created']}, duplicate {counts['duplicate']}, rejected {counts['rejected']}")


def _echo_above(bar, message: str) -> None:
    """``message`` on a line of its own above the progress bar. On a terminal click keeps the bar
    on the cursor's line, so a plain echo would continue that line: clear it, write the message,
    and draw the bar again beneath it (click redraws only a changed line, hence the reset)."""
    if bar.hidden or not getattr(bar, "_is_atty", False):
        click.echo(message, file=bar.file)
        return
    click.echo("\r\x1b[2K" + message, file=bar.file)
    bar._last_line = None
    bar.render_progress()


@click.command("dispatch")
def dispatch_cmd():
    """One pass over due work (invitations, reminders, mail), then exit."""
    from .worker import dispatch_once

    counts = dispatch_once()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@click.command("worker")
def worker_cmd():
    """Run the background worker until interrupted."""
    from .worker import run_worker

    run_worker()


@click.command("demo")
def demo_cmd():
    """Seed a demo shop with staff, products and ~300 responses over 12 weeks (idempotent)."""
    info = demo.seed_demo()
    db.session.commit()
    click.echo(demo.describe(info, current_app.config["BASE_URL"]))


@click.command("analyze")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None, help="skip detection, read as this language")
def analyze_cmd(lang):
    """Read one comment per line on stdin; write one JSON reading per line (the service's own code path)."""
    from .reading.analysis import analyze_text

    for line in sys.stdin:
        text = line.rstrip("\n")
        click.echo(json.dumps(analyze_text(text, lang=lang).as_json(), ensure_ascii=False))


@click.command("evaluate-comments")
@click.option("--data", "data_dir", default="tests/data", show_default=True, type=click.Path(exists=True))
@click.option(
    "--sealed",
    "sealed_dir",
    default=None,
    type=click.Path(),
    help="a held-out directory with the same comments_es.tsv / comments_en.tsv; only aggregates are printed",
)
def evaluate_comments_cmd(data_dir, sealed_dir):
    """Report sentiment, topic and language accuracy on the labelled comment sets.

    One JSON line per language and set (``"set": "dev"`` or ``"sealed"``), then, with
    ``--sealed``, a side-by-side table with the gap (dev minus sealed).
    """
    from pathlib import Path

    from .reading.evaluation import evaluate, load

    sets = {"dev": Path(data_dir)}
    if sealed_dir:
        sets["sealed"] = Path(sealed_dir)
    results = {}
    for lang in ("es", "en"):
        for name, folder in sets.items():
            path = folder / f"comments_{lang}.tsv"
            if not path.exists():
                if name == "dev":
                    raise click.ClickException(f"missing {path}")
                click.echo(json.dumps({"lang": lang, "set": name, "missing": str(path)}))
                continue
            results[lang, name] = evaluate(load(path, lang))
            click.echo(json.dumps({"lang": lang, "set": name, **results[lang, name]}))
    if sealed_dir:
        metrics = ("macro_f1", "label_macro_f1", "neg_vs_pos_labels", "topic_micro_f1", "language_accuracy")
        click.echo("| lang | metric | dev | sealed | gap |")
        click.echo("|---|---|---|---|---|")
        for lang in ("es", "en"):
            dev, sealed = results.get((lang, "dev")), results.get((lang, "sealed"))
            if not dev or not sealed:
                continue
            for metric in metrics:
                gap = dev[metric] - sealed[metric]
                click.echo(f"| {lang} | {metric} | {dev[metric]:.3f} | {sealed[metric]:.3f} | {gap:+.3f} |")


def register_cli(app) -> None:
    for command in (
        store_cli,
        user_cli,
        deliveries_cli,
        customer_cli,
        dispatch_cmd,
        worker_cmd,
        demo_cmd,
        analyze_cmd,
        evaluate_comments_cmd,
    ):
        app.cli.add_command(command)
