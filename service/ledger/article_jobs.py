"""Article analysis jobs: a long article is queued, the worker analyses it, and `article.analyzed` tells subscribers."""

import datetime
import logging

from service.ledger import articles
from service.ledger import events
from service.ledger.errors import NotFound
from service.storage.db import database
from service.storage.models import ArticleJob
from service.storage.models import utcnow

log = logging.getLogger(__name__)
# A job left running this long by a worker is taken again by another.
LEASE = datetime.timedelta(minutes=10)


def submit_job(text, language, url, published_on, actor):
    """Queue an article for analysis by the worker; return the job."""
    articles.check_text(text)
    with database.atomic():
        return ArticleJob.create(text=text, language=language, url=url, published_on=published_on, actor=actor)


def get_job(job_id):
    """Return an analysis job, or raise NotFound."""
    job = ArticleJob.get_or_none(ArticleJob.id == job_id)
    if job is None:
        raise NotFound(f"No article analysis job with id {job_id}.")
    return job


def _take():
    """Claim the oldest job that is pending or whose worker's lease ran out; return it or None."""
    now = utcnow()
    with database.atomic():
        due = (ArticleJob.status == "pending") | ((ArticleJob.status == "running") & (ArticleJob.locked_until < now))
        candidate = ArticleJob.select(ArticleJob.id).where(due).order_by(ArticleJob.id).first()
        if candidate is None:
            return None
        taken = (
            ArticleJob.update(status="running", locked_until=now + LEASE)
            .where((ArticleJob.id == candidate.id) & due)
            .execute()
        )
    return ArticleJob.get_by_id(candidate.id) if taken else None


def summary(job):
    """Return a job as the API and the `article.analyzed` event show it (without the result)."""
    result = job.result or {}
    return {
        "id": job.id,
        "status": job.status,
        "url": job.url,
        "words": result.get("words"),
        "notes": len(result.get("notes", [])) if job.result else None,
        "error": job.error,
        "created_at": job.created_at.isoformat() + "Z",
        "finished_at": job.finished_at.isoformat() + "Z" if job.finished_at else None,
    }


def run_job(job):
    """Analyse a taken job's article, store the result and record `article.analyzed` in one transaction."""
    try:
        result = articles.analyze(job.text, job.language, job.url, job.published_on)
        status, error = "done", None
    except Exception as failure:  # noqa: BLE001 - a job must end, whatever the article did to the analysis
        log.exception("article job %s failed", job.id)
        result, status, error = None, "failed", f"{type(failure).__name__}: {failure}"
    with database.atomic():
        job.status, job.result, job.error, job.finished_at, job.locked_until = status, result, error, utcnow(), None
        job.save()
        events.record("article.analyzed", "article_job", job.id, job.actor, summary(job))
    return job


def run_due_jobs(limit=1):
    """Run up to limit due jobs; return how many ran."""
    ran = 0
    while ran < limit:
        job = _take()
        if job is None:
            break
        run_job(job)
        ran += 1
    return ran
