"""Articles: /api/v1/articles: analyse a draft against the ledger, store the claims chosen from it."""

from flask import jsonify
from flask import request
from flask import url_for
from marshmallow import ValidationError

from service.http import guard
from service.http.api.common import Blueprint
from service.ledger import article_jobs
from service.ledger import articles
from service.ledger.errors import BadRequest
from service.ledger.errors import ValidationFailed
from service.ledger.errors import flatten_messages
from service.nlp.article_text import article_text
from service.schemas.articles import ArticleInput
from service.schemas.articles import ArticleQuery
from service.schemas.articles import StoreCandidatesInput
from service.schemas.sources import SourceOut

ANALYZE_BODY_TYPES = {"application/json", "text/plain", "text/html"}

blp = Blueprint("articles", __name__, description="Articles: what a draft says that the ledger checked or contradicts.")


def _load(schema, data):
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ValidationFailed(errors=flatten_messages(error.messages)) from None


def _article():
    """Return (text, language, url, published_on) from a JSON body or a text/plain or text/html one."""
    if request.mimetype == "application/json":
        data = _load(ArticleInput(), request.get_json())
        if "html" in data:
            text = article_text(data["html"], "text/html")
        else:
            text = article_text(data["text"], "text/plain")
        return text, data.get("language"), data.get("url"), data.get("published_on")
    args = _load(ArticleQuery(), request.args.to_dict())
    try:
        body = request.get_data().decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The body is not UTF-8 (byte {error.start}).") from None
    return article_text(body, request.mimetype), args.get("language"), args.get("url"), args.get("published_on")


@blp.route("/articles/analyze", methods=["POST"])
@guard.require("reviewer")
@blp.doc(
    requestBody={
        "required": True,
        # text/plain and text/html are accepted too but not listed as content: any string is an article, and
        # a fuzzer reading {"type": "string"} sends JSON text as a "wrong type" it expects to be refused.
        "description": "JSON {text | html, url?, language?, published_on?}; or the article itself as text/plain "
        "or text/html, with url, language and published_on in the query string.",
        "content": {"application/json": {"schema": ArticleInput}},
    }
)
@blp.response(200)
@blp.alt_response(202, description="A long article: analysed as a job; poll the Location.")
def analyze_article():
    """Analyse an article: matches, contradictions and candidate claims per sentence; a long one becomes a job."""
    text, language, url, published_on = _article()
    if articles.needs_job(text):
        job = article_jobs.submit_job(text, language, url, published_on, guard.actor())
        location = url_for("articles.get_job", job_id=job.id)
        return jsonify(article_jobs.summary(job)), 202, {"Location": location}
    return jsonify(articles.analyze(text, language, url, published_on))


@blp.route("/articles/jobs/<int:job_id>")
@guard.require("reviewer")
@blp.response(200)
def get_job(job_id):
    """Get an analysis job: its status, and its analysis once done."""
    job = article_jobs.get_job(job_id)
    return jsonify({**article_jobs.summary(job), "result": job.result})


@blp.route("/articles/claims", methods=["POST"])
@guard.require("reviewer")
@blp.arguments(StoreCandidatesInput)
@blp.response(201)
def store_claims(data):
    """Store chosen candidates as claims with the article as their source, all or nothing; a repeat adds nothing."""
    source, stored, created = articles.store_candidates(data["article"], data["candidates"], guard.actor())
    return {"source": SourceOut().dump(source), "claims": stored, "created": created}


@blp.record_once
def _accept_text(state):
    """Let the analysis rule take plain text and HTML as well as JSON (the app's 415 check reads body_types)."""
    for rule in state.app.url_map.iter_rules("articles.analyze_article"):
        rule.body_types = ANALYZE_BODY_TYPES
