"""The review queue: decisions, claims, races, the CMS's own decisions, the moderator
page (API and a real Chromium), who may see what."""
