"""Intake: the webhook, the Akismet-compatible API, floods and rate limits, bodies over
a segmenting network."""
