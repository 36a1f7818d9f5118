"""Taking a comment in: validating what a CMS sent (``validation``), the site's rules
(allow/block lists, thresholds, repeats: ``rules``), scoring and storing concurrent
comments in batches (``batching``), and an Akismet call's form as a comment
(``akismet_form``).

May import ``core``, the config, ``storage`` and ``learning`` (the models that score);
never the web layer, the runtime or aiohttp.
"""
