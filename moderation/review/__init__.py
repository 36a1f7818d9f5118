"""What happens to comments after intake that is not a single Redis script: erasure and
retention (``privacy``).  The queue's own operations (claims, decisions, undo) are atomic
scripts behind ``storage.store``.

May import ``core``, the config and ``storage``; never the web layer, the runtime or
aiohttp.
"""
