"""Telling CMSs the decisions: the callback deliverer (``callbacks``), which sends each
event of the Redis outbox, signed, retried with back-off, in order per comment, and keeps
the dead ones.

May import ``core``, the config and ``storage``, and aiohttp's client; never the web
layer's handlers or the runtime.
"""
