"""Self-hosted comment moderation service: intake, scoring, review queue, moderator tools."""

__version__ = "0.1.0"
