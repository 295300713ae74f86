"""The WordPress plugin against a real WordPress: Debian's package under `php -S`, a private MariaDB database.

WordPress is installed by its install form, the plugin (copied into a private WP_CONTENT_DIR) activated
through the REST API, configured through its settings page, and a post is saved through the REST API.
WordPress then calls the claimledger app served on 127.0.0.1 by this test. .ci/run installs the
packages (wordpress, php-cli, php-mysql); the MariaDB server at 127.0.0.1:3306 is the machine's.
"""

import html
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from servers import free_port
from servers import start
from servers import stop
from servers import wait_until_up
from test_articles import DRAFT

from service.delivery import signing
from service.ledger import article_jobs
from service.ledger import articles
from service.ledger import events
from service.ledger import fact_checks
from service.ledger import ratings
from service.ledger import reviews
from service.ledger import seeds
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import Source
from service.storage.models import Speaker

pytestmark = pytest.mark.slow

WORDPRESS = Path("/usr/share/wordpress")
CONFIG_DIR = Path("/etc/wordpress")
PLUGIN = Path(__file__).parent.parent / "wordpress" / "claimledger"
ADMIN, PASSWORD = "editor", "correct horse battery staple"


def _mariadb(statement):
    subprocess.run(
        ["mariadb", "-h", "127.0.0.1", "-P", "3306", "-u", "root", "-e", statement], check=True, capture_output=True
    )


@pytest.fixture
def wordpress(tmp_path):
    """A fresh WordPress on a free port with its own database and content directory; yields its base URL."""
    for needed in (WORDPRESS / "wp-settings.php", Path("/usr/bin/php"), Path("/usr/bin/mariadb")):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run .ci/run, which installs wordpress, php-cli and php-mysql")
    suffix = secrets.token_hex(4)
    database, config_name = f"wp_{suffix}", f"claimledger-test-{suffix}"
    content = tmp_path / "wp-content"
    shutil.copytree(WORDPRESS / "wp-content", content, symlinks=False)
    shutil.copytree(PLUGIN, content / "plugins" / "claimledger")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = CONFIG_DIR / f"config-{config_name}.php"
    prepend = tmp_path / "prepend.php"
    # php -S does not pass the environment into $_SERVER, where Debian's wp-config.php looks for the
    # name of a site's config file: a prepended line sets it, so this run's file is its own.
    prepend.write_text(f"<?php $_SERVER['WORDPRESS_CONFIG'] = '{config_name}';\n")
    _mariadb(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
    process = None
    try:
        config.write_text(
            "<?php\n"
            f"define('DB_NAME', '{database}');\ndefine('DB_USER', 'root');\ndefine('DB_PASSWORD', '');\n"
            "define('DB_HOST', '127.0.0.1:3306');\n"
            f"define('WP_CONTENT_DIR', '{content}');\ndefine('WP_CONTENT_URL', '{base}/wp-content');\n"
            f"define('WP_HOME', '{base}');\ndefine('WP_SITEURL', '{base}');\n"
            "define('WP_ENVIRONMENT_TYPE', 'local');\ndefine('DISABLE_WP_CRON', true);\n"
            "define('AUTOMATIC_UPDATER_DISABLED', true);\ndefine('WP_HTTP_BLOCK_EXTERNAL', false);\n"
        )
        command = ["php", "-d", f"auto_prepend_file={prepend}", "-S", f"127.0.0.1:{port}", "-t", str(WORDPRESS)]
        process = start(command, {"PHP_CLI_SERVER_WORKERS": "2"}, tmp_path / "php.log")
        wait_until_up(f"{base}/wp-admin/install.php", process)
        yield base
    finally:
        if process is not None:
            stop(process)
        config.unlink(missing_ok=True)
        _mariadb(f"DROP DATABASE IF EXISTS {database}")


def _install_and_log_in(base):
    """Install the site by its form and return a session logged in as the administrator, with a REST nonce."""
    installed = requests.post(
        f"{base}/wp-admin/install.php?step=2",
        data={
            "weblog_title": "Newsroom",
            "user_name": ADMIN,
            "admin_password": PASSWORD,
            "admin_password2": PASSWORD,
            "pw_weak": "1",
            "admin_email": "editor@news.example",
            "blog_public": "0",
        },
        timeout=120,
    )
    assert "Success!" in installed.text, installed.text[-2000:]
    session = requests.Session()
    session.cookies.set("wordpress_test_cookie", "WP Cookie check")
    logged_in = session.post(
        f"{base}/wp-login.php",
        data={"log": ADMIN, "pwd": PASSWORD, "wp-submit": "Log In", "testcookie": "1"},
        timeout=60,
    )
    assert logged_in.status_code == 200 and "wp-admin" in logged_in.url, logged_in.text[-2000:]
    nonce = session.get(f"{base}/wp-admin/admin-ajax.php?action=rest-nonce", timeout=60).text
    session.headers["X-WP-Nonce"] = nonce
    return session


def _rest(base, route):
    return f"{base}/?rest_route={route}"


def _configure(session, base, service_url, api_key, webhook_secret):
    """Fill in the plugin's settings page as an editor would."""
    page = session.get(f"{base}/wp-admin/options-general.php?page=claimledger", timeout=60)
    assert page.status_code == 200 and "claimledger/v1/webhook" in page.text
    fields = {}
    for tag in re.findall(r"<input[^>]*type=[\"']hidden[\"'][^>]*>", page.text):
        name = re.search(r"name=[\"']([^\"']+)[\"']", tag)
        value = re.search(r"value=[\"']([^\"']*)[\"']", tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    assert {"_wpnonce", "option_page", "action"} <= fields.keys(), fields
    saved = session.post(
        f"{base}/wp-admin/options.php",
        data={
            **{name: html.unescape(value) for name, value in fields.items()},
            "claimledger_service_url": service_url,
            "claimledger_api_key": api_key,
            "claimledger_webhook_secret": webhook_secret,
        },
        timeout=60,
    )
    assert saved.status_code == 200 and "settings-updated=true" in saved.url, saved.text[-1500:]


def _send_webhook(base, secret, event, tamper=False):
    body = signing.payload(event)
    message_id = events.new_message_id()
    headers = signing.headers(message_id, int(time.time()), body, [secret])
    if tamper:
        body = body.replace(b'"verdict":"contested"', b'"verdict":"supported"')
    return requests.post(
        _rest(base, "/claimledger/v1/webhook"),
        data=body,
        headers={**headers, "Content-Type": "application/json"},
        timeout=60,
    )


def test_plugin_analyses_a_saved_post_sends_candidates_embeds_and_takes_verdict_webhooks(
    wordpress, live_server, keys, monkeypatch
):
    seeds.load_all()
    prigozhin_claim = Claim.select().join(Speaker).where(Speaker.name == "Yevgeny Prigozhin").first().id
    stek_claim = Claim.select().join(Speaker).where(Speaker.name == "Levko Stek").first().id
    reviewer_key = keys["reviewer"]["Authorization"].removeprefix("Bearer ")
    webhook_secret = signing.new_secret()
    base = wordpress

    session = _install_and_log_in(base)
    namespaces = requests.get(_rest(base, "/"), timeout=60).json()["namespaces"]
    assert "oembed/1.0" in namespaces and "wp/v2" in namespaces

    activated = session.post(
        _rest(base, "/wp/v2/plugins/claimledger/claimledger"), json={"status": "active"}, timeout=60
    )
    assert activated.status_code == 200, activated.text
    assert activated.json()["status"] == "active"
    _configure(session, base, live_server, reviewer_key, webhook_secret)

    content = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in DRAFT.split("\n\n")[1:])
    content += "<script>console.log('never analysed: said nothing');</script>"
    created = session.post(
        _rest(base, "/wp/v2/posts"),
        json={"title": "Bakhmut holds", "content": content, "status": "draft"},
        timeout=120,
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]

    state = session.get(_rest(base, f"/claimledger/v1/posts/{post_id}"), timeout=60).json()
    assert state["status"] == "done", state
    analysis = state["analysis"]
    assert "console.log" not in analysis["text"]
    candidates = {
        note["candidate"]["speaker"]["name"]: (index, note)
        for index, note in reversed(list(enumerate(analysis["notes"])))
        if note["candidate"]
    }
    assert candidates["Yevgeny Prigozhin"][1]["candidate"]["role"] == "Wagner founder"
    assert candidates["Levko Stek"][1]["candidate"]["role"] == "Ukrainian border guard"
    assert {prigozhin_claim, stek_claim} <= set(state["claim_ids"])
    box = state["meta_box"]
    assert f'class="claimledger-match" data-claim="{prigozhin_claim}"' in box
    assert f'class="claimledger-conflict" data-claim="{stek_claim}"' in box
    assert "not yet reviewed" in box and "Send to the desk" in box
    assert '<strong class="claimledger-speaker">Levko Stek</strong> (in the ledger), ' in box

    editor = session.get(f"{base}/wp-admin/post.php?post={post_id}&action=edit", timeout=60)
    assert editor.status_code == 200
    assert 'id="claimledger"' in editor.text and "claimledger-candidate" in editor.text
    assert "assets/editor.js" in editor.text

    chosen = [candidates["Yevgeny Prigozhin"][0], candidates["Levko Stek"][0]]
    sources_before = Source.select().count()
    sent = session.post(_rest(base, f"/claimledger/v1/posts/{post_id}/send"), json={"candidates": chosen}, timeout=60)
    assert sent.status_code == 200, sent.text
    assert sent.json()["created"] == 2
    source = Source.get(Source.url == analysis["url"])
    assert Source.select().count() == sources_before + 1
    stored = list(Claim.select().where(Claim.source == source).order_by(Claim.id))
    assert [claim.speaker.name for claim in stored] == ["Yevgeny Prigozhin", "Levko Stek"]
    again = session.post(_rest(base, f"/claimledger/v1/posts/{post_id}/send"), json={"candidates": chosen}, timeout=60)
    # The same choice is sent under the same Idempotency-Key: the service replays its first answer.
    assert again.status_code == 200 and again.json()["claim_ids"] == sent.json()["claim_ids"]
    assert Claim.select().where(Claim.source == source).count() == 2

    # Readers see a card only once a fact-check of the claim is published.
    ratings.ensure_default_scale()
    draft = fact_checks.create_fact_check(
        {
            "headline": "Was Wagner short of shells?",
            "article_url": "https://paper.example/2023/04/10/wagner-shells",
            "authors": ["Olena Checker"],
            "rating": "mostly-false",
            "explanation": "Front-line reports show steady Russian artillery fire.",
            "language": "en",
            "claim_ids": [prigozhin_claim],
        },
        "test",
    )
    fact_checks.publish(draft.id, draft.version, "test")
    embed_url = f"{live_server}/embed/claims/{prigozhin_claim}"
    embedded = session.get(_rest(base, "/oembed/1.0/proxy") + f"&url={requests.utils.quote(embed_url)}", timeout=60)
    assert embedded.status_code == 200, embedded.text
    assert f'src="{embed_url}"' in embedded.json()["html"]

    reviews.review_claim(stek_claim, "contested", "Shells were short on the day.", [], "desk")
    event = Event.select().where(Event.type == "review.created").order_by(Event.id.desc()).first()

    tampered = _send_webhook(base, webhook_secret, event, tamper=True)
    assert tampered.status_code == 401, tampered.text
    assert session.get(_rest(base, f"/claimledger/v1/posts/{post_id}"), timeout=60).json()["new_verdicts"] == []
    forged = _send_webhook(base, signing.new_secret(), event)
    assert forged.status_code == 401

    accepted = _send_webhook(base, webhook_secret, event)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["marked"] == [post_id]
    state = session.get(_rest(base, f"/claimledger/v1/posts/{post_id}"), timeout=60).json()
    assert [(c["claim_id"], c["verdict"]) for c in state["new_verdicts"]] == [(stek_claim, "contested")]
    assert "is now <strong>contested</strong>" in state["meta_box"]

    # A long post is analysed as a job: the plugin shows it queued, and article.analyzed brings the result.
    monkeypatch.setattr(articles, "SYNC_WORD_LIMIT", 50)
    long_post = session.post(
        _rest(base, "/wp/v2/posts"),
        json={"title": "Harbour reopens", "content": content, "status": "draft"},
        timeout=120,
    )
    assert long_post.status_code == 201, long_post.text
    long_id = long_post.json()["id"]
    state = session.get(_rest(base, f"/claimledger/v1/posts/{long_id}"), timeout=60).json()
    assert state["status"] == "queued" and "claimledger-queued" in state["meta_box"]
    assert article_jobs.run_due_jobs(5) == 1
    finished = Event.select().where(Event.type == "article.analyzed").order_by(Event.id.desc()).first()
    collected = _send_webhook(base, webhook_secret, finished)
    assert collected.status_code == 200, collected.text
    assert collected.json()["marked"] == [long_id]
    state = session.get(_rest(base, f"/claimledger/v1/posts/{long_id}"), timeout=60).json()
    assert state["status"] == "done"
    assert any(note["candidate"] for note in state["analysis"]["notes"])
