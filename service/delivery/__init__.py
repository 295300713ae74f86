"""Webhook delivery: subscriptions, outbox sender, worker, signing, SSRF guard; imports storage and ledger."""
