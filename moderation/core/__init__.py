"""The vocabulary every part shares: a comment's record, statuses and history lines
(``records``), field errors (``fields``), checks on client text (``text``), an author's
IP and an http(s) URL (``netaddr``), the HMAC signature both ways use (``signing``), the
one JSON codec (``jsoncodec``), metrics, logs and stoppable background loops.

Imports nothing else of ``moderation`` (not even the config): every other folder may
import it.
"""
