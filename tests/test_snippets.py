"""Search snippets: stored text holding the highlight markers never leaves a <mark> open."""

import re

import pytest
from factories import make_claim

from service.ledger.search import snippet


def _balanced(snippet):
    depth = 0
    for tag in re.findall(r"</?mark>", snippet):
        depth += 1 if tag == "<mark>" else -1
        assert depth in (0, 1), snippet
    return depth == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a \x02match\x03 b", "a \x02<mark>match</mark>\x03 b"),
        ("stored \x02 alone match", "stored \x02 alone <mark>match</mark>"),
        ("match <b>", "<mark>match</mark> &lt;b&gt;"),
        ("", ""),
    ],
)
def test_snippets_mark_only_matched_words_and_escape_the_rest(text, expected):
    # Snippets are cut from the claim's own text in Python: stored marker characters are plain text.
    assert snippet(text, None, "en", "match") == expected


def test_a_stored_unpaired_marker_gives_a_balanced_snippet(client):
    make_claim(text="Artillery \u0002shells ran short in the north")
    make_claim(text="Shells \u0003artillery\u0002 arrived \u0002")

    answer = client.get("/api/v1/claims?q=artillery")

    assert answer.status_code == 200
    snippets = [item["snippet"] for item in answer.json["items"]]
    assert len(snippets) == 2
    assert all(_balanced(snippet) for snippet in snippets), snippets
