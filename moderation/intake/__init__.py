"""Taking a comment in: validating what a CMS sent (``validation``), the site's rules
(allow/block lists, thresholds, repeats: ``rules``), and scoring and storing concurrent
comments in batches (``batching``).

May import ``core``, the config, ``storage`` and ``learning`` (the models that score);
never the web layer, the runtime or aiohttp.
"""
