"""The one IP normaliser and the one URL check (``moderation.core.netaddr``), which intake
validation, the rate limit's key, the Akismet form and the config all use."""

from __future__ import annotations

import pytest

from moderation.core.netaddr import normal_ip, url_problem
from moderation.core.text import CONTROL_CHARACTERS


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5\n", "203.0.113.5"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:203.0.113.5", "::ffff:cb00:7105"),
        ("", None),
        ("203.0.113", None),
        ("example.org", None),
        ("2001:db8::1/64", None),
    ],
)
def test_an_ip_has_one_text(value: str, normal: str | None) -> None:
    assert normal_ip(value) == normal


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("http://example.org/a?b=c", None),
        ("HTTPS://Example.org", None),
        ("http://[2001:db8::1]:8080/", None),
        ("", "must be an http or https URL"),
        ("ftp://example.org/", "must be an http or https URL"),
        ("example.org/page", "must be an http or https URL"),
        ("http:///path", "must have a host name"),
        ("http://example.org/a b", "must not contain spaces"),
        ("http://example.org/\u00a0", "must not contain spaces"),
        ("http://example.org/\x01", CONTROL_CHARACTERS),
        ("http://example.org/\n", CONTROL_CHARACTERS),
        # what urllib.parse.urlsplit itself refuses
        ("http://[", "is not a valid URL"),
        ("http://\u2100/", "is not a valid URL"),
    ],
)
def test_what_is_an_http_url(value: str, problem: str | None) -> None:
    assert url_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://example.com/a\u00a0b", "must not contain spaces"),  # no-break space
        ("https://example.com/a\u3000b", "must not contain spaces"),  # ideographic space
        ("https://example.com/a\u2029b", "must not contain spaces"),  # paragraph separator
        ("https://example.com/a\x1fb", "control"),
        ("https://example.com/a\x7fb", None),  # DEL is not below 32: urlsplit keeps it
    ],
)
def test_url_problem_finds_every_space_and_control_character(
    value: str, problem: str | None
) -> None:
    found = url_problem(value)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found
