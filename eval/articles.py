"""Score article analysis on the labelled articles: attribution precision and recall, and analysis time.

    python eval/articles.py           # the held-out test articles of eval/data/split.json (make eval)
    python eval/articles.py --dev     # the dev articles, the ones to tune on

Each article is analysed as POST /api/v1/articles/analyze does (service.ledger.articles.analyze) over a
ledger holding the seeds, in a temporary SQLite database. A found statement counts as right when its span
overlaps a labelled statement's span that no earlier find took, and as speaker-right when its speaker (as
resolved, or as written) names the labelled speaker (service.nlp.names, so scripts and spellings may differ).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service import create_app  # noqa: E402
from service.ledger import articles  # noqa: E402
from service.ledger import seeds  # noqa: E402
from service.nlp import names  # noqa: E402
from service.storage import db  # noqa: E402
from service.storage.migrate import migrate  # noqa: E402

DATA = Path(__file__).parent / "data"


def _same_speaker(found, label):
    """Tell whether a found speaker names the labelled one: by name, or the one containing the other."""
    candidates = {found["name"], found["as_written"]}
    label_key = names.name_key(label)
    for candidate in candidates:
        if names.likely_same(candidate, label):
            return True
        key = names.name_key(candidate)
        if key and label_key and (key in label_key or label_key in key):
            return True
    return False


def score_article(name):
    """Return (labelled, found, span hits, speaker hits, seconds) for one article."""
    text = (DATA / "articles" / f"{name}.txt").read_text(encoding="utf-8")
    labels = json.loads((DATA / "articles" / f"{name}.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    analysis = articles.analyze(text, labels.get("language"), labels.get("url"))
    seconds = time.perf_counter() - started
    found = [note for note in analysis["notes"] if note["candidate"]]
    taken = set()
    hits = speaker_hits = 0
    for note in found:
        start, end = note["span"]["start"], note["span"]["end"]
        for index, label in enumerate(labels["statements"]):
            if index in taken or label["end"] <= start or end <= label["start"]:
                continue
            taken.add(index)
            hits += 1
            speaker_hits += _same_speaker(note["candidate"]["speaker"], label["speaker"])
            break
    return len(labels["statements"]), len(found), hits, speaker_hits, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--dev", action="store_true", help="score the dev articles (the ones to tune on)")
    which.add_argument("--holdout", nargs="?", const="holdout", help="the held-out sets have no articles: say so")
    options = parser.parse_args(argv)
    if options.holdout:
        print(f"articles {options.holdout}: the held-out set has no labelled articles; nothing to score")
        return
    side = "dev" if options.dev else "test"
    split = json.loads((DATA / "split.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as directory:
        create_app({"DATABASE_URL": f"sqlite:///{directory}/eval.db"})
        db.database.connect(reuse_if_open=True)
        migrate()
        seeds.load_all()
        totals = [0, 0, 0, 0]
        times = []
        for name in split[f"{side}_articles"]:
            labelled, found, hits, speaker_hits, seconds = score_article(name)
            for index, value in enumerate((labelled, found, hits, speaker_hits)):
                totals[index] += value
            times.append(seconds)
            print(
                f"articles {side} {name}: {hits}/{labelled} labelled found, {found} found, "
                f"{speaker_hits} with the right speaker, {seconds * 1000:.0f} ms"
            )
        db.database.close()
    labelled, found, hits, speaker_hits = totals
    precision = hits / found if found else 0.0
    recall = hits / labelled if labelled else 0.0
    print(
        f"articles {side} attribution: precision {precision:.2f} recall {recall:.2f} "
        f"speaker {speaker_hits / hits if hits else 0.0:.2f} "
        f"({hits} right of {found} found, {labelled} labelled, {len(times)} articles)"
    )
    median, longest = statistics.median(times) * 1000, max(times) * 1000
    print(f"articles {side} analysis time: median {median:.0f} ms, max {longest:.0f} ms")


if __name__ == "__main__":
    main()
