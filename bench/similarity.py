"""Measure the similarity conflict detector on the hand-written corpus: python bench/similarity.py."""

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.ledger import similarity  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "conflict_pairs.json"
OTHER_THRESHOLDS = (0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def confusion(pairs, scores, threshold):
    """Return true positives, false positives, false negatives and true negatives at a threshold."""
    tp = fp = fn = tn = 0
    for pair, score in zip(pairs, scores, strict=True):
        predicted = score >= threshold
        if pair["conflict"]:
            tp, fn = tp + predicted, fn + (not predicted)
        else:
            fp, tn = fp + predicted, tn + (not predicted)
    return tp, fp, fn, tn


def rates(tp, fp, fn):
    """Return precision, recall and F1, each 0 when undefined."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main():
    """Print the confusion table at THRESHOLD, a threshold sweep and the misclassified pairs."""
    pairs = json.loads(CORPUS.read_text(encoding="utf-8"))
    scores = [similarity.conflict_score(pair["a"], pair["b"]) for pair in pairs]
    threshold = similarity.THRESHOLD
    tp, fp, fn, tn = confusion(pairs, scores, threshold)
    precision, recall, f1 = rates(tp, fp, fn)
    print(f"similarity detector at THRESHOLD = {threshold}")
    for label, value in (
        ("pairs", len(pairs)),
        ("true positives", tp),
        ("false positives", fp),
        ("false negatives", fn),
        ("true negatives", tn),
        ("precision", f"{precision:.3f}"),
        ("recall", f"{recall:.3f}"),
        ("F1", f"{f1:.3f}"),
    ):
        print(f"  {label:<16} {value:>6}")
    print()
    print("  threshold  precision  recall     F1")
    for other in sorted({*OTHER_THRESHOLDS, threshold}):
        precision, recall, f1 = rates(*confusion(pairs, scores, other)[:3])
        marker = "  <- THRESHOLD" if other == threshold else ""
        print(f"  {other:>9.2f}  {precision:>9.3f}  {recall:>6.3f}  {f1:>5.3f}{marker}")
    print()
    print("misclassified pairs:")
    for pair, score in zip(pairs, scores, strict=True):
        if (score >= threshold) != pair["conflict"]:
            kind = "missed conflict" if pair["conflict"] else "false alarm"
            print(f"  [{kind}, score {score:.2f}] {pair['note']}")
            print(f"    a ({similarity.polarity(pair['a']):+d}): {pair['a']}")
            print(f"    b ({similarity.polarity(pair['b']):+d}): {pair['b']}")


if __name__ == "__main__":
    main()
