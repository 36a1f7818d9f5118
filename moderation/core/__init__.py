"""The vocabulary every part shares: a comment's record, statuses and history lines
(``records``), field errors (``fields``), checks on client text (``text``), the HMAC
signature both ways use (``signing``), JSON (``jsoncodec``), metrics, logs and stoppable
background loops.

Imports nothing else of ``moderation`` (not even the config): every other folder may
import it.
"""
