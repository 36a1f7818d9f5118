"""Erasure and retention: one comment, an author's comments, decided comments past
the retention period, old spam."""

from __future__ import annotations

from moderation.core.records import (
    PERSONAL_FIELDS,
    Status,
    history_line,
    now_ms,
)
from moderation.storage import keys
from moderation.storage.comments import CommentStore
from moderation.storage.transport import as_texts


class ErasureStore(CommentStore):
    """Erasure and retention: one comment, an author's comments, decided comments past"""

    # -- privacy -------------------------------------------------------------------------

    async def erase_comment(self, site: str, comment_id: str, actor: str) -> bool:
        at = now_ms()
        changed = await self._erase(
            site=site,
            keys={
                "comment": keys.comment(site, comment_id),
                "decided_index": keys.decided(site),
                "events": keys.events(site),
            },
            argv={
                "id": comment_id,
                "actor": actor,
                "now_ms": at,
                "history_line": history_line("erased", actor, at),
                "events_maxlen": self.events_maxlen,
            },
            argv_tail=PERSONAL_FIELDS,
        )
        return bool(changed)

    async def erase_author(self, site: str, email: str, actor: str) -> int:
        """Remove ``email``'s personal data from every comment of ``site`` and drop the
        indexes that name it.  Returns how many comments changed."""
        index = keys.by_author(site, email)
        changed = 0
        while True:
            [reply] = await self.read(site, ("ZRANGE", index, 0, 499))
            ids = as_texts(reply)
            if not ids:
                break
            for comment_id in ids:
                changed += await self.erase_comment(site, comment_id, actor)
            await self.write(site, ("ZREM", index, *ids))
        await self.write(site, ("HDEL", keys.approved_authors(site), email))
        return changed

    async def erase_decided_before(self, site: str, before_ms: int, limit: int = 500) -> int:
        """Retention: erase personal data of comments decided before ``before_ms``."""
        [reply] = await self.read(
            site, ("ZRANGEBYSCORE", keys.decided(site), "-inf", before_ms, "LIMIT", 0, limit)
        )
        ids = as_texts(reply)
        done = 0
        for comment_id in ids:
            record = await self.get(comment_id)
            if record is not None:
                email = record.data.get("author_email")
                if email:
                    # trusting an author needs their email: retention ends that too
                    await self.write(
                        site,
                        ("ZREM", keys.by_author(site, email), comment_id),
                        ("HDEL", keys.approved_authors(site), email),
                    )
            # ERASE takes it out of the decided zset too (even if the hash is gone)
            done += await self.erase_comment(site, comment_id, "retention")
        return done

    async def purge_spam_before(self, site: str, before_ms: int, limit: int = 500) -> int:
        """Retention: delete spam that arrived before ``before_ms``."""
        spam = keys.by_status(site, Status.SPAM)
        [reply] = await self.read(
            site, ("ZRANGEBYSCORE", spam, "-inf", before_ms, "LIMIT", 0, limit)
        )
        ids = as_texts(reply)
        purged = 0
        for comment_id in ids:
            record = await self.get(comment_id)
            if record is None:
                await self.write(site, ("ZREM", keys.by_status(site, Status.SPAM), comment_id))
                continue
            data = record.data
            purged += await self._purge_spam(
                site=site,
                keys={
                    "comment": keys.comment(site, comment_id),
                    "spam_index": keys.by_status(site, Status.SPAM),
                    "external_ids": keys.external_ids(site),
                    "author_index": keys.by_author(site, str(data.get("author_email") or "")),
                    "decided_index": keys.decided(site),
                    "events": keys.events(site),
                },
                argv={
                    "id": comment_id,
                    "external_id": data.get("external_id") or "",
                    "now_ms": now_ms(),
                    "events_maxlen": self.events_maxlen,
                },
            )
        return purged
