"""claimledger seed: the Bakhmut article's ledger loads, loads once, and carries both sides of its questions."""

import json

import pytest
import seeded
from checks import row_counts
from factories import make_claim
from peewee import sort_models

from service import cli
from service.storage import db
from service.storage.models import ALL_MODELS

AMMO = "russian-ammunition-shortage"


def _stances(client, topic):
    items = client.get(f"/api/v1/claims?topic={topic}&limit=200").get_json()["items"]
    return sorted(
        (item["speaker"]["name"], stance["stance"])
        for item in items
        for stance in item["topics"]
        if stance["slug"] == topic
    )


def test_seed_loads_the_article_once(runner, client):
    first = runner.invoke(cli.main, ["seed"])
    after_first = row_counts()
    second = runner.invoke(cli.main, ["seed"])

    assert first.exit_code == 0, first.output
    assert first.output == "created 12 speakers, 2 sources, 9 topics, 17 claims\n"
    assert second.exit_code == 0, second.output
    assert second.output == "created 0 speakers, 0 sources, 0 topics, 0 claims\n"
    assert row_counts() == after_first
    assert (after_first["speaker"], after_first["source"], after_first["topic"], after_first["claim"]) == (12, 2, 9, 17)


def test_seeded_ammunition_topic_shows_both_sides(runner, client):
    runner.invoke(cli.main, ["seed"])

    response = client.get(f"/api/v1/claims?topic={AMMO}")

    assert response.status_code == 200
    assert _stances(client, AMMO) == [("Levko Stek", "denies"), ("Yevgeny Prigozhin", "affirms")]
    stek = next(item for item in response.get_json()["items"] if item["speaker"]["name"] == "Levko Stek")
    assert stek["quote"] == "ammunition hunger"
    assert stek["claimed_on"] == "2023-04-07"
    assert stek["source"]["url"] == "https://claimledger.example/seed/article-2023-04-07-bakhmut"


def test_seeds_carry_opposed_positions_on_peace_talks_and_offensive_capacity(runner, client):
    runner.invoke(cli.main, ["seed"])

    for topic in ("russia-peace-talks-2023", "russian-offensive-capacity-bakhmut"):
        stances = {stance for _, stance in _stances(client, topic)}
        assert {"affirms", "denies"} <= stances, topic
    assert ("Unnamed senior Russian official", "denies") in _stances(client, "russia-peace-talks-2023")
    assert ("Oleksander Musienko", "denies") in _stances(client, "russian-offensive-capacity-bakhmut")


def test_seeds_name_the_article_speakers_and_both_sources(runner, client):
    runner.invoke(cli.main, ["seed"])

    names = {item["name"] for item in client.get("/api/v1/speakers?limit=200").get_json()["items"]}
    urls = {item["url"] for item in client.get("/api/v1/sources?limit=200").get_json()["items"]}

    assert {
        "Andriy Yermak",
        "Yevgeny Prigozhin",
        "Levko Stek",
        "Oleksander Musienko",
        "General Staff of the Armed Forces of Ukraine",
        "Emmanuel Macron",
        "Xi Jinping",
        "Ursula von der Leyen",
        "Unnamed senior Russian official",
        "Western analysts",
    } <= names
    assert urls == {"https://claimledger.example/seed/article-2023-04-07-bakhmut", "https://t.co/gStPdlP11K"}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"claims": [{"text": "x", "speaker": "S", "source": "https://s.example/", "claimed_on": "2023-01-01"}]},
            'Error: bad.json: Validation failed {"source.publisher": ["Needed to create a source for a new URL."]}',
        ),
        (
            {"speakers": [{"name": "Fine"}], "topics": [{"slug": "Bad Slug", "title": "T"}]},
            'Error: bad.json: {"slug": ["String does not match expected pattern."]}',
        ),
        ({"claims": [{"text": "no speaker"}]}, "Error: bad.json: missing 'speaker'"),
        ([1, 2], "Error: bad.json: a seed file holds one JSON object with speakers, sources, topics and claims"),
    ],
)
def test_a_bad_seed_file_is_refused_and_stores_nothing(runner, tmp_path, document, message):
    (tmp_path / "bad.json").write_text(json.dumps(document))
    before = row_counts()

    result = runner.invoke(cli.main, ["seed", str(tmp_path)])

    assert result.exit_code == 1
    assert result.output == message + "\n"
    assert row_counts() == before


def test_seeding_from_a_directory_without_seed_files_fails(runner, tmp_path):
    before = row_counts()

    result = runner.invoke(cli.main, ["seed", str(tmp_path)])

    assert (result.exit_code, result.output) == (1, f"Error: no seed files (*.json) in {tmp_path}\n")
    assert row_counts() == before


def _contents():
    """Every row of every table, in key order, and the id the next claim would get."""
    rows = {
        model.__name__: list(model.select().order_by(*model._meta.get_primary_keys()).tuples()) for model in ALL_MODELS
    }
    return rows, make_claim(text="After the seeds").id


def _empty_every_table():
    with db.database.atomic():
        for model in reversed(sort_models(ALL_MODELS)):
            model.delete().execute()


def test_the_tests_copy_of_the_seed_ledger_is_what_loading_it_leaves(app, client, monkeypatch):
    monkeypatch.setattr(seeded, "_copies", {})
    seeded.load_seeds()
    assert seeded._copies, "the first load in a process keeps a copy"
    loaded = _contents()
    _empty_every_table()

    seeded.load_seeds()

    assert _contents() == loaded
    found = client.get("/api/v1/claims?q=ammunition").get_json()["items"]
    assert {item["speaker"]["name"] for item in found} == {"Yevgeny Prigozhin", "Levko Stek"}
