"""Embeddable cards and oEmbed, rendered in headless chromium against the live server."""

import json
from html.parser import HTMLParser
from urllib.parse import quote

import browser
import pytest
import requests
from factories import link_conflict
from factories import make_claim
from factories import make_topic
from factories import publish_fact_check
from factories import review_claim

from service.http.web.embeds import RESIZE_LISTENER
from service.ledger import conflicts
from service.ledger import fact_checks
from service.ledger import ratings

HOSTILE_TEXT = 'Shells ran out </script><script>document.title="pwned"</script> & <b>more</b>'
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


class Dom(HTMLParser):
    """The parts of a dumped DOM the tests look at: text, scripts, links and articles."""

    def __init__(self, markup):
        super().__init__()
        self.text = []
        self.scripts = []
        self.own_scripts = 0
        self.links = []
        self.articles = []
        self.hrefs = []
        self.title = ""
        self._in = None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src") == "/embed/static/embed.js":
            self.own_scripts += 1
        elif tag == "script":
            self.scripts.append({"type": attrs.get("type"), "content": ""})
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "article":
            self.articles.append(attrs.get("id"))
        elif tag == "a":
            self.hrefs.append(attrs.get("href"))
        self._in = tag

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1]["content"] += data
        elif self._in == "title":
            self.title += data
        else:
            self.text.append(data)

    @property
    def visible_text(self):
        return " ".join(" ".join(self.text).split())


def render(url):
    """Load a page in headless chromium and return the DOM it built."""
    return Dom(browser.render(url))


@pytest.mark.browser
def test_claim_card_renders_with_its_rating_and_claim_review(live_server, tmp_path):
    claim = make_claim(text=HOSTILE_TEXT, speaker={"name": "Levko Stek", "description": "Border guard"})
    publish_fact_check(
        [claim],
        rating="false",
        headline="No <em>shortage</em>",
        article_url="https://paper.example/fc/shells",
        explanation="<i>No</i> shortage was seen.",
    )

    dom = render(f"{live_server}/embed/claims/{claim.id}")

    assert dom.articles == [f"claim-{claim.id}"]
    assert HOSTILE_TEXT in dom.visible_text
    assert "<i>No</i> shortage was seen." in dom.visible_text
    assert "No <em>shortage</em>" in dom.visible_text
    assert "Levko Stek" in dom.visible_text and "Border guard" in dom.visible_text
    assert "False" in dom.visible_text and "2023-04-07" in dom.visible_text
    assert "https://paper.example/fc/shells" in [link for link in dom.hrefs]
    assert dom.title != "pwned"
    [script] = dom.scripts
    assert script["type"] == "application/ld+json"
    markup = json.loads(script["content"])
    assert markup["@type"] == "ClaimReview"
    assert markup["claimReviewed"] == HOSTILE_TEXT
    assert markup["url"] == "https://paper.example/fc/shells"
    assert markup["reviewRating"]["alternateName"] == "False"
    assert markup == requests.get(f"{live_server}/api/v1/claims/{claim.id}/claimreview", timeout=30).json()


def test_drafts_unreviewed_claims_and_unconfirmed_conflicts_have_no_card(client):
    ratings.ensure_default_scale()
    unreviewed, reviewed, drafted = make_claim(), make_claim(), make_claim()
    review_claim(reviewed.id, "contested")
    fact_checks.create_fact_check(
        {
            "headline": "Draft",
            "article_url": "https://paper.example/draft",
            "rating": "false",
            "explanation": "Not yet.",
            "claim_ids": [drafted.id],
        },
        "reviewer",
    )
    dismissed = link_conflict(unreviewed, reviewed)
    conflicts.dismiss(dismissed.id, "reviewer")

    for claim in (unreviewed, reviewed, drafted):
        assert client.get(f"/embed/claims/{claim.id}").status_code == 404
        oembed = client.get("/oembed", query_string={"url": f"http://localhost/embed/claims/{claim.id}"})
        assert oembed.status_code == 404
    assert client.get(f"/embed/conflicts/{dismissed.id}").status_code == 404
    conflicts.confirm(dismissed.id, "reviewer")
    card = client.get(f"/embed/conflicts/{dismissed.id}").get_data(as_text=True)
    assert unreviewed.text in card
    for internal in ("suggested", "stance", "supported", "contested", "Unreviewed", "reviewer"):
        assert internal not in card.lower()


@pytest.mark.browser
def test_conflict_card_shows_both_claims_the_earlier_on_the_left(live_server, tmp_path):
    topic = make_topic()
    later = make_claim(text="Our fighters have no shells", claimed_on="2023-04-07", speaker={"name": "Prigozhin"})
    earlier = make_claim(text="We sensed no shell hunger", claimed_on="2023-04-05", speaker={"name": "Stek"})
    conflict = link_conflict(later, earlier, topic=topic, note="Opposite accounts of the same front")

    dom = render(f"{live_server}/embed/conflicts/{conflict.id}")

    assert dom.articles == [f"claim-{earlier.id}", f"claim-{later.id}"]
    text = dom.visible_text
    assert text.index("We sensed no shell hunger") < text.index("Our fighters have no shells")
    assert "Is there an ammunition shortage?" in text
    assert "Opposite accounts of the same front" in text
    assert dom.scripts == [] and dom.own_scripts == 1


@pytest.mark.browser
def test_embed_pages_link_their_oembed_answer(live_server, tmp_path):
    claim = make_claim()
    publish_fact_check([claim])
    page = f"{live_server}/embed/claims/{claim.id}"

    dom = render(page)

    [discovery] = [link for link in dom.links if link.get("type") == "application/json+oembed"]
    assert discovery["rel"] == "alternate"
    assert discovery["href"] == f"{live_server}/oembed?url={quote(page, safe='')}&format=json"
    answer = requests.get(discovery["href"], timeout=30)
    assert answer.status_code == 200
    assert answer.json()["type"] == "rich"
    [stylesheet] = [link for link in dom.links if link.get("rel") == "stylesheet"]
    css = requests.get(f"{live_server}{stylesheet['href']}", timeout=30)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")


def test_oembed_for_a_conflict_is_a_rich_card(live_server):
    left = make_claim(text="No shells", claimed_on="2023-04-01", speaker={"name": "Yevgeny Prigozhin"})
    right = make_claim(text="Plenty of shells", claimed_on="2023-04-02", speaker={"name": "Levko Stek"})
    conflict = link_conflict(left, right, topic=make_topic())
    page = f"{live_server}/embed/conflicts/{conflict.id}"

    response = requests.get(f"{live_server}/oembed", params={"url": page, "format": "json"}, timeout=30)

    assert response.status_code == 200
    title = "Yevgeny Prigozhin vs Levko Stek: Is there an ammunition shortage?"
    assert response.json() == {
        "version": "1.0",
        "type": "rich",
        "html": f'<iframe src="{page}" width="760" height="1100" title="{title}" '
        'style="border:0;max-width:100%" loading="lazy" referrerpolicy="no-referrer" '
        'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" data-claimledger-embed></iframe>'
        + RESIZE_LISTENER,
        "width": 760,
        "height": 1100,
        "title": title,
        "provider_name": "claimledger",
        "cache_age": 300,
    }


def test_oembed_honours_maxwidth_and_maxheight(client):
    claim = make_claim(text='He said "<no>"')
    publish_fact_check([claim], rating="mostly-true")

    response = client.get(
        "/oembed", query_string={"url": f"http://localhost/embed/claims/{claim.id}", "maxwidth": 300, "maxheight": 2000}
    )

    body = response.get_json()
    assert (body["width"], body["height"]) == (300, 640)
    assert 'width="300" height="640"' in body["html"]
    assert 'title="Mostly true: He said &quot;&lt;no&gt;&quot;"' in body["html"]
    assert body["title"] == 'Mostly true: He said "<no>"'


def test_oembed_xml_is_not_implemented(client):
    claim = make_claim()

    response = client.get("/oembed", query_string={"url": f"http://localhost/embed/claims/{claim.id}", "format": "xml"})

    assert response.status_code == 501
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == "/problems/not-implemented"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/embed/claims/999",
        "http://localhost/embed/conflicts/999",
        "http://elsewhere.example/embed/claims/{id}",
        "http://localhost/api/v1/claims/{id}",
        "javascript:alert(1)",
    ],
)
def test_oembed_for_an_unknown_url_is_404(client, url):
    claim = make_claim()

    response = client.get("/oembed", query_string={"url": url.format(id=claim.id)})

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "url"), ({"maxwidth": "wide"}, "maxwidth"), ({"maxheight": "0"}, "maxheight")],
)
def test_oembed_bad_parameters_are_422_naming_the_field(client, query, field):
    claim = make_claim()
    query = {"url": f"http://localhost/embed/claims/{claim.id}", **query}
    if field == "url":
        del query["url"]

    response = client.get("/oembed", query_string=query)

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


def test_embed_of_an_unknown_claim_or_conflict_is_404(client):
    assert client.get("/embed/claims/999").status_code == 404
    assert client.get("/embed/conflicts/999").status_code == 404


def test_embeds_are_framable_by_any_site_by_default(client):
    claim = make_claim()
    publish_fact_check([claim])

    response = client.get(f"/embed/claims/{claim.id}")

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors *")
    assert "default-src 'none'; script-src 'self';" in policy
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_embeds_are_framable_by_the_configured_origins(app, client):
    app.config["EMBED_ORIGINS"] = ["https://cms.example", "https://www.paper.example"]
    left, right = make_claim(), make_claim()
    publish_fact_check([left])
    conflict = link_conflict(left, right)

    for path in (f"/embed/claims/{left.id}", f"/embed/conflicts/{conflict.id}"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"].endswith(
            "frame-ancestors https://cms.example https://www.paper.example"
        )
        assert "X-Frame-Options" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
