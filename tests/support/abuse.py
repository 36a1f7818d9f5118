"""Texts for the tests of the abuse score (the ``abuse_head`` fixture is in conftest):
scores always come from the real default model, never written by a test."""

from __future__ import annotations

# A hostile insult and a polite remark: any abuse head worth shipping tells them apart.
HOSTILE = "You are a pathetic idiot and a disgusting liar. Shut up, you worthless moron."
POLITE = "Thank you for the careful reporting on the council budget; the figures helped."
# the thresholds the rule tests use: the insult must be above, the remark below
LINE = 0.5
