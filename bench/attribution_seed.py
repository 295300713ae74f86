"""Show what attribution finds in the shared seed article, and time it: python bench/attribution_seed.py [article]."""

import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.nlp.article_text import article_text  # noqa: E402
from service.nlp.attribution import attributions  # noqa: E402

SEED_ARTICLE = ROOT.parent / "shared" / "seeds" / "article-2023-04-07-bakhmut.txt"
SEED_CLAIMS = ROOT / "seeds" / "bakhmut-2023-04-07.json"

# Passages for timing, written for this script: narration and attribution mixed as in a news story.
PASSAGES = {
    "en": (
        "<p>Border guard spokesman Levko Stek said that Russian units had fired 4,000 shells on Monday. "
        "“We repelled 20 attacks overnight. The enemy is exhausted,” he said in a video. The city has been "
        "shelled for months and residents queue for water at the only working well.</p>"
        "<p>According to the General Staff, Ukrainian forces repelled 32 attacks near Avdiivka. Russian "
        "artillery shelled 14 villages, the regional administration said on Sunday. Smoke rose over the "
        "eastern districts at dawn, and the road to the west was closed to civilian traffic.</p>"
    ),
    "uk": (
        "<p>«Ми не відчуваємо снарядного голоду в росіян», — заявив речник ДПСУ Андрій Демченко. Місто "
        "обстрілюють місяцями, мешканці стоять у черзі по воду біля єдиної криниці.</p>"
        "<p>Військовий експерт Олександр Мусієнко переконаний, що російська армія виснажена. За словами "
        "речника ДПСУ Андрія Демченка, росіяни випустили 3 тисячі снарядів. Над східними районами на "
        "світанку піднявся дим, а дорогу на захід закрили для цивільних.</p>"
    ),
    "ru": (
        "<p>«Снарядов нет, бойцы гибнут», — заявил глава ЧВК Вагнер Евгений Пригожин. По словам Пригожина, "
        "за сутки Вагнер потерял 94 бойца. Город обстреливают месяцами, жители стоят в очереди за водой.</p>"
        "<p>Министр обороны Сергей Шойгу сообщил, что армия получила 2 миллиона снарядов. «Основы для "
        "переговоров нет. Киев отверг все предложения», — добавил пресс-секретарь Кремля Дмитрий Песков. "
        "Над восточными районами на рассвете поднялся дым.</p>"
    ),
}
WORDS = 1000
ROUNDS = 5


def show_seed(path):
    """Print each attribution in the article and which seeded speakers it did not find."""
    text = article_text(path.read_text(encoding="utf-8"), "text/plain")
    found = attributions(text, "en")
    for attribution in found:
        print(
            f"[{attribution.span.start}:{attribution.span.end}] {attribution.speaker}"
            f" | role: {attribution.role} | {attribution.verb} | checkworthiness {attribution.checkworthiness}"
        )
        print(f"    statement: {attribution.statement}")
        if attribution.quote:
            print(f"    quote: {attribution.quote}")
    seeds = json.loads(SEED_CLAIMS.read_text(encoding="utf-8"))
    names = {speaker["name"]: [speaker["name"], *speaker["aliases"]] for speaker in seeds["speakers"]}
    seeded = sorted({claim["speaker"] for claim in seeds["claims"]})
    missed = [name for name in seeded if not any(_same(a.speaker, names[name]) for a in found)]
    print(f"\n{len(found)} attributions; seeded speakers not found: {', '.join(missed) or 'none'}")


def _same(speaker, aliases):
    """Tell whether a speaker as written is one of a seeded speaker's names, an article aside."""
    written = speaker.lower().removeprefix("a ").removeprefix("an ")
    return any(written == alias.lower() for alias in aliases)


def time_language(language, passage):
    """Print words per second for article text, sentences and attributions on about WORDS words of HTML."""
    repeats = -(-WORDS // len(article_text(passage, "text/html").split()))
    body = passage * repeats
    words = len(article_text(body, "text/html").split())
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        attributions(article_text(body, "text/html"), language)
        best = min(best, time.perf_counter() - started)
    print(f"{language}: {words} words in {best * 1000:.1f} ms, {words / best:,.0f} words/s (best of {ROUNDS})")


def main():
    """Show the seed article's attributions, then time each language."""
    path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else SEED_ARTICLE
    if path.exists():
        show_seed(path)
    else:
        print(f"no seed article at {path}")
    print()
    for language, passage in PASSAGES.items():
        time_language(language, passage)


if __name__ == "__main__":
    main()
