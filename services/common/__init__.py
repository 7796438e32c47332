"""Plumbing shared by every service: settings, database, outbox and inbox,
event envelope, retries and dead letters, metrics, logging. No domain code."""
