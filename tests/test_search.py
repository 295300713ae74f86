"""GET /api/v1/claims?q=: ranked full-text search with safe highlighted snippets, on FTS5 and tsvector."""

import re

import pytest
from checks import assert_problem
from factories import make_claim
from seeded import load_seeds

AMMO = "russian-ammunition-shortage"
ENTITY = re.compile(r"&(amp|lt|gt|quot|#x27);")


@pytest.fixture
def seeded(app):
    load_seeds()


def _search(client, query):
    response = client.get(f"/api/v1/claims?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _assert_safe_html(snippet):
    """Only <mark> tags, and every & starts an entity."""
    bare = re.sub(r"</?mark>", "", snippet)
    assert "<" not in bare and ">" not in bare, snippet
    assert ENTITY.sub("", bare).count("&") == 0, snippet


def test_ammunition_finds_both_sides_ranked_with_snippets(client, seeded):
    body = _search(client, "q=ammunition")

    assert body["next_cursor"] is None
    assert [item["speaker"]["name"] for item in body["items"]] == ["Levko Stek", "Yevgeny Prigozhin"]
    assert [item["topics"] for item in body["items"]] == [
        [{"slug": AMMO, "title": "Are Russian forces at Bakhmut short of ammunition?", "stance": "denies"}],
        [{"slug": AMMO, "title": "Are Russian forces at Bakhmut short of ammunition?", "stance": "affirms"}],
    ]
    for item in body["items"]:
        assert re.search(r"<mark>ammunition</mark>", item["snippet"], re.IGNORECASE), item["snippet"]
        _assert_safe_html(item["snippet"])
        plain = client.get(f"/api/v1/claims/{item['id']}").get_json()
        assert {key: value for key, value in item.items() if key != "snippet"} == plain


def test_prefix_search(client, seeded):
    body = _search(client, "q=ammun*")

    assert {item["speaker"]["name"] for item in body["items"]} == {"Levko Stek", "Yevgeny Prigozhin"}


def test_all_words_must_match(client, seeded):
    body = _search(client, "q=ammunition hunger")

    assert [item["speaker"]["name"] for item in body["items"]] == ["Levko Stek"]


def test_search_covers_the_quote(client):
    claim = make_claim(text="A claim about logistics.", quote="the zebra crossing was closed")
    make_claim(text="Nothing here about that.")

    body = _search(client, "q=zebra")

    assert [item["id"] for item in body["items"]] == [claim.id]
    assert "<mark>zebra</mark>" in body["items"][0]["snippet"]


def test_more_matches_rank_higher(client):
    once = make_claim(text="The artillery shells were counted at the depot by the quartermaster yesterday.")
    often = make_claim(text="Shells, shells and more shells.")

    body = _search(client, "q=shells")

    assert [item["id"] for item in body["items"]] == [often.id, once.id]


def test_snippet_escapes_html_in_claim_text(client):
    make_claim(text='<script>alert("x")</script> & <b>ammunition</b> depots <img src=x onerror=alert(1)>')

    body = _search(client, "q=ammunition")

    (item,) = body["items"]
    assert "<mark>ammunition</mark>" in item["snippet"]
    _assert_safe_html(item["snippet"])
    assert item["text"].startswith("<script>")


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "*",
        "NEAR(",
        "(",
        ")",
        "AND OR",
        "NOT",
        "ammunition AND",
        "OR ammunition",
        "ammunition NOT hunger",
        '"ammunition',
        'ammunition"',
        '"ammunition hunger"',
        "NEAR(ammunition hunger, 2)",
        "ammunition*",
        "*ammunition",
        "-ammunition",
        "+ammunition",
        "^ammunition",
        "text:ammunition",
        "quote:ammunition",
        "{text quote}:ammunition",
        "ammunition:*",
        "ammunition & hunger | !shortage",
        "ammunition <-> hunger",
        "o'brien",
        "''",
        "\\",
        "%",
        "_",
        "a_b",
        "ammunition;DROP TABLE claim",
        "'); DROP TABLE claim; --",
        "ünïcödé ammunition",
        "弹药",
        "x" * 500,
        " ".join(["ammunition"] * 40),
    ],
)
def test_search_syntax_in_q_is_never_a_server_error(client, seeded, q):
    response = client.get("/api/v1/claims", query_string={"q": q})

    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        assert_problem(response, 400, ["q"])
    else:
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        for item in body["items"]:
            _assert_safe_html(item["snippet"])
    assert client.get("/api/v1/claims?limit=200").get_json()["items"], "the claims are still there"


def test_phrase_characters_are_searched_as_words(client, seeded):
    quoted = _search(client, 'q="ammunition hunger"')
    operators = _search(client, "q=ammunition OR zebra")

    assert [item["speaker"]["name"] for item in quoted["items"]] == ["Levko Stek"]
    assert operators["items"] == [], "OR is not an operator: every word must match"


@pytest.mark.parametrize("q", ['"', "*", "()", "   ", "!!!", "-", "'\"", "(*)"])
def test_q_with_no_words_is_400_naming_q(client, seeded, q):
    body = assert_problem(client.get("/api/v1/claims", query_string={"q": q}), 400, ["q"])

    assert body["detail"] == "The search q holds no words to search for."


def test_empty_q_is_422(client):
    assert_problem(client.get("/api/v1/claims?q="), 422, ["q"])


@pytest.mark.parametrize(
    ("query", "speakers"),
    [
        ("q=ammunition&speaker=Levko Stek", ["Levko Stek"]),
        (f"q=ammunition&topic={AMMO}&stance=affirms", ["Yevgeny Prigozhin"]),
        ("q=ammunition&stance=denies", ["Levko Stek"]),
        ("q=ammunition&language=fr", []),
        ("q=ammunition&claimed_to=2023-04-06", []),
        ("q=ammunition&claimed_from=2023-04-07&claimed_to=2023-04-07", ["Levko Stek", "Yevgeny Prigozhin"]),
        ("q=ammunition&status=supported", []),
        ("q=ammunition&source=https://t.co/gStPdlP11K", []),
        ("q=attacks&source=https://t.co/gStPdlP11K", ["General Staff of the Armed Forces of Ukraine"]),
    ],
)
def test_search_with_filters(client, seeded, query, speakers):
    body = _search(client, query)

    assert [item["speaker"]["name"] for item in body["items"]] == speakers


def _walk(client, query, limit):
    ids, cursor = [], None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        body = _search(client, f"{query}&limit={limit}{suffix}")
        ids.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
        assert len(body["items"]) == limit
        assert len(ids) < 1000, "the cursor never ran out"


@pytest.mark.parametrize("limit", [1, 2, 3, 200])
def test_search_pagination_walks_every_match_once_in_rank_order(client, seeded, limit):
    everything = [item["id"] for item in _search(client, "q=bakhmut&limit=200")["items"]]

    assert len(everything) >= 8
    assert _walk(client, "q=bakhmut", limit) == everything


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_search_pagination_with_tied_scores(client, limit):
    ids = [make_claim(text="Identical shells claim", claimed_on=f"2023-04-0{day}").id for day in range(1, 8)]

    assert _walk(client, "q=shells", limit) == ids


def test_tampered_search_cursor_is_400(client, seeded):
    cursor = _search(client, "q=bakhmut&limit=1")["next_cursor"]
    tampered = ("B" if cursor[0] != "B" else "C") + cursor[1:]

    assert_problem(client.get(f"/api/v1/claims?q=bakhmut&limit=1&cursor={tampered}"), 400)


def test_search_follows_edits_and_deletes(client, keys):
    claim = make_claim(text="The convoy carried mortars.")
    other = make_claim(text="The convoy carried grain.")

    client.patch(
        f"/api/v1/claims/{claim.id}",
        json={"text": "The convoy carried howitzers."},
        headers={**keys["reviewer"], "If-Match": "*"},
    )
    assert _search(client, "q=mortars")["items"] == []
    assert [item["id"] for item in _search(client, "q=howitzers")["items"]] == [claim.id]

    client.delete(f"/api/v1/claims/{other.id}", headers={**keys["admin"], "If-Match": "*"})
    assert _search(client, "q=grain")["items"] == []
    assert [item["id"] for item in _search(client, "q=convoy")["items"]] == [claim.id]


def test_a_very_common_term_is_ranked_among_its_newest_matches(client, monkeypatch):
    from service.ledger import search

    stored = [make_claim(text=f"Shelling reported near the river, report {n}").id for n in range(5)]
    monkeypatch.setattr(search, "RANKED_MATCHES", 3)

    body = client.get("/api/v1/claims?q=shelling&limit=10").get_json()

    assert sorted(item["id"] for item in body["items"]) == stored[-3:]
    assert body["next_cursor"] is None
