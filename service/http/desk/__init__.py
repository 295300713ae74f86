"""The reviewer desk: server-rendered pages under /desk/ where reviewers triage, review, draft and publish
fact-checks, and manage keys.

Every action works as a plain HTML form; desk.js makes the common ones faster (keyboard triage, writes
without a page load, live updates) and is never needed. Writes go through the same domain functions as
the API, with the signed-in key's name as the actor.
"""

from service.http.desk import keys
from service.http.desk import publishing
from service.http.desk import triage
from service.http.desk import views
from service.http.desk.blueprint import blp

__all__ = ["blp", "keys", "publishing", "triage", "views"]
