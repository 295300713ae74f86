"""Bulk import (POST /claims/batch, service.ledger.bulk) and export (GET /claims/export, service.ledger.export)."""

import csv
import datetime
import io
import json

import pytest
from checks import TwoWriters
from factories import claim_data
from factories import make_claim
from factories import make_topic

from service.ledger import bulk
from service.ledger import claims
from service.ledger import export
from service.schemas.claims import ClaimOut
from service.storage.models import Claim
from service.storage.models import ClaimAppearance
from service.storage.models import ClaimTopic
from service.storage.models import Delivery
from service.storage.models import Event
from service.storage.models import Source
from service.storage.models import Speaker
from service.storage.models import SpeakerAlias
from service.storage.models import Webhook

BATCH = "/api/v1/claims/batch"
EXPORT = "/api/v1/claims/export"
NDJSON = "application/x-ndjson"


def ndjson(items):
    return "".join(json.dumps(item) + "\n" for item in items)


def post_batch(client, headers, items, content_type="application/json"):
    body = json.dumps(items) if content_type == "application/json" else ndjson(items)
    return client.post(BATCH, data=body, headers={**headers, "Content-Type": content_type})


def stored_counts():
    return {
        model.__name__: model.select().count()
        for model in (Claim, Speaker, SpeakerAlias, Source, ClaimAppearance, ClaimTopic, Event)
    }


def varied_claims(count, speaker_id=None, source_id=None):
    """Return raw claims that use every input shape: new and known speakers and sources, aliases, topics, times."""
    items = []
    for n in range(count):
        item = claim_data(
            text=f"Bulk claim {n}: {'shells' if n % 3 else 'grain'} delivered to the front, by count {n * 7}",
            speaker={"name": f"Speaker {n % 37}"},
            source={"url": f"https://bulk.example/{n % 101}", "publisher": f"Publisher {n % 5}"},
            claimed_on=f"20{10 + n % 14}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            topics=[{"slug": "ammunition", "stance": ("affirms", "denies", "neutral")[n % 3]}] if n % 2 else [],
        )
        if n % 4 == 0:
            item["quote"] = f"“We have {n} shells,” said the speaker — é ü 中"
        if n % 5 == 0:
            item["appearances"] = [
                {"url": f"https://bulk.example/{(n + 1) % 101}", "publisher": "Elsewhere"},
                {"url": f"https://mirror.example/{n}", "publisher": "Mirror", "title": "A copy", "kind": "video"},
            ]
        if n % 7 == 0:
            item["claimed_on"] = f"2021-03-{1 + n % 28:02d}T{n % 24:02d}:15:00+02:00"
        if n % 11 == 0:
            item["language"] = "uk"
        if n % 13 == 0 and speaker_id:
            item["speaker"] = {"id": speaker_id}
        if n % 17 == 0 and source_id:
            item["source"] = {"id": source_id}
        items.append(item)
    return items


def expected_fields(item):
    """Return what a stored claim must show for a raw item, in the terms of the API's output."""
    claimed_on = item["claimed_on"]
    if len(claimed_on) > 10:
        loaded = bulk.validate_batch([item])[0]["claimed_on"]
        claimed_on = loaded.isoformat(timespec="seconds") + "Z"
    return {
        "text": item["text"],
        "quote": item.get("quote"),
        "claimed_on": claimed_on,
        "language": item.get("language", "en"),
        "topics": [(topic["slug"], topic["stance"]) for topic in item.get("topics", [])],
    }


def shown_fields(document):
    return {
        "text": document["text"],
        "quote": document["quote"],
        "claimed_on": document["claimed_on"],
        "language": document["language"],
        "topics": [(topic["slug"], topic["stance"]) for topic in document["topics"]],
    }


def test_json_array_batch_creates_every_claim_as_post_claims_would(client, keys):
    make_topic()
    items = varied_claims(30)
    response = post_batch(client, keys["reviewer"], items)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["created"] == 30
    assert len(body["ids"]) == 30
    for claim_id, item in zip(body["ids"], items, strict=True):
        shown = client.get(f"/api/v1/claims/{claim_id}").get_json()
        assert shown_fields(shown) == expected_fields(item)
        assert shown["speaker"]["name"] == item["speaker"]["name"]
        assert shown["source"]["url"] == item["source"]["url"]
        wanted = [ref["url"] for ref in item.get("appearances", []) if ref["url"] != item["source"]["url"]]
        assert [source["url"] for source in shown["appearances"]] == wanted
    assert Speaker.select().count() == 30
    assert Source.select().count() == 30 + 6


def test_ndjson_batch_matches_speakers_by_name_and_alias_and_reuses_known_rows(client, keys):
    make_topic()
    known = make_claim(speaker={"name": "Olena Known"}, source={"url": "https://known.example/a", "publisher": "K"})
    items = [
        claim_data(speaker={"name": "Ann  LEE", "aliases": ["A. Lee", "Annie"]}),
        claim_data(speaker={"name": "ann lee"}),
        claim_data(speaker={"name": "a. lee"}),
        claim_data(speaker={"name": "olena known"}, source={"url": "https://known.example/a"}),
        claim_data(speaker={"id": known.speaker.id}, source={"id": known.source.id}),
    ]
    response = post_batch(client, keys["reviewer"], items, NDJSON)
    assert response.status_code == 201, response.get_json()
    stored = [claims.get_claim(claim_id) for claim_id in response.get_json()["ids"]]
    assert len({claim.speaker_id for claim in stored[:3]}) == 1
    assert stored[0].speaker.name == "Ann LEE"
    assert sorted(alias.alias for alias in SpeakerAlias.select()) == ["A. Lee", "Annie"]
    assert {claim.speaker_id for claim in stored[3:]} == {known.speaker.id}
    assert {claim.source_id for claim in stored[3:]} == {known.source.id}
    assert Speaker.select().count() == 2


def test_every_claim_gets_one_event_showing_it_as_get_does_and_webhooks_get_theirs(client, keys):
    make_topic()
    wants_claims = Webhook.create(url="https://hooks.example/a", event_types=["claim.created"], secret="whsec_a")
    Webhook.create(url="https://hooks.example/b", event_types=["speaker.created"], secret="whsec_b")
    Webhook.create(url="https://hooks.example/c", event_types=["*"], secret="whsec_c", active=False)
    items = varied_claims(12)
    ids = post_batch(client, keys["reviewer"], items).get_json()["ids"]
    created = list(Event.select().where(Event.type == "claim.created").order_by(Event.id))
    assert [event.object_id for event in created] == ids
    for event in created:
        assert event.actor == "reviewer"
        assert event.data == client.get(f"/api/v1/claims/{event.object_id}").get_json()
    speaker_events = Event.select().where(Event.type == "speaker.created")
    assert sorted(event.data["name"] for event in speaker_events) == sorted({i["speaker"]["name"] for i in items})
    assert Event.select().where(Event.type == "source.created").count() == Source.select().count()
    # The per-row events stay in the feed; webhooks get one claims.imported, sent to claim.created's
    # subscribers too (speaker.created's get nothing: the batch's speakers are in the feed).
    [delivery] = Delivery.select()
    imported = Event.get(Event.type == "claims.imported")
    assert (delivery.webhook_id, delivery.event_id, delivery.status) == (wants_claims.id, imported.id, "pending")
    assert imported.data["ids"] == ids and imported.data["counts"]["created"] == 12
    first_of_batch = Event.select().where(Event.type == "speaker.created").order_by(Event.id).first()
    assert imported.data["first_event_id"] == first_of_batch.id


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"text": None}, "text", "Field may not be null."),
        ({"claimed_on": "07/04/2023"}, "claimed_on", "Not a valid date or date-time"),
        ({"colour": "red"}, "colour", "Unknown field."),
        ({"speaker": {}}, "speaker", "Give either id or name."),
        ({"topics": [{"slug": "ammunition", "stance": "maybe"}]}, "topics.0.stance", "Must be one of"),
        ({"topics": [{"slug": "no-such-topic", "stance": "affirms"}]}, "topics", "Unknown topic slug"),
        ({"speaker": {"id": 999999}}, "speaker.id", "No speaker with id 999999."),
        ({"source": {"id": 999999}}, "source.id", "No source with id 999999."),
        ({"source": {"url": "https://new.example/x"}}, "source.publisher", "Needed to create a source"),
        ({"appearances": [{"url": "https://new.example/y"}]}, "appearances.0.publisher", "Needed to create"),
        ({"speaker": {"name": "Fresh", "aliases": ["Test Speaker"]}}, "speaker.aliases", "already names another"),
    ],
)
def test_one_bad_item_among_many_fails_the_batch_naming_it_and_stores_nothing(client, keys, bad, field, message):
    make_topic()
    make_claim(speaker={"name": "Test Speaker"})
    before = stored_counts()
    items = varied_claims(40)
    items[23] = {**items[23], **bad}
    response = post_batch(client, keys["reviewer"], items)
    assert response.status_code == 422
    body = response.get_json()
    assert list(body["errors"]) == [f"23.{field}"]
    assert message in " ".join(body["errors"][f"23.{field}"])
    assert body["detail"] == "1 of 40 claims are invalid; nothing was stored."
    assert stored_counts() == before


def test_every_bad_item_is_reported_up_to_a_hundred(client, keys):
    items = [claim_data() for _ in range(300)]
    for index in range(0, 300, 2):
        items[index] = {**items[index], "text": ""}
    items[5]["claimed_on"] = "soon"
    body = post_batch(client, keys["reviewer"], items).get_json()
    assert body["status"] == 422
    assert body["detail"] == "151 of 300 claims are invalid; nothing was stored. The first 100 are listed."
    indexes = [int(key.split(".")[0]) for key in body["errors"]]
    assert indexes == sorted(indexes)
    assert len(set(indexes)) == 100
    assert "5.claimed_on" in body["errors"]
    assert Claim.select().count() == 0


def test_domain_errors_of_several_items_are_all_reported(client, keys):
    items = [claim_data() for _ in range(6)]
    items[1]["topics"] = [{"slug": "nope", "stance": "affirms"}]
    items[4]["speaker"] = {"id": 424242}
    body = post_batch(client, keys["reviewer"], items).get_json()
    assert body["errors"] == {
        "1.topics": ["Unknown topic slug 'nope'."],
        "4.speaker.id": ["No speaker with id 424242."],
    }
    assert Claim.select().count() == 0


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        ('{"text": "a"}\n{"text": \n', NDJSON, 400, "Line 2 is not valid JSON"),
        ("\n\n[1, 2", "application/json", 400, "The body is not valid JSON"),
        ('{"text": "not an array"}', "application/json", 422, "Send a JSON array of claims"),
        ("[]", "application/json", 422, "The batch holds no claims."),
        (b"[\xff]", "application/json", 400, "The body is not UTF-8"),
    ],
)
def test_malformed_bodies_are_refused_by_name(client, keys, body, content_type, status, detail):
    response = client.post(BATCH, data=body, headers={**keys["reviewer"], "Content-Type": content_type})
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert detail in response.get_json()["detail"]
    assert Claim.select().count() == 0


def test_malformed_ndjson_names_its_line(client, keys):
    body = ndjson([claim_data(), claim_data()]) + "\n" + "{oops}\n" + ndjson([claim_data()])
    response = client.post(BATCH, data=body, headers={**keys["reviewer"], "Content-Type": NDJSON})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"line.4": ["Not valid JSON."]}


def test_more_than_ten_thousand_claims_are_refused(client, keys):
    items = [{"text": "x"}] * 10_001
    response = post_batch(client, keys["reviewer"], items, NDJSON)
    assert response.status_code == 422
    assert "at most 10,000 claims, not 10,001" in response.get_json()["detail"]


def test_a_body_over_the_batch_limit_is_413(app, client, keys):
    app.config["MAX_BATCH_BYTES"] = 2000
    response = post_batch(client, keys["reviewer"], [claim_data() for _ in range(20)])
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert Claim.select().count() == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_other_content_types_are_415(client, keys, content_type):
    response = client.post(
        BATCH, data=ndjson([claim_data()]), headers={**keys["reviewer"], "Content-Type": content_type}
    )
    assert response.status_code == 415
    assert "application/json or application/x-ndjson" in response.get_json()["detail"]


def test_ndjson_is_accepted_on_the_batch_route_only(client, keys):
    response = client.post(
        "/api/v1/claims", data=ndjson([claim_data()]), headers={**keys["reviewer"], "Content-Type": NDJSON}
    )
    assert response.status_code == 415


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("reader", 403), ("reviewer", 201), ("admin", 201)])
def test_batch_needs_a_reviewer(client, keys, key, status):
    response = post_batch(client, keys[key] if key else {}, [claim_data()])
    assert response.status_code == status
    assert Claim.select().count() == (1 if status == 201 else 0)


def read_ndjson(response):
    assert response.status_code == 200
    assert response.mimetype == NDJSON
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def as_get_shows(document):
    """Return an exported line without what the export adds to GET /claims/{id}: aliases, descriptions, reviews."""
    shown = {key: value for key, value in document.items() if key != "reviews"}
    shown["speaker"] = {key: value for key, value in document["speaker"].items() if key != "aliases"}
    shown["topics"] = [{key: value for key, value in t.items() if key != "description"} for t in document["topics"]]
    return shown


@pytest.mark.slow
def test_ten_thousand_claims_round_trip_through_ndjson_import_and_streamed_export(client, keys):
    make_topic()
    items = varied_claims(10_000)
    response = post_batch(client, keys["reviewer"], items, NDJSON)
    assert response.status_code == 201, response.get_json()
    ids = response.get_json()["ids"]
    assert len(ids) == 10_000
    exported = read_ndjson(client.get(EXPORT))
    assert len(exported) == 10_000
    by_id = {document["id"]: document for document in exported}
    for claim_id, item in zip(ids, items, strict=True):
        document = by_id[claim_id]
        assert shown_fields(document) == expected_fields(item)
        assert document["speaker"]["name"] == item["speaker"]["name"]
        assert document["source"]["url"] == item["source"]["url"]
        wanted = [ref["url"] for ref in item.get("appearances", []) if ref["url"] != item["source"]["url"]]
        assert [source["url"] for source in document["appearances"]] == wanted
    order = [(datetime.datetime.fromisoformat(d["claimed_on"].rstrip("Z")), d["id"]) for d in exported]
    assert order == sorted(order, reverse=True)
    for document in exported[::250]:
        assert as_get_shows(document) == client.get(f"/api/v1/claims/{document['id']}").get_json()


def test_export_shows_each_claim_exactly_as_get_does(client, keys):
    make_topic()
    speaker_id = make_claim(speaker={"name": "Known Person"}).speaker.id
    source_id = make_claim(
        source={"url": "https://known.example/s", "publisher": "Known", "published_on": "2023-01-02"}
    ).source.id
    post_batch(client, keys["reviewer"], varied_claims(60, speaker_id=speaker_id, source_id=source_id))
    exported = read_ndjson(client.get(EXPORT))
    assert len(exported) == 62
    for document in exported:
        assert as_get_shows(document) == client.get(f"/api/v1/claims/{document['id']}").get_json()


def test_export_pages_through_equal_dates_exactly_once_in_listing_order(app):
    make_topic()
    for n in range(23):
        make_claim(claimed_on="2023-04-07" if n % 3 else "2022-01-01T10:00:00Z")
    exported = list(export.export_claims({}, chunk_size=5))
    listed = []
    cursor = None
    with app.test_request_context():
        while True:
            page, cursor = claims.list_claims({}, limit=4, cursor=cursor, secret="test-secret")
            listed += [document["id"] for document in page]
            if cursor is None:
                break
    assert [document["id"] for document in exported] == listed
    assert [as_get_shows(d) for d in exported] == [ClaimOut().dump(claims.get_claim(claim_id)) for claim_id in listed]


@pytest.mark.parametrize(
    "query",
    [
        "speaker=Speaker%203",
        "topic=ammunition",
        "topic=ammunition&stance=denies",
        "stance=affirms",
        "status=unreviewed",
        "status=supported",
        "language=uk",
        "claimed_from=2015-01-01&claimed_to=2016-12-31",
        "q=grain",
        "topic=ammunition&q=shells&claimed_from=2018-01-01",
    ],
)
def test_export_applies_the_listings_filters(client, keys, query):
    make_topic()
    post_batch(client, keys["reviewer"], varied_claims(120))
    listed = []
    cursor = ""
    while cursor is not None:
        page = client.get(f"/api/v1/claims?{query}&limit=200{cursor}").get_json()
        listed += [item["id"] for item in page["items"]]
        cursor = f"&cursor={page['next_cursor']}" if page["next_cursor"] else None
    exported = [document["id"] for document in read_ndjson(client.get(f"{EXPORT}?{query}"))]
    assert sorted(exported) == sorted(listed)
    if "q=" not in query:
        assert exported == listed
    assert (len(exported) > 0) == (query != "status=supported")


def test_export_refuses_bad_filters_before_streaming(client):
    assert client.get(f"{EXPORT}?format=xml").status_code == 422
    assert client.get(f"{EXPORT}?status=maybe").status_code == 422
    response = client.get(f"{EXPORT}?q=%20%21")
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"q": ["No words."]}


def test_csv_export_keeps_formulas_as_text(client, keys):
    """A cell a spreadsheet would run as a formula starts with a ' instead."""
    items = [
        claim_data(text='=HYPERLINK("https://evil.example", "Click")', speaker={"name": "@Speaker"}),
        claim_data(text="-5 degrees at the front", quote="+380 troops", speaker={"name": "Plain Speaker"}),
    ]
    items[1]["source"]["publisher"] = "=cmd|' /C calc'!A0"
    post_batch(client, keys["reviewer"], items)

    response = client.get(f"{EXPORT}?format=csv")

    rows = sorted(csv.DictReader(io.StringIO(response.get_data(as_text=True))), key=lambda row: int(row["id"]))
    assert [(row["text"], row["quote"], row["speaker_name"], row["source_publisher"]) for row in rows] == [
        ('\'=HYPERLINK("https://evil.example", "Click")', "", "'@Speaker", "Example News"),
        ("'-5 degrees at the front", "'+380 troops", "Plain Speaker", "'=cmd|' /C calc'!A0"),
    ]
    assert client.get(EXPORT).get_data(as_text=True).count("=HYPERLINK") == 1, "NDJSON keeps the text as written"


def test_csv_export_has_a_header_and_flattened_rows(client, keys):
    make_topic()
    make_topic(slug="grain", title="Is grain leaving?")
    item = claim_data(
        text='A "quoted", comma-laden claim\nover two lines',
        speaker={"name": "Csv Speaker", "kind": "organization"},
        source={"url": "https://csv.example/1", "publisher": "Csv Times"},
        appearances=[
            {"url": "https://csv.example/2", "publisher": "B"},
            {"url": "https://csv.example/3", "publisher": "C"},
        ],
        topics=[{"slug": "grain", "stance": "denies"}, {"slug": "ammunition", "stance": "affirms"}],
        claimed_on="2023-04-07T10:30:00Z",
    )
    (claim_id,) = post_batch(client, keys["reviewer"], [item]).get_json()["ids"]
    response = client.get(f"{EXPORT}?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="claims-')
    assert response.headers["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    shown = client.get(f"/api/v1/claims/{claim_id}").get_json()
    assert rows[0] == {
        "id": str(claim_id),
        "text": item["text"],
        "quote": "",
        "speaker_id": str(shown["speaker"]["id"]),
        "speaker_name": "Csv Speaker",
        "speaker_kind": "organization",
        "source_id": str(shown["source"]["id"]),
        "source_url": "https://csv.example/1",
        "source_publisher": "Csv Times",
        "appearances": "https://csv.example/2 https://csv.example/3",
        "claimed_on": "2023-04-07T10:30:00Z",
        "language": "en",
        "topics": "grain:denies;ammunition:affirms",
        "status": "unreviewed",
        "supported": "0",
        "contested": "0",
        "version": "1",
        "created_at": shown["created_at"],
        "updated_at": shown["updated_at"],
        "external_id": "",
    }


def test_csv_export_of_nothing_is_its_header(client):
    response = client.get(f"{EXPORT}?format=csv")
    assert response.get_data(as_text=True) == ",".join(export.CSV_COLUMNS) + "\r\n"


def test_ndjson_export_is_an_attachment(client):
    make_claim()
    response = client.get(EXPORT)
    assert response.headers["Content-Disposition"].endswith('.ndjson"')
    assert len(read_ndjson(response)) == 1


def test_export_follows_the_public_reads_setting(app, client, keys):
    app.config["PUBLIC_READS"] = False
    assert client.get(EXPORT).status_code == 401
    assert client.get(EXPORT, headers=keys["reader"]).status_code == 200


def test_cli_import_then_export_round_trips(runner, tmp_path):
    from service.cli import main

    make_topic()
    items = varied_claims(250)
    source = tmp_path / "claims.ndjson"
    source.write_text(ndjson(items), encoding="utf-8")
    result = runner.invoke(main, ["import", str(source), "--chunk-size", "100", "--actor", "desk"])
    assert result.exit_code == 0, result.output
    assert "imported 250 claims" in result.output
    assert {event.actor for event in Event.select().where(Event.type == "claim.created")} == {"desk"}
    target = tmp_path / "out.ndjson"
    result = runner.invoke(main, ["export", "--output", str(target)])
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(exported) == 250
    by_text = {document["text"]: document for document in exported}
    for item in items:
        assert shown_fields(by_text[item["text"]]) == expected_fields(item)
    result = runner.invoke(main, ["export", "--format", "csv", "--topic", "ammunition", "--stance", "denies"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == sum(1 for item in items if item["topics"] and item["topics"][0]["stance"] == "denies")


def test_cli_imports_a_json_array_from_stdin(runner):
    from service.cli import main

    result = runner.invoke(main, ["import", "-"], input=json.dumps([claim_data(), claim_data()], indent=2))
    assert result.exit_code == 0, result.output
    assert Claim.select().count() == 2


def test_cli_import_stops_at_a_bad_chunk_naming_its_lines_and_keeps_earlier_chunks(runner, tmp_path):
    from service.cli import main

    items = [claim_data() for _ in range(7)]
    items[5]["claimed_on"] = "yesterday"
    source = tmp_path / "claims.ndjson"
    source.write_text("\n" + ndjson(items), encoding="utf-8")
    result = runner.invoke(main, ["import", str(source), "--chunk-size", "3"])
    assert result.exit_code == 1
    assert "line 7: claimed_on: Not a valid date" in result.output
    assert "3 claims were imported before it; fix the file and resume with --skip 3." in result.output
    assert Claim.select().count() == 3
    items[5]["claimed_on"] = "2023-01-01"
    source.write_text("\n" + ndjson(items), encoding="utf-8")
    result = runner.invoke(main, ["import", str(source), "--chunk-size", "3", "--skip", "3"])
    assert result.exit_code == 0, result.output
    assert sorted(claim.text for claim in Claim.select()) == sorted(item["text"] for item in items)


def test_cli_import_names_a_line_that_is_not_json(runner, tmp_path):
    from service.cli import main

    source = tmp_path / "claims.ndjson"
    source.write_text(ndjson([claim_data(), claim_data()]) + "{nope\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(source), "--chunk-size", "2"])
    assert result.exit_code == 1
    assert "Line 3 is not valid JSON" in result.output
    assert Claim.select().count() == 2


def test_cli_export_refuses_bad_filters(runner):
    from service.cli import main

    result = runner.invoke(main, ["export", "--claimed-from", "last week"])
    assert result.exit_code == 1
    assert "claimed_from" in result.output


def test_two_batches_creating_the_same_speaker_at_once_both_succeed(app, monkeypatch):
    """The first batch pauses after its look-ups while the second stores the same new speaker."""
    writers = TwoWriters()
    resolve = bulk._Batch.resolve

    def resolve_then_let_the_other_batch_in(batch):
        resolve(batch)
        writers.pause()

    monkeypatch.setattr(bulk._Batch, "resolve", resolve_then_let_the_other_batch_in)

    outcomes = writers.run(
        lambda name: bulk.import_claims(
            bulk.validate_batch([claim_data(speaker={"name": "Shared Speaker"}) for _ in range(3)]), name
        )
    )

    assert sorted(outcomes) == ["first", "second"]
    assert Speaker.select().where(Speaker.name == "Shared Speaker").count() == 1
    assert Claim.select().count() == 6
    assert Event.select().where(Event.type == "speaker.created").count() == 1


def test_a_known_claim_is_updated_or_unchanged_and_only_new_items_are_checked_for_duplicates(client, keys):
    known = claim_data(text="Shells ran short at Bakhmut in May.", external_id="cms-shells-1")

    def send(items, choice):
        response = client.post(
            f"/api/v1/claims/batch?duplicates={choice}",
            data=json.dumps(items),
            headers={**keys["reviewer"], "Content-Type": "application/json"},
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    first = send([known], "skip")
    [claim_id] = first["ids"]
    # The same claim again is found by its external_id (unchanged, not a duplicate); a new item nearly
    # repeating it is a likely duplicate, and skipped.
    again = send([known, claim_data(text="Shells ran short at Bakhmut in May!")], "skip")

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert [entry["index"] for entry in again["possible_duplicates"]] == [1]
    assert again["skipped"] == [{"index": 1, "duplicate_of": claim_id}]
    assert again["ids"] == [claim_id, claim_id]
    assert Claim.select().count() == 1
