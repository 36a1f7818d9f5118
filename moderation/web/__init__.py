"""The web layer: request handlers, the request and answer models, middleware,
problem answers, authentication, the admin and site checks (``access``), sessions, the
moderator page and the API document.

May import every domain folder (``core``, the config, ``storage``, ``learning``,
``intake``, ``review``, ``delivery``) and reaches the process only through ``appkeys``
(the typed app state); never ``app``, ``runtime`` or ``cli``.
"""
