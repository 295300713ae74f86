"""Search snippets: stored text holding the highlight markers never leaves a <mark> open."""

import re

import pytest
from factories import make_claim

from service.ledger.search import render_snippet


def _balanced(snippet):
    depth = 0
    for tag in re.findall(r"</?mark>", snippet):
        depth += 1 if tag == "<mark>" else -1
        assert depth in (0, 1), snippet
    return depth == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a \x02match\x03 b", "a <mark>match</mark> b"),
        ("stored \x02 alone", "stored <mark> alone</mark>"),
        ("\x02one \x02two\x03 three", "<mark>one two</mark> three"),
        ("close \x03 first <b>", "close  first &lt;b&gt;"),
        ("", ""),
    ],
)
def test_render_snippet_closes_every_mark(raw, expected):
    assert render_snippet(raw) == expected


def test_a_stored_unpaired_marker_gives_a_balanced_snippet(client):
    make_claim(text="Artillery \u0002shells ran short in the north")
    make_claim(text="Shells \u0003artillery\u0002 arrived \u0002")

    answer = client.get("/api/v1/claims?q=artillery")

    assert answer.status_code == 200
    snippets = [item["snippet"] for item in answer.json["items"]]
    assert len(snippets) == 2
    assert all(_balanced(snippet) for snippet in snippets), snippets
