"""Each site's rules from the API (its block, allow and trusted lists) and their audit:
added and removed by one script each, which also bumps the site's rules version, so that
every instance learns of the change with one GET (intake/rules.py follows it)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from moderation.core import jsoncodec
from moderation.storage import keys, scripts
from moderation.storage.base import StoreBase
from moderation.storage.transport import as_int, as_mapping, as_texts

RULES_MAX = 10_000  # per site: the compiled lists stay small and fast
RULES_AUDIT_KEPT = 10_000  # audit lines kept per site
# Where an erased author's email was, in a rule's value or note kept by the audit trail.
# Not a hash of it: a hash of an email is found again by hashing candidate addresses, so
# it would still be the author's personal data.
ERASED_VALUE = "(erased)"


def new_rule_id() -> str:
    return f"rule_{secrets.token_hex(8)}"


def rule_keys(site: str) -> scripts.RuleKeys:
    return {
        "rules": keys.rules(site),
        "index": keys.rule_index(site),
        "version": keys.rules_version(site),
        "audit": keys.rules_audit(site),
    }


@dataclass(frozen=True, slots=True)
class RuleAdded:
    """What adding a rule came to: ``added`` (False: the same rule was there, and
    ``rule`` is that one), or ``full`` (the site has RULES_MAX rules: nothing added)."""

    rule: dict[str, Any] | None
    added: bool
    full: bool = False


def _record(text: str) -> dict[str, Any] | None:
    try:
        value = jsoncodec.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class RulesStore(StoreBase):
    """Each site's rules from the API and their audit."""

    async def rules_version(self, site: str) -> int:
        [reply] = await self.read(site, ("GET", keys.rules_version(site)))
        return as_int(reply)

    async def rules_versions(self, sites: list[str]) -> dict[str, int]:
        """Each site's rules version, in one round trip per Redis node."""
        replies = await self._transport.read_groups(
            {site: [("GET", keys.rules_version(site))] for site in sites}
        )
        versions: dict[str, int] = {}
        for site, [reply] in replies.items():
            if isinstance(reply, BaseException):
                raise reply
            versions[site] = as_int(reply)
        return versions

    async def rules_of(self, site: str) -> tuple[int, list[dict[str, Any]]]:
        """The site's version and its rules (oldest first), read in one MULTI so that
        the two agree."""
        version, flat = await self.snapshot(
            site, ("GET", keys.rules_version(site)), ("HGETALL", keys.rules(site))
        )
        records = [r for r in map(_record, as_mapping(flat).values()) if r is not None]
        records.sort(key=lambda r: (str(r.get("created_at", "")), str(r.get("id", ""))))
        return as_int(version), records

    async def add_rule(self, site: str, rule: dict[str, Any]) -> RuleAdded:
        """Add ``rule`` (its record, with its ``id``) unless the same list, kind and
        value is there; audited and versioned in the same step."""
        record = jsoncodec.dumps(rule)
        reply = await self._rule_add(
            site=site,
            keys=rule_keys(site),
            argv={
                "id": rule["id"],
                "identity": f"{rule['list']} {rule['kind']} {rule['value']}",
                "record": record,
                "audit_entry": jsoncodec.dumps(
                    {
                        "action": "added",
                        "by": rule["created_by"],
                        "at": rule["created_at"],
                        "rule": rule,
                    }
                ),
                "audit_kept": RULES_AUDIT_KEPT,
                "max_rules": RULES_MAX,
            },
        )
        kind = reply[0]
        if kind == "full":
            return RuleAdded(None, added=False, full=True)
        return RuleAdded(_record(reply[2]), added=kind == "added")

    async def delete_rule(self, site: str, rule_id: str, by: str, at: str) -> bool:
        """Remove the rule; False if the site has no such rule."""
        reply = await self._rule_delete(
            site=site,
            keys=rule_keys(site),
            argv={"id": rule_id, "by": by, "at": at, "audit_kept": RULES_AUDIT_KEPT},
        )
        return bool(reply[0] == "removed")

    async def erase_rules_naming(self, site: str, email: str, by: str, at: str) -> int:
        """An author's erasure on the site's rules: the rules whose value names ``email``
        (normalised as intake normalises it) are removed and audited as ``erased``
        without it, and the email leaves every audit line and note that held it; one
        script (``RULES_ERASE``).  Returns how many rules were removed."""
        removed, _rewritten = await self._rules_erase(
            site=site,
            keys=rule_keys(site),
            argv={
                "email": email,
                "at_domain": "@" + email.rpartition("@")[2].lower(),
                "erased_value": ERASED_VALUE,
                "by": by,
                "at": at,
                "audit_kept": RULES_AUDIT_KEPT,
            },
        )
        return int(removed)

    async def rules_audit(self, site: str, limit: int) -> tuple[list[dict[str, Any]], int]:
        """The latest ``limit`` changes to the site's rules, newest first, and how many
        are kept."""
        entries, total = await self.read(
            site,
            ("LRANGE", keys.rules_audit(site), 0, limit - 1),
            ("LLEN", keys.rules_audit(site)),
        )
        return [r for r in map(_record, as_texts(entries)) if r is not None], as_int(total)
