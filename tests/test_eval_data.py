"""Integrity of the evaluation data in eval/data/ (see eval/README.md).

Plain checks on the JSON and text files: no database, no app, standard library only.
"""

import collections
import datetime
import json
import pathlib
import re

import pytest

DATA = pathlib.Path(__file__).resolve().parent.parent / "eval" / "data"
LANGUAGES = {"en", "uk", "ru"}
STANCES = {"affirms", "denies"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def load(name):
    raw = (DATA / name).read_text(encoding="utf-8")
    assert "\n  " in raw, f"{name} should be pretty-printed"
    assert "\\u04" not in raw, f"{name} should hold Cyrillic as UTF-8, not \\u escapes"
    return json.loads(raw)


@pytest.fixture(scope="module")
def claims():
    return load("claims.json")


@pytest.fixture(scope="module")
def by_key(claims):
    return {c["key"]: c for c in claims}


@pytest.fixture(scope="module")
def pairs():
    return load("pairs.json")


@pytest.fixture(scope="module")
def split():
    return load("split.json")


def stances(claim):
    return {t["slug"]: t["stance"] for t in claim["topics"]}


def opposed(a, b):
    sa, sb = stances(a), stances(b)
    return any(slug in sb and sb[slug] != stance for slug, stance in sa.items())


def test_claims_fields_and_values(claims):
    assert len(claims) >= 240
    keys = [c["key"] for c in claims]
    assert len(keys) == len(set(keys)), "claim keys must be unique"
    texts = [c["text"] for c in claims]
    assert len(texts) == len(set(texts)), "claim texts must be unique"
    for c in claims:
        assert set(c) == {"key", "text", "language", "speaker", "source", "claimed_on", "topics", "group"}, c["key"]
        assert re.fullmatch(r"c\d{3}", c["key"])
        assert c["language"] in LANGUAGES, c["key"]
        assert c["text"].strip() == c["text"] and len(c["text"]) > 20, c["key"]
        assert c["speaker"]["name"] and c["speaker"]["affiliation"], c["key"]
        assert c["source"]["url"].startswith("https://") and c["source"]["publisher"], c["key"]
        day = datetime.date.fromisoformat(c["claimed_on"])
        assert datetime.date(2023, 1, 1) <= day <= datetime.date(2024, 12, 31), c["key"]
        assert re.fullmatch(r"g\d{2}", c["group"]), c["key"]
        assert c["topics"], c["key"]
        slugs = [t["slug"] for t in c["topics"]]
        assert len(slugs) == len(set(slugs)), c["key"]
        for t in c["topics"]:
            assert SLUG.match(t["slug"]), (c["key"], t)
            assert t["stance"] in STANCES, (c["key"], t)


def test_claim_text_and_speaker_in_the_claims_language(claims):
    for c in claims:
        cyrillic_text = bool(CYRILLIC.search(c["text"]))
        cyrillic_name = bool(CYRILLIC.search(c["speaker"]["name"]))
        if c["language"] == "en":
            assert not cyrillic_text and not cyrillic_name, c["key"]
        else:
            assert cyrillic_text and cyrillic_name, c["key"]
    uk_only, ru_only = set("іїєґІЇЄҐ"), set("ыэёъЫЭЁЪ")
    for c in claims:
        letters = set(c["text"])
        if c["language"] == "uk":
            assert not letters & ru_only, c["key"]
        if c["language"] == "ru":
            assert not letters & uk_only, c["key"]


def test_languages_roughly_a_third_each(claims):
    counts = collections.Counter(c["language"] for c in claims)
    for lang in LANGUAGES:
        assert 0.25 <= counts[lang] / len(claims) <= 0.45, counts


def test_groups_are_story_clusters_of_five_to_ten(claims):
    sizes = collections.Counter(c["group"] for c in claims)
    assert 30 <= len(sizes) <= 40
    for group, size in sizes.items():
        assert 5 <= size <= 10, (group, size)


def test_pairs_reference_claims_and_do_not_repeat(pairs, by_key):
    assert set(pairs) == {"conflicts", "compatible", "paraphrases"}
    seen = {}
    for kind in ("conflicts", "compatible"):
        for p in pairs[kind]:
            assert set(p) == {"a", "b", "why"}, p
            assert p["a"] in by_key and p["b"] in by_key, p
            assert p["a"] != p["b"], p
            assert p["why"].strip(), p
            pair = frozenset((p["a"], p["b"]))
            assert pair not in seen, (kind, p, seen.get(pair))
            seen[pair] = kind


def test_conflicts(pairs, by_key):
    conflicts = pairs["conflicts"]
    assert len(conflicts) >= 60
    cross = 0
    for p in conflicts:
        a, b = by_key[p["a"]], by_key[p["b"]]
        assert opposed(a, b) or "denial" in p["why"].lower(), p
        cross += a["language"] != b["language"]
    assert cross >= 20


def test_compatible_pairs_are_look_alikes_not_contradictions(pairs, by_key):
    compatible = pairs["compatible"]
    assert len(compatible) >= 50
    for p in compatible:
        a, b = by_key[p["a"]], by_key[p["b"]]
        shared = set(stances(a)) & set(stances(b))
        assert shared or a["group"] == b["group"], p
        if opposed(a, b):
            why = p["why"].lower()
            assert "different times" in why or "different dates" in why, p


def test_paraphrases(pairs, by_key, claims):
    paraphrases = pairs["paraphrases"]
    assert len(paraphrases) >= 60
    stored = {c["text"] for c in claims}
    directions = collections.Counter()
    for p in paraphrases:
        assert set(p) == {"key", "query", "language"}, p
        assert p["key"] in by_key, p
        assert p["language"] in LANGUAGES, p
        assert p["query"] not in stored, p
        assert p["query"] != by_key[p["key"]]["text"], p
        assert bool(CYRILLIC.search(p["query"])) == (p["language"] != "en"), p
        directions[(by_key[p["key"]]["language"], p["language"])] += 1
    translations = sum(n for (src, dst), n in directions.items() if src != dst)
    same = sum(n for (src, dst), n in directions.items() if src == dst)
    assert translations >= 30 and same >= 30, directions
    for src in LANGUAGES:
        for dst in LANGUAGES - {src}:
            assert directions[(src, dst)] >= 1, (src, dst, directions)


def test_split_covers_every_group_once(split, claims):
    groups = {c["group"] for c in claims}
    dev, test = split["dev"], split["test"]
    assert len(dev) == len(set(dev)) and len(test) == len(set(test))
    assert not set(dev) & set(test)
    assert set(dev) | set(test) == groups
    assert abs(len(dev) - len(test)) <= 0.2 * len(groups)


def test_pairs_stay_on_one_side_of_the_split(split, pairs, by_key):
    side = {g: "dev" for g in split["dev"]} | {g: "test" for g in split["test"]}
    for kind in ("conflicts", "compatible"):
        for p in pairs[kind]:
            assert side[by_key[p["a"]]["group"]] == side[by_key[p["b"]]["group"]], (kind, p)


def article_names():
    return sorted(p.stem for p in (DATA / "articles").glob("*.txt"))


def test_articles_split_three_and_three(split):
    names = article_names()
    assert len(names) >= 6
    dev, test = split["dev_articles"], split["test_articles"]
    assert len(dev) == 3 and len(test) == 3
    assert not set(dev) & set(test)
    assert set(dev) | set(test) == set(names)
    for side in (dev, test):
        langs = {load(f"articles/{n}.json")["language"] for n in side}
        assert langs == LANGUAGES, (side, langs)


@pytest.mark.parametrize("name", article_names())
def test_article_labels(name):
    text = (DATA / "articles" / f"{name}.txt").read_text(encoding="utf-8")
    meta = load(f"articles/{name}.json")
    assert set(meta) == {"language", "url", "published_on", "statements"}
    assert meta["language"] in LANGUAGES
    assert name.startswith(meta["language"] + "-")
    datetime.date.fromisoformat(meta["published_on"])
    assert 300 <= len(text.split()) <= 900, len(text.split())
    statements = meta["statements"]
    assert len(statements) >= 5
    covered = 0
    previous_end = 0
    for s in statements:
        assert set(s) == {"speaker", "role", "statement", "quote", "start", "end"}, s
        assert s["speaker"] and s["statement"], s
        assert s["role"] is None or s["role"].strip(), s
        assert 0 <= s["start"] < s["end"] <= len(text), s
        assert s["start"] >= previous_end, ("overlapping or unsorted spans", s)
        previous_end = s["end"]
        span = text[s["start"] : s["end"]]
        assert span == span.strip(), s
        assert s["start"] == 0 or text[s["start"] - 1] in " \n", s
        assert span[-1] in '.!?»”"', s
        if s["quote"] is not None:
            assert s["quote"] in span, s
        covered += len(span)
    # the reporter's own sentences stay unlabelled, so precision can be measured
    assert covered < 0.9 * len(text.replace("\n", ""))


@pytest.mark.parametrize(("name", "prefix"), [("holdout", "h"), ("holdout2", "k")])
def test_held_out_sets_are_whole_and_apart_from_the_main_set(name, prefix, claims, pairs):
    held_claims, held_pairs = load(f"{name}/claims.json"), load(f"{name}/pairs.json")
    by_held_key = {c["key"]: c for c in held_claims}
    assert len(by_held_key) == len(held_claims) >= 100
    assert len({c["text"] for c in held_claims}) == len(held_claims)
    main_slugs = {t["slug"] for c in claims for t in c["topics"]}
    for c in held_claims:
        assert re.fullmatch(rf"{prefix}\d{{3}}", c["key"]) and re.fullmatch(rf"{prefix}\d{{2}}", c["group"]), c["key"]
        assert c["language"] in LANGUAGES and bool(CYRILLIC.search(c["text"])) == (c["language"] != "en"), c["key"]
        assert c["topics"] and all(t["stance"] in STANCES for t in c["topics"]), c["key"]
        assert not {t["slug"] for t in c["topics"]} & main_slugs, c["key"]
    seen = set()
    for kind in ("conflicts", "compatible"):
        for p in held_pairs[kind]:
            a, b = by_held_key[p["a"]], by_held_key[p["b"]]
            assert a["group"] == b["group"] and p["why"].strip(), p
            assert frozenset((p["a"], p["b"])) not in seen, p
            seen.add(frozenset((p["a"], p["b"])))
    assert all(
        opposed(by_held_key[p["a"]], by_held_key[p["b"]]) or "deni" in p["why"].lower() for p in held_pairs["conflicts"]
    )
    stored = {c["text"] for c in held_claims}
    for p in held_pairs["paraphrases"]:
        assert p["key"] in by_held_key and p["query"] not in stored, p
        assert bool(CYRILLIC.search(p["query"])) == (p["language"] != "en"), p
