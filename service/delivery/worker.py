"""The delivery worker: send due webhook deliveries until told to stop."""

import logging
import signal
import threading

import peewee

from service.delivery import sender as delivery
from service.ledger import article_jobs
from service.storage.db import database

log = logging.getLogger(__name__)


def _drop_connection():
    try:
        database.close()
    except peewee.PeeweeException:
        # The connection is already broken; the next connect() opens a fresh one.
        log.debug("closing a broken database connection failed", exc_info=True)


def work(options, stop, once=False, batch=20, poll_seconds=1.0):
    """Deliver due webhooks on this thread until stop is set, or after one pass when once; survive database outages."""
    try:
        while not stop.is_set():
            try:
                database.connect(reuse_if_open=True)
                attempted = delivery.deliver_due(batch, options=options, should_stop=stop.is_set)
                attempted += article_jobs.run_due_jobs()
            except (peewee.OperationalError, peewee.InterfaceError) as error:
                log.warning("database unavailable (%s); trying again in %gs", error, poll_seconds)
                _drop_connection()
                attempted = 0
            if once:
                break
            if not attempted:
                stop.wait(poll_seconds)
    finally:
        _drop_connection()


def run(options, once=False, concurrency=1, batch=20, poll_seconds=1.0):
    """Run concurrency worker threads until SIGTERM or SIGINT, each finishing the delivery in hand first."""
    stop = threading.Event()

    def request_stop(signum, frame):
        log.info("%s: finishing the deliveries in hand, then exiting", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("delivering webhooks with %d thread(s)%s", concurrency, " for one pass" if once else "")
    threads = [
        threading.Thread(target=work, args=(options, stop, once, batch, poll_seconds), name=f"delivery-{number}")
        for number in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log.info("worker stopped")
