"""Score the ledger's language work on eval/data: conflicts, matching, topics and stances, attribution.

Loads one half's claims (the test half unless --dev) into a fresh SQLite ledger through the real code
paths (create_claim, without topics; the background embedder's catch_up, which stores vectors and suggests
conflicts found by meaning), then prints:
- conflict precision and recall over the half's gold conflicts (every suggestion between its claims counts);
- matching recall@1 and @5 of the paraphrase queries, within and across languages (POST /claims/match's code);
- topic and stance accuracy of the suggestions for half of the claims, from the other half placed with
  their gold topics and stances (leave-half-out, alternate claims of each group);
- attribution precision and recall on the half's articles (service.nlp.attribution), when present.
Tune only on --dev; the test half is scored at the end and reported as it comes out. --holdout [NAME] scores
eval/data/NAME/claims.json and pairs.json instead (holdout by default, or holdout2: sets written apart, every
group of them a test group; they
has no articles), and --by-basis adds a table of the suggested conflicts by detector and reason.
"""

import argparse
import datetime
import json
import pathlib
import re
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "eval" / "data"
HOLDOUTS = ("holdout", "holdout2")


def _load(half):
    """Return (claims, pairs, article names) of one half of eval/data, or of the whole holdout set."""
    directory = DATA / half if half in HOLDOUTS else DATA
    claims = json.loads((directory / "claims.json").read_text())
    pairs = json.loads((directory / "pairs.json").read_text())
    if half in HOLDOUTS:
        return claims, _within(pairs, claims), []
    split = json.loads((DATA / "split.json").read_text())
    groups = set(split[half])
    chosen = [claim for claim in claims if claim["group"] in groups]
    return chosen, _within(pairs, chosen), split[f"{half}_articles"]


def _within(pairs, chosen):
    """Return the pairs of each kind whose claims are all among the chosen ones."""
    keys = {claim["key"] for claim in chosen}
    return {
        name: [pair for pair in pairs[name] if {pair.get("a", pair.get("key")), pair.get("b", pair.get("key"))} <= keys]
        for name in pairs
    }


def _ledger():
    from service.storage import db
    from service.storage.migrate import migrate

    directory = tempfile.mkdtemp(prefix="claimledger-eval-")
    db.bind(f"sqlite:///{directory}/eval.db")
    db.database.connect()
    migrate()


def _store(chosen):
    from service.ledger import claims
    from service.nlp import language
    from service.schemas.claims import ClaimInput

    ids, detected = {}, 0
    for claim in chosen:
        body = {
            "text": claim["text"],
            "speaker": {"name": claim["speaker"]["name"]},
            "source": {"url": claim["source"]["url"], "publisher": claim["source"]["publisher"]},
            "claimed_on": claim["claimed_on"],
        }
        detected += language.detect(claim["text"]) == claim["language"]
        body["language"] = claim["language"]
        ids[claim["key"]] = claims.create_claim(ClaimInput().load(body), "eval").id
    return ids, detected / len(chosen)


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else float("nan")


def _conflicts(ids, pairs):
    from service.storage.models import Conflict

    suggested = {frozenset((c.left_claim_id, c.right_claim_id)) for c in Conflict.select()}
    gold = {frozenset((ids[p["a"]], ids[p["b"]])) for p in pairs["conflicts"]}
    compatible = {frozenset((ids[p["a"]], ids[p["b"]])) for p in pairs["compatible"]}
    right = len(suggested & gold)
    return {
        "suggested": len(suggested),
        "right": right,
        "gold": len(gold),
        "precision": _ratio(right, len(suggested)),
        "recall": _ratio(right, len(gold)),
        "look-alikes suggested": len(suggested & compatible),
    }


def _detector(conflict):
    """Return which detector suggested a conflict, and its reason with quotes and similarity left out."""
    if conflict.basis != "similarity":
        return conflict.basis, ""
    if conflict.created_by != "embedder":
        return "word overlap (write path)", ""
    reason = re.sub(r"\"[^\"]*\"", "…", conflict.note or "")
    return "meaning (embedder)", re.sub(r"\s*\(similarity [0-9.]+\)\.?$", "", reason)


def _opposed_by_stances(ids, chosen):
    """Return the pairs of claims whose gold topics they take opposite stances on (a gold conflict or not)."""
    sides = {}
    for claim in chosen:
        for topic in claim["topics"]:
            sides.setdefault((topic["slug"], topic["stance"]), set()).add(ids[claim["key"]])
    return {
        frozenset((left, right))
        for (slug, stance), members in sides.items()
        if stance == "affirms"
        for left in members
        for right in sides.get((slug, "denies"), ())
    }


def _by_basis(ids, chosen, pairs):
    """Return {(detector, reason): [suggested, right, opposed by gold stances, look-alikes]} of every suggestion.

    The gold list pairs a sample within each story; a pair of opposite gold stances outside it is counted
    apart, so that a reader can see which wrong-scored suggestions are contradictions the list leaves out.
    """
    from service.storage.models import Conflict

    gold = {frozenset((ids[p["a"]], ids[p["b"]])) for p in pairs["conflicts"]}
    compatible = {frozenset((ids[p["a"]], ids[p["b"]])) for p in pairs["compatible"]}
    opposed = _opposed_by_stances(ids, chosen)
    rows = {}
    for conflict in Conflict.select():
        pair = frozenset((conflict.left_claim_id, conflict.right_claim_id))
        counts = rows.setdefault(_detector(conflict), [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += pair in gold
        counts[2] += pair in opposed
        counts[3] += pair in compatible
    return rows


def _print_by_basis(rows):
    print("\n| detector | reason | suggested | right | opposite gold stances | look-alikes |")
    print("|---|---|---|---|---|---|")
    for (detector, reason), counts in sorted(rows.items(), key=lambda item: -item[1][0]):
        print(f"| {detector} | {reason} | {' | '.join(str(count) for count in counts)} |")


def _matching(ids, chosen, pairs):
    from service.ledger import matching

    languages = {claim["key"]: claim["language"] for claim in chosen}
    results = {"within": [0, 0, 0], "across": [0, 0, 0]}
    timings = []
    for pair in pairs["paraphrases"]:
        started = time.perf_counter()
        found = [item["claim"]["id"] for item in matching.match_claims(pair["query"], pair["language"], 5)]
        timings.append(time.perf_counter() - started)
        kind = "within" if pair["language"] == languages[pair["key"]] else "across"
        results[kind][0] += 1
        results[kind][1] += found[:1] == [ids[pair["key"]]]
        results[kind][2] += ids[pair["key"]] in found
    timings.sort()
    return results, timings


def _topics(ids, chosen):
    from service.ledger import claims
    from service.ledger import semantic
    from service.ledger import topics
    from service.storage.models import Topic

    slugs = sorted({t["slug"] for claim in chosen for t in claim["topics"]})
    for slug in slugs:
        if Topic.get_or_none(Topic.slug == slug) is None:
            topics.create_topic({"slug": slug, "title": slug.replace("-", " ")}, "eval")
    by_group = {}
    for claim in chosen:
        by_group.setdefault(claim["group"], []).append(claim)
    placed, held = [], []
    for members in by_group.values():
        placed += members[0::2]
        held += members[1::2]
    for claim in placed:
        claims.update_claim(ids[claim["key"]], {"topics": claim["topics"]}, None, "eval")
    placed_slugs = {t["slug"] for claim in placed for t in claim["topics"]}
    answerable = [claim for claim in held if {t["slug"] for t in claim["topics"]} & placed_slugs]
    topic_right = stance_right = 0
    for claim in answerable:
        suggested = semantic.suggest_topics(ids[claim["key"]])["topics"]
        gold = {t["slug"]: t["stance"] for t in claim["topics"]}
        if suggested and suggested[0]["slug"] in gold:
            topic_right += 1
            stance_right += suggested[0]["stance"] == gold[suggested[0]["slug"]]
    return {
        "held out": len(held),
        "answerable": len(answerable),
        "topic accuracy": _ratio(topic_right, len(answerable)),
        "stance accuracy": _ratio(stance_right, topic_right),
        "stance accuracy (of answerable)": _ratio(stance_right, len(answerable)),
    }


def _attribution(articles):
    if not articles:
        return None
    try:
        from service.nlp import attribution
    except ImportError:
        return None
    found = right = gold_total = speaker_right = 0
    for name in articles:
        text = (DATA / "articles" / f"{name}.txt").read_text()
        labels = json.loads((DATA / "articles" / f"{name}.json").read_text())
        gold = labels["statements"]
        predicted = attribution.attributions(text, labels["language"])
        found += len(predicted)
        gold_total += len(gold)
        matched = set()
        for item in predicted:
            start, end = item.span[0], item.span[1]
            for number, label in enumerate(gold):
                if number not in matched and start < label["end"] and label["start"] < end:
                    matched.add(number)
                    right += 1
                    speaker_right += _same_speaker(item.speaker, label["speaker"])
                    break
    return {
        "found": found,
        "labelled": gold_total,
        "precision": _ratio(right, found),
        "recall": _ratio(right, gold_total),
        "speaker right (of matched)": _ratio(speaker_right, right),
    }


def _same_speaker(found, labelled):
    from service.nlp import names

    return found.lower() in labelled.lower() or labelled.lower() in found.lower() or names.likely_same(found, labelled)


def _row(name, value):
    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
    print(f"| {name} | {shown} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--dev", action="store_true", help="score the development half (the one to tune on)")
    which.add_argument(
        "--holdout",
        nargs="?",
        const="holdout",
        choices=HOLDOUTS,
        help="score eval/data/holdout (or holdout2), all of it: once, for the version being reported",
    )
    parser.add_argument("--by-basis", action="store_true", help="break the suggested conflicts down by detector")
    args = parser.parse_args(argv)
    half = "dev" if args.dev else args.holdout or "test"
    chosen, pairs, articles = _load(half)
    _ledger()
    from service.ledger import embedder
    from service.ledger import matching

    started = time.perf_counter()
    ids, detection = _store(chosen)
    stored = time.perf_counter() - started
    matching.reset_index()
    embedder.catch_up()
    embedded = time.perf_counter() - started - stored
    conflicts = _conflicts(ids, pairs)
    by_basis = _by_basis(ids, chosen, pairs)
    matched, timings = _matching(ids, chosen, pairs)
    placed = _topics(ids, chosen)
    attributed = _attribution(articles)

    scored = f"{half} set" if args.holdout else f"{half} half"
    print(f"claimledger eval, {scored}, {datetime.date.today().isoformat()}: {len(chosen)} claims")
    print(f"(stored in {stored:.1f} s, embedded with suggestions in {embedded:.1f} s)\n")
    print("| measure | value |\n|---|---|")
    _row("language detection accuracy", detection)
    _row(
        f"conflict precision ({conflicts['right']}/{conflicts['suggested']} suggestions right)", conflicts["precision"]
    )
    _row(f"conflict recall ({conflicts['right']}/{conflicts['gold']} gold conflicts)", conflicts["recall"])
    _row("look-alike (compatible) pairs suggested", conflicts["look-alikes suggested"])
    for kind, (total, at_one, at_five) in matched.items():
        _row(f"matching recall@1, {kind} languages ({total} queries)", _ratio(at_one, total))
        _row(f"matching recall@5, {kind} languages", _ratio(at_five, total))
    if timings:
        _row("match latency median / max (ms)", f"{1000 * timings[len(timings) // 2]:.0f} / {1000 * timings[-1]:.0f}")
    _row(f"topic accuracy ({placed['answerable']} held-out claims)", placed["topic accuracy"])
    _row("stance accuracy (topic right)", placed["stance accuracy"])
    if attributed:
        _row(f"attribution precision ({attributed['found']} found)", attributed["precision"])
        _row(f"attribution recall ({attributed['labelled']} labelled)", attributed["recall"])
        _row("attribution speaker right (of matched)", attributed["speaker right (of matched)"])
    if args.by_basis:
        _print_by_basis(by_basis)


if __name__ == "__main__":
    main()
