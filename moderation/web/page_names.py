"""The moderator page's names that browsers, scripts and the API document depend on:
its paths, the session cookie's names and the CSRF header.  Kept apart from ui.py so
that the document's declarations can name them without importing the page's handlers."""

PAGE_PATH = "/moderate"
LOGIN_PATH = "/moderate/login"
LOGOUT_PATH = "/moderate/logout"
SESSION_PATH = "/moderate/session"
ASSET_PATH = "/moderate/static/{name}"

COOKIE = "moderation_session"
SECURE_COOKIE = "__Host-moderation_session"  # __Host-: Secure, Path=/, no Domain, by law
CSRF_HEADER = "X-CSRF-Token"
