"""The web layer: request handlers, the request and answer models, middleware,
problem answers, authentication, sessions, the moderator page and the API document."""
