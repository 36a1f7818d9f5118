"""Storage: every Redis key name (``keys``), the Lua scripts (``scripts``), the store that
runs them (``store``; each site's API rules in ``rules``), the transports to one Redis or
a cluster, the client set-up (``connect``), the embedded redis-server and its start-up
(``redis_server``), what Redis raises when it is away (``errors``) and the watch on
Redis's health.

May import ``core`` and the config only: it knows comments and statuses, not how they
are decided or served.
"""
