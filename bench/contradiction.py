"""Measure contradiction scoring on hand-written pairs: python bench/contradiction.py [--holdout].

tests/data/contradiction_pairs.json is the set the cues were tuned on, so its figures are training-set
figures, an upper bound. tests/data/contradiction_holdout.json was written after tuning and never tuned on:
keep it that way (write new pairs to the tuning table, not here), or its figures lose their meaning.
Similarities come from the real model.
"""

import argparse
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.nlp import contradiction  # noqa: E402
from service.nlp import vectors  # noqa: E402

TABLES = {
    "tuning": ROOT / "tests" / "data" / "contradiction_pairs.json",
    "holdout": ROOT / "tests" / "data" / "contradiction_holdout.json",
}


def main():
    """Print precision and recall at the threshold, then every pair's similarity, score and reason."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", action="store_true", help="measure on the held-out pairs")
    table = "holdout" if parser.parse_args().holdout else "tuning"
    pairs = json.loads(TABLES[table].read_text(encoding="utf-8"))
    first = vectors.encode([pair["a"] for pair in pairs])
    second = vectors.encode([pair["b"] for pair in pairs])
    tp = fp = fn = tn = 0
    lines = []
    for pair, a_vector, b_vector in zip(pairs, first, second, strict=True):
        similarity = float(a_vector @ b_vector)
        result = contradiction.assess(pair["a"], pair["a_lang"], pair["b"], pair["b_lang"], similarity)
        tp += pair["contradicts"] and result.contradicts
        fp += not pair["contradicts"] and result.contradicts
        fn += pair["contradicts"] and not result.contradicts
        tn += not pair["contradicts"] and not result.contradicts
        mark = "ok " if result.contradicts == pair["contradicts"] else "BAD"
        lines.append(
            f"{mark} {'C' if pair['contradicts'] else '-'} {pair['a_lang']}-{pair['b_lang']} sim {similarity:.3f} "
            f"score {result.score:.2f}  {pair['note']}: {result.reason}"
        )
    print("\n".join(lines))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"\n{len(pairs)} pairs ({tp + fn} contradicting, {fp + tn} compatible look-alikes), {table} set")
    print(f"true positives {tp}, false positives {fp}, false negatives {fn}, true negatives {tn}")
    print(f"precision {precision:.2f}, recall {recall:.2f} at threshold {contradiction.THRESHOLD}")


if __name__ == "__main__":
    main()
