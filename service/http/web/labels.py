"""The embeddable cards' labels in English, Ukrainian and Russian, chosen by the claim's language."""

LABELS = {
    "en": {
        "verdicts": {"supported": "Supported", "contested": "Contested", "unreviewed": "Unreviewed"},
        "tally": "{supported} supported · {contested} contested",
        "latest_review": "Latest review, {date}:",
        "conflicting_claims": "Conflicting claims",
        "cannot_both_be_true": "These two statements cannot both be true.",
        "conflict_status": {
            "suggested": "Conflict suggested",
            "confirmed": "Conflict confirmed",
            "dismissed": "Conflict dismissed",
        },
        "decided_by": "by {name}",
        "fact_check_by": "Fact check by",
    },
    "uk": {
        "verdicts": {"supported": "Підтверджено", "contested": "Оскаржено", "unreviewed": "Не перевірено"},
        "tally": "підтверджують: {supported} · оскаржують: {contested}",
        "latest_review": "Остання перевірка, {date}:",
        "conflicting_claims": "Суперечливі твердження",
        "cannot_both_be_true": "Ці два твердження не можуть бути правдивими водночас.",
        "conflict_status": {
            "suggested": "Можлива суперечність",
            "confirmed": "Суперечність підтверджено",
            "dismissed": "Суперечність відхилено",
        },
        "decided_by": "(рецензент: {name})",
        "fact_check_by": "Перевірка фактів:",
    },
    "ru": {
        "verdicts": {"supported": "Подтверждено", "contested": "Оспорено", "unreviewed": "Не проверено"},
        "tally": "подтверждают: {supported} · оспаривают: {contested}",
        "latest_review": "Последняя проверка, {date}:",
        "conflicting_claims": "Противоречащие заявления",
        "cannot_both_be_true": "Эти два утверждения не могут быть верны одновременно.",
        "conflict_status": {
            "suggested": "Возможное противоречие",
            "confirmed": "Противоречие подтверждено",
            "dismissed": "Противоречие отклонено",
        },
        "decided_by": "(рецензент: {name})",
        "fact_check_by": "Проверка фактов:",
    },
}
DEFAULT = "en"


def primary(language):
    """Return the primary subtag of a language tag, lower-cased ("uk" for "uk-UA")."""
    return (language or DEFAULT).split("-", 1)[0].lower()


def card_language(*languages):
    """Return (page lang, labels lang) for a card showing claims in these languages.

    The page takes the claims' language when they share one; the labels are in that language when we have
    them, else in English (and the template marks them lang="en").
    """
    primaries = {primary(language) for language in languages}
    page = languages[0] if len(primaries) == 1 else DEFAULT
    labels = primary(page) if primary(page) in LABELS else DEFAULT
    return page, labels
