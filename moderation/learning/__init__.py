"""The models: the default model held in memory (``model_holder``), each site's own model
kept in Redis and swapped in per instance (``site_models``), the gated background retrain
(``retraining``), a stored comment as a training example (``examples``) and the export
of labelled examples (``labels``).

May import ``core``, the config, ``storage`` and ``classifier``; never the web layer, the
runtime or aiohttp.
"""
