"""Assemble the Flask app: settings, database, API, pages and the request rules they share."""

from flask import Flask
from flask import current_app
from flask import request
from flask import send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from service import config as settings
from service.http import api as api_package
from service.http import cors
from service.http import desk
from service.http import guard
from service.http import health
from service.http import idempotency
from service.http import openapi
from service.http import problems
from service.http import ratelimit
from service.http.web import embeds
from service.http.web import headers
from service.http.web import pages
from service.ledger.errors import UnsupportedMediaType
from service.schemas.problems import ProblemOut
from service.storage import db

BODY_TYPES = {"application/json"}
MAX_PATH_ID = 10**16 - 1


class IdConverter(IntegerConverter):
    """<int:...> in our routes: a row id of 1 to 16 digits, far inside a 64-bit integer, so never an overflow.

    The pattern alone decides what is an id: werkzeug answers 405 instead of 404 when a converter refuses a
    value after its pattern matched and another method's rule for the same path would have taken it.
    """

    regex = r"[1-9][0-9]{0,15}"

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_PATH_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


class ClaimLedgerApi(Api):
    """flask-smorest's Api with every error answered, and documented, as problem+json."""

    ERROR_SCHEMA = ProblemOut
    # No catch-all "default" response: service/http/openapi.py lists each status an operation can answer.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error):
        return problems.handle_http_exception(error)

    def _register_responses(self):
        # flask-smorest documents its error responses under the success content type; ours are problem+json.
        success_type = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = problems.PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = success_type


def _openapi_settings():
    return {
        "API_TITLE": "claimledger",
        "API_VERSION": "1.0",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
        "API_SPEC_OPTIONS": {
            "info": {"description": "Claims, speakers, sources, verdicts and conflicts side by side."},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }


def _check_body():
    """Refuse a write whose body is not JSON, or is chunked past the size limit, before anything parses it."""
    if request.method in ("POST", "PUT", "PATCH") and request.path.startswith("/api/"):
        # A rule with a larger limit of its own (the batch import) has it before anything reads the body:
        # the chunked check below and the Idempotency-Key hash both read it before the view runs.
        body_limit = getattr(request.url_rule, "max_body_setting", None)
        if body_limit:
            request.max_content_length = current_app.config[body_limit]
        has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
        accepted = getattr(request.url_rule, "body_types", None) or BODY_TYPES
        if has_body and request.mimetype not in accepted:
            raise UnsupportedMediaType(
                f"Send the body as {' or '.join(sorted(accepted))}, not {request.mimetype or 'untyped'}."
            )
        if has_body and request.content_length is None and request.max_content_length is not None:
            # werkzeug stops reading a chunked body at the limit without an error, which would parse a
            # truncated body; one that fills the limit is taken as too large.
            if len(request.get_data(cache=True)) >= request.max_content_length:
                raise RequestEntityTooLarge()


def _check_reads():
    if (
        request.method in ("GET", "HEAD")
        and request.path.startswith("/api/v1/")
        and not (request.path.startswith("/api/v1/docs") or request.path == "/api/v1/openapi.json")
    ):
        guard.check_read_access()


def _secure_docs(response):
    if request.endpoint == "api-docs.openapi_swagger_ui" and response.mimetype == "text/html":
        headers.secure_docs(response, current_app.config["EMBED_ORIGINS"])
    return response


def _conditional(response):
    if request.method in ("GET", "HEAD") and response.status_code == 200 and "ETag" in response.headers:
        response.make_conditional(request)
    return response


class App(Flask):
    """The Flask app, with every view run through the Idempotency-Key wrapper.

    dispatch_request is where Flask calls the matched view, after the before_request hooks (so after the
    connection opens) and before error handlers and after_request hooks see the answer.
    """

    def dispatch_request(self):
        return idempotency.run_view(super().dispatch_request)


def build(config=None):
    """Return the configured app."""
    app = App(__name__)
    app.config.update(settings.from_environment())
    app.config.update(_openapi_settings())
    app.config.update(config or {})
    app.json.sort_keys = False
    app.url_map.converters["int"] = IdConverter
    db.bind(app.config["DATABASE_URL"])

    problems.register(app)
    api = ClaimLedgerApi(
        app, spec_kwargs={"marshmallow_plugin": openapi.Marshmallow(), "extra_plugins": [openapi.HttpRules(app)]}
    )
    api_package.register(api)
    openapi.describe_published(api)
    app.register_blueprint(health.blp)
    app.register_blueprint(embeds.blp)
    app.register_blueprint(pages.blp)
    app.register_blueprint(desk.blp)
    app.add_url_rule("/api/v1/docs/assets/<path:filename>", "docs_assets", _send_asset)

    app.before_request(cors.answer_preflight)

    @app.before_request
    def _open_connection():
        if request.endpoint not in ("health.healthz", "docs_assets"):
            db.database.connect(reuse_if_open=True)
        ratelimit.check_request()
        _check_body()
        _check_reads()

    @app.teardown_request
    def _close_connection(exc):
        # Closing hands a PostgreSQL connection back to its pool. A SQLite connection stays open for the
        # thread's next request (peewee keeps one per thread; a sync worker has one): opening one and
        # running its pragmas cost about 0.5 ms a request, and each began with an empty page cache.
        if db.is_postgres() and not db.database.is_closed():
            db.database.close()

    app.after_request(cors.add_headers)
    app.after_request(_conditional)
    app.after_request(_secure_docs)
    return app


def _send_asset(filename):
    """Serve Swagger UI's files from the installed package, so the docs work offline."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
