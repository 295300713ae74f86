"""Article analysis and storing its candidates: POST /api/v1/articles/analyze, /articles/claims, analysis jobs."""

import json
import threading
from pathlib import Path

import pytest
from checks import row_counts
from seeded import load_seeds
from standardwebhooks import Webhook as Verifier

from service.delivery import sender
from service.delivery import webhooks
from service.delivery import worker
from service.ledger import article_jobs
from service.ledger import article_speakers
from service.ledger import articles
from service.ledger import embedder
from service.ledger import matching
from service.nlp import vectors
from service.storage.models import ArticleJob
from service.storage.models import Claim
from service.storage.models import Event
from service.storage.models import Source
from service.storage.models import Speaker

DRAFT = (Path(__file__).parent / "data" / "article-bakhmut-draft.txt").read_text()
UNSEEN = (
    "Harbour reopens after storm\n\n"
    "Port director Marta Kowalczyk said the harbour handled 4,000 containers in its first week back. "
    "Fisheries inspector Tomas Berg told reporters that catches fell by a third during the closure."
)


def _seeded_claim(speaker):
    return Claim.select().join(Speaker).where(Speaker.name == speaker).order_by(Claim.id).first().id


def _candidates(body):
    found = {}
    for note in body["notes"]:
        if note["candidate"]:
            found.setdefault(note["candidate"]["speaker"]["name"], note)
    return found


def test_draft_finds_prigozhin_and_stek_matching_and_contradicting_each_other(client, keys):
    load_seeds()
    prigozhin, stek = _seeded_claim("Yevgeny Prigozhin"), _seeded_claim("Levko Stek")

    response = client.post(
        "/api/v1/articles/analyze",
        json={"text": DRAFT, "url": "https://news.example/bakhmut", "published_on": "2023-04-07"},
        headers=keys["reviewer"],
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert body["text"] == DRAFT and body["language"] == "en"
    found = _candidates(body)
    assert found["Yevgeny Prigozhin"]["candidate"]["speaker"]["id"] == Speaker.get(name="Yevgeny Prigozhin").id
    assert found["Yevgeny Prigozhin"]["candidate"]["role"] == "Wagner founder"
    assert found["Levko Stek"]["candidate"]["role"] == "Ukrainian border guard"
    assert found["Levko Stek"]["candidate"]["quote"] == "ammunition hunger"
    assert found["Levko Stek"]["candidate"]["claimed_on"] == "2023-04-07"
    for speaker, own, other in (("Yevgeny Prigozhin", prigozhin, stek), ("Levko Stek", stek, prigozhin)):
        note = found[speaker]
        assert [match["claim_id"] for match in note["matches"]][:1] == [own]
        assert other in [item["claim_id"] for item in note["contradicts"]]
        assert "opposite stance" in next(i["reason"] for i in note["contradicts"] if i["claim_id"] == other)
        span = note["span"]
        assert body["text"][span["start"] : span["end"]] == note["sentence"]
        assert speaker.split()[-1] in note["sentence"]


@pytest.fixture
def embedded(app):
    """Load the seeds and give every seeded claim its vector, as the background embedder would."""
    matching.reset_index()
    load_seeds()
    embedder.catch_up()
    yield
    matching.reset_index()


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("За словами Євгенія Пригожина, його бійцям у Бахмуті постійно бракує боєприпасів.", "uk"),
        ("По словам Евгения Пригожина, его бойцам в Бахмуте постоянно не хватает боеприпасов.", "ru"),
    ],
)
def test_a_ukrainian_or_russian_sentence_finds_the_english_claim_it_renders(client, keys, embedded, text, language):
    prigozhin = _seeded_claim("Yevgeny Prigozhin")
    assert articles.closest_claims(text, language) == []

    response = client.post("/api/v1/articles/analyze", json={"text": text}, headers=keys["reviewer"])

    assert response.status_code == 200, response.json
    [note] = response.json["notes"]
    assert note["candidate"]["speaker"]["name"] == "Yevgeny Prigozhin"
    assert [match["claim_id"] for match in note["matches"]] == [prigozhin]
    assert 0.78 <= note["matches"][0]["score"] <= 1.0
    assert _seeded_claim("Levko Stek") in [item["claim_id"] for item in note["contradicts"]]


def test_an_unrelated_sentence_matches_nothing_by_meaning(client, keys, embedded):
    response = client.post("/api/v1/articles/analyze", json={"text": UNSEEN}, headers=keys["reviewer"])

    assert response.status_code == 200, response.json
    notes = response.json["notes"]
    assert len(notes) == 2
    assert all(note["matches"] == [] and note["contradicts"] == [] for note in notes)


def test_without_the_sentence_model_word_forms_still_match(client, keys, embedded, monkeypatch):
    def unavailable(texts):
        raise vectors.ModelUnavailable("no model here")

    monkeypatch.setattr(vectors, "encode", unavailable)
    text = "Wagner founder Yevgeny Prigozhin has repeatedly complained of a shortage of ammunition for his fighters."

    response = client.post("/api/v1/articles/analyze", json={"text": text}, headers=keys["reviewer"])

    assert response.status_code == 200, response.json
    [note] = response.json["notes"]
    assert note["matches"][0]["claim_id"] == _seeded_claim("Yevgeny Prigozhin")


def test_html_is_read_as_text_and_spans_index_the_returned_text(client, keys):
    html = "<html><head><script>var said = 'no';</script></head><body><h1>Port</h1>" + "".join(
        f"<p>{paragraph}</p>" for paragraph in UNSEEN.split("\n\n")[1:]
    )
    response = client.post(
        "/api/v1/articles/analyze?url=https://news.example/port",
        data=html.encode(),
        headers={**keys["reviewer"], "Content-Type": "text/html; charset=utf-8"},
    )

    assert response.status_code == 200, response.json
    body = response.json
    assert "script" not in body["text"] and body["text"].startswith("Port\n\n")
    assert body["url"] == "https://news.example/port"
    notes = [note for note in body["notes"] if note["candidate"]]
    assert [note["candidate"]["speaker"]["as_written"] for note in notes] == ["Marta Kowalczyk", "Tomas Berg"]
    assert all(note["candidate"]["speaker"]["id"] is None for note in notes)
    for note in notes:
        assert body["text"][note["span"]["start"] : note["span"]["end"]] == note["sentence"]


def test_genitive_speakers_after_za_slovamy_resolve_to_ledger_speakers(client, keys):
    load_seeds()
    text = (
        "За словами прикордонника Левка Стека, українські військові не відчувають у росіян жодного "
        "«снарядного голоду». За словами Євгенія Пригожина, його бійцям бракує боєприпасів."
    )

    response = client.post("/api/v1/articles/analyze", json={"text": text}, headers=keys["reviewer"])

    assert response.status_code == 200, response.json
    speakers = [note["candidate"]["speaker"] for note in response.json["notes"] if note["candidate"]]
    assert [(s["as_written"], s["name"]) for s in speakers] == [
        ("Левка Стека", "Levko Stek"),
        ("Євгенія Пригожина", "Yevgeny Prigozhin"),
    ]
    assert response.json["language"] == "uk"


def test_nominative_forms_reduce_ukrainian_and_russian_genitives():
    assert "Левко Стек" in article_speakers.nominative_forms("Левка Стека")
    assert "Дмитрий Песков" in article_speakers.nominative_forms("Дмитрия Пескова")
    assert "Володимир Зеленський" in article_speakers.nominative_forms("Володимира Зеленського")
    assert article_speakers.likeliest_nominative("Олександра Сирського") == "Олександр Сирський"
    assert article_speakers.likeliest_nominative("Дмитрия Пескова") == "Дмитрий Песков"


def test_an_unknown_genitive_speaker_takes_the_name_the_article_gave_earlier(client, keys):
    text = "Дмитрий Песков сообщил, что переговоров не будет. По словам Пескова, Кремль не спешит с ответом."

    response = client.post("/api/v1/articles/analyze", json={"text": text, "language": "ru"}, headers=keys["reviewer"])

    assert response.status_code == 200, response.json
    speakers = [note["candidate"]["speaker"] for note in response.json["notes"] if note["candidate"]]
    assert [(s["as_written"], s["name"], s["id"]) for s in speakers] == [
        ("Дмитрий Песков", "Дмитрий Песков", None),
        ("Пескова", "Дмитрий Песков", None),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "One.", "html": "<p>One.</p>"}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "{} [] 42"}, "text"),
        ({"text": "One.", "url": "ftp://x.example/a"}, "url"),
        ({"text": "One.", "language": "english language"}, "language"),
        ({"text": "One.", "language": "en" + "-abcdefgh" * 5}, "language"),
        ({"text": "One.", "published_on": "yesterday"}, "published_on"),
        ({"text": "One.", "extra": 1}, "extra"),
    ],
)
def test_bad_analysis_requests_are_refused_and_store_nothing(client, keys, body, field):
    before = row_counts()

    response = client.post("/api/v1/articles/analyze", json=body, headers=keys["reviewer"])

    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    assert row_counts() == before


def test_analysis_needs_a_key(client):
    response = client.post("/api/v1/articles/analyze", json={"text": "He said so."})
    assert response.status_code == 401


def test_analysis_refuses_other_body_types(client, keys):
    response = client.post(
        "/api/v1/articles/analyze", data=b"x", headers={**keys["reviewer"], "Content-Type": "application/xml"}
    )
    assert response.status_code == 415


def _store_body(notes, url="https://news.example/port"):
    return {
        "article": {"url": url, "published_on": "2026-11-29", "title": "Harbour reopens after storm"},
        "candidates": [
            {
                "speaker": {"name": note["candidate"]["speaker"]["name"]},
                "role": note["candidate"]["role"],
                "statement": note["candidate"]["statement"],
                "quote": note["candidate"]["quote"],
            }
            for note in notes
        ],
    }


def test_storing_unseen_candidates_creates_claims_speakers_and_source_once(client, keys):
    analysis = client.post("/api/v1/articles/analyze", json={"text": UNSEEN}, headers=keys["reviewer"]).json
    body = _store_body([note for note in analysis["notes"] if note["candidate"]])

    response = client.post("/api/v1/articles/claims", json=body, headers=keys["reviewer"])

    assert response.status_code == 201, response.json
    stored = response.json
    assert stored["created"] == 2
    assert stored["source"]["url"] == "https://news.example/port"
    assert stored["source"]["publisher"] == "news.example"
    assert [(c["speaker"]["name"], c["source"]["url"], c["claimed_on"]) for c in stored["claims"]] == [
        ("Marta Kowalczyk", "https://news.example/port", "2026-11-29"),
        ("Tomas Berg", "https://news.example/port", "2026-11-29"),
    ]
    assert Speaker.get(name="Marta Kowalczyk").description == "Port director"
    counts = row_counts()

    again = client.post("/api/v1/articles/claims", json=body, headers=keys["reviewer"])

    assert again.status_code == 201, again.json
    assert again.json["created"] == 0
    assert [c["id"] for c in again.json["claims"]] == [c["id"] for c in stored["claims"]]
    assert row_counts() == counts
    assert Event.select().where(Event.type == "claim.created").count() == 2


def test_storing_is_all_or_nothing(client, keys):
    before = row_counts()
    body = {
        "article": {"url": "https://news.example/port"},
        "candidates": [
            {"speaker": {"name": "Marta Kowalczyk"}, "statement": "The harbour handled 4,000 containers."},
            {"speaker": {"id": 999999}, "statement": "Catches fell by a third."},
        ],
    }

    response = client.post("/api/v1/articles/claims", json=body, headers=keys["reviewer"])

    assert response.status_code == 422, response.json
    assert "speaker.id" in json.dumps(response.json["errors"])
    assert row_counts() == before


@pytest.mark.parametrize(
    "body",
    [
        {"candidates": [{"speaker": {"name": "A B"}, "statement": "x"}]},
        {"article": {"url": "https://news.example/a"}, "candidates": []},
        {"article": {"url": "https://news.example/a"}, "candidates": [{"speaker": {}, "statement": "x"}]},
        {"article": {"url": "https://news.example/a"}, "candidates": [{"speaker": {"name": "A"}}]},
    ],
)
def test_bad_store_requests_are_refused_and_store_nothing(client, keys, body):
    before = row_counts()
    response = client.post("/api/v1/articles/claims", json=body, headers=keys["reviewer"])
    assert response.status_code == 422, response.json
    assert row_counts() == before


def test_analysing_and_storing_need_a_reviewer(client, keys):
    body = {"article": {"url": "https://news.example/a"}, "candidates": [{"speaker": {"name": "A"}, "statement": "x"}]}
    response = client.post("/api/v1/articles/claims", json=body, headers=keys["reader"])
    assert response.status_code == 403
    response = client.post("/api/v1/articles/analyze", json={"text": "He said so."}, headers=keys["reader"])
    assert response.status_code == 403


def test_a_long_article_becomes_a_job_that_the_worker_runs(client, keys, monkeypatch):
    monkeypatch.setattr(articles, "SYNC_WORD_LIMIT", 20)

    response = client.post(
        "/api/v1/articles/analyze", json={"text": UNSEEN, "url": "https://news.example/port"}, headers=keys["reviewer"]
    )

    assert response.status_code == 202, response.json
    location = response.headers["Location"]
    assert location == f"/api/v1/articles/jobs/{response.json['id']}"
    assert client.get(location, headers=keys["reviewer"]).json["status"] == "pending"

    assert article_jobs.run_due_jobs(5) == 1

    polled = client.get(location, headers=keys["reviewer"])
    assert polled.status_code == 200
    assert polled.json["status"] == "done"
    assert polled.json["result"]["text"] == UNSEEN
    assert len([n for n in polled.json["result"]["notes"] if n["candidate"]]) == 2
    event = Event.get(Event.type == "article.analyzed")
    assert event.object_id == response.json["id"] and event.data["status"] == "done"
    assert ArticleJob.get_by_id(response.json["id"]).locked_until is None
    assert article_jobs.run_due_jobs(5) == 0


def test_an_unknown_job_is_404(client, keys):
    assert client.get("/api/v1/articles/jobs/12345", headers=keys["reviewer"]).status_code == 404


def test_source_of_stored_claims_is_found_by_url(client, keys):
    Source.create(url="https://news.example/port", publisher="Port News")
    analysis = client.post("/api/v1/articles/analyze", json={"text": UNSEEN}, headers=keys["reviewer"]).json
    body = _store_body([note for note in analysis["notes"] if note["candidate"]][:1])

    response = client.post("/api/v1/articles/claims", json=body, headers=keys["reviewer"])

    assert response.status_code == 201, response.json
    assert response.json["source"]["publisher"] == "Port News"
    assert Source.select().count() == 1


def test_the_worker_runs_a_job_and_delivers_article_analyzed_to_a_subscriber(app, receiver, monkeypatch):
    webhook = webhooks.create_webhook(
        {"url": receiver.url, "event_types": ["article.analyzed"]}, "test", allow_private=True
    )
    monkeypatch.setattr(articles, "SYNC_WORD_LIMIT", 20)
    job = article_jobs.submit_job(UNSEEN, "en", "https://news.example/port", None, "cms")
    options = sender.Options(allow_private=True, timeout=2, retry_base=5, retry_max=60)

    worker.work(options, threading.Event(), once=True)
    worker.work(options, threading.Event(), once=True)

    [request] = receiver.received()
    payload = Verifier(webhook.secret).verify(request.body, request.headers)
    assert payload["type"] == "article.analyzed"
    assert payload["data"]["object_id"] == job.id and payload["data"]["actor"] == "cms"
    assert payload["data"]["data"]["status"] == "done" and payload["data"]["data"]["notes"] == 2
