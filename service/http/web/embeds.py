"""Embeddable cards for a CMS: /embed/claims/{id}, /embed/conflicts/{id}, and their oEmbed endpoint."""

import re
from html import escape
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from markupsafe import Markup

from service.http import guard
from service.http.api.claimreview import organization as markup_author
from service.http.api.common import public_base_url
from service.http.web import headers
from service.http.web import labels
from service.ledger import cards
from service.ledger import ratings
from service.ledger.errors import NotFound
from service.ledger.errors import Problem
from service.ledger.errors import ValidationFailed

blp = Blueprint(
    "embeds",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/embed/static",
)

EMBED_PATH = re.compile(r"^/embed/(claims|conflicts)/([1-9][0-9]{0,15})/?$")
# Tall enough for a card whose two sides stack on a phone, when the host page runs no script to fit the frame;
# with the listener in the oEmbed html the frame shrinks to the card's height at once.
DEFAULT_SIZES = {"claims": (560, 640), "conflicts": (760, 1100)}
TITLE_LENGTH = 140
HEIGHT_MESSAGE = "claimledger:embed-height"
# The oEmbed html's listener: it sets the height of the iframe whose card sent the message (matched by window,
# since a sandboxed card has an opaque origin) and ignores every other message. Installed once per page.
RESIZE_LISTENER = (
    "<script>(function(){if(window.claimledgerEmbeds)return;window.claimledgerEmbeds=1;"
    'window.addEventListener("message",function(e){var d=e.data;'
    f'if(!d||d.type!=="{HEIGHT_MESSAGE}"||typeof d.height!=="number")return;'
    'var f=document.querySelectorAll("iframe[data-claimledger-embed]");'
    "for(var i=0;i<f.length;i++){if(f[i].contentWindow===e.source)"
    'f[i].style.height=Math.max(40,Math.min(d.height,20000))+"px";}});})();</script>'
)


class FormatNotImplemented(Problem):
    status, title, slug = 501, "Not implemented", "not-implemented"


@blp.before_request
def _check_reads():
    # The cards and oEmbed answers carry the ledger's data; the stylesheet carries none.
    if request.endpoint != "embeds.static":
        guard.check_read_access()


@blp.after_request
def _secure(response):
    return headers.secure_embed(response, current_app.config["EMBED_ORIGINS"])


def _organization():
    return current_app.config["ORGANIZATION"], current_app.config["ORGANIZATION_URL"]


def _oembed_link(page_url):
    return f"{public_base_url()}/oembed?{urlencode({'url': page_url, 'format': 'json'})}"


def _shorten(text):
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def _claim_title(card):
    fact_check = card["fact_check"]
    return _shorten(f"{ratings.label(fact_check.rating, fact_check.language)}: {card['claim'].text}")


def _conflict_title(card):
    title = f"{card['left'].speaker.name} vs {card['right'].speaker.name}"
    if card["topic"] is not None:
        title += f": {card['topic'].title}"
    return _shorten(title)


def _page(template, page_url, title, languages, **context):
    page_lang, labels_lang = labels.card_language(*languages)
    return render_template(
        template,
        page_url=page_url,
        oembed_url=_oembed_link(page_url),
        title=title,
        organization=_organization(),
        page_lang=page_lang,
        labels=labels.LABELS[labels_lang],
        label_lang=Markup(f' lang="{labels_lang}"') if labels.primary(page_lang) != labels_lang else "",
        rating_label=ratings.label,
        **context,
    )


def render_claim_card(card):
    """Render a claim's card as readers see it: the embed itself, and the desk's preview of a draft."""
    page_url = f"{public_base_url()}/embed/claims/{card['claim'].id}"
    return _page("embed_claim.html", page_url, _claim_title(card), [card["claim"].language], **card)


@blp.route("/embed/claims/<int:claim_id>")
def claim(claim_id):
    """Show a claim a published fact-check rates as an embeddable card, with its ClaimReview markup."""
    return render_claim_card(cards.claim_card(claim_id, *markup_author()))


@blp.route("/embed/conflicts/<int:conflict_id>")
def conflict(conflict_id):
    """Show the two claims of a confirmed conflict side by side, the earlier on the left."""
    card = cards.conflict_card(conflict_id)
    page_url = f"{public_base_url()}/embed/conflicts/{conflict_id}"
    languages = [card["left"].language, card["right"].language]
    return _page("embed_conflict.html", page_url, _conflict_title(card), languages, **card)


def _size_limit(name):
    value = request.args.get(name)
    if value is None:
        return None
    # isdigit() alone takes "²", which int() refuses.
    if not (value.isascii() and value.isdigit() and len(value) <= 5) or not 0 < int(value) <= 10000:
        raise ValidationFailed(f"{name} must be a whole number of pixels, 1 to 10000.", errors={name: ["Not a size."]})
    return int(value)


def _embedded_page(url):
    """Return (kind, id) for the URL of one of our embed pages, or raise NotFound."""
    parts = urlsplit(url)
    ours = urlsplit(public_base_url())
    match = EMBED_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != ours.netloc.lower() or match is None:
        raise NotFound(
            "The url is not an embeddable page of this service (/embed/claims/{id} or /embed/conflicts/{id})."
        )
    return match.group(1), int(match.group(2))


@blp.route("/oembed")
def oembed():
    """Answer oEmbed (JSON only) for a published claim card or a confirmed conflict's card."""
    url = request.args.get("url", "")
    if not url:
        raise ValidationFailed(
            "Give the url of an embeddable page.", errors={"url": ["Missing data for required field."]}
        )
    if request.args.get("format", "json") != "json":
        raise FormatNotImplemented("Only format=json is offered.")
    max_width, max_height = _size_limit("maxwidth"), _size_limit("maxheight")
    kind, object_id = _embedded_page(url)
    if kind == "claims":
        title = _claim_title(cards.claim_card(object_id, *markup_author()))
    else:
        title = _conflict_title(cards.conflict_card(object_id))
    src = f"{public_base_url()}/embed/{kind}/{object_id}"
    width, height = DEFAULT_SIZES[kind]
    width, height = min(width, max_width or width), min(height, max_height or height)
    organization, organization_url = _organization()
    document = {
        "version": "1.0",
        "type": "rich",
        "html": (
            f'<iframe src="{escape(src)}" width="{width}" height="{height}" title="{escape(title)}" '
            'style="border:0;max-width:100%" loading="lazy" referrerpolicy="no-referrer" '
            'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" data-claimledger-embed></iframe>'
            + RESIZE_LISTENER
        ),
        "width": width,
        "height": height,
        "title": title,
        "provider_name": organization,
        "cache_age": 300,
    }
    if organization_url:
        document["provider_url"] = organization_url
    return jsonify(document)
