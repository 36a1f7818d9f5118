"""A real WordPress (Debian's, with MariaDB and PHP) against the service: the Akismet
route and the one-queue plugin."""
