"""What learning keeps in Redis: the humans' labels, each site's models and retrain
records and locks, a CMS's labels of comments not stored here, and the Akismet API's
counters."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from moderation.core import jsoncodec
from moderation.core.records import (
    now_ms,
)
from moderation.storage import keys
from moderation.storage.base import (
    CMS_LABELS_MAX,
    MODELS_KEPT,
    RETRAINS_KEPT,
    StoreBase,
    model_keys,
)
from moderation.storage.transport import as_int, as_mapping, as_scored, as_text, as_texts


class LearningStore(StoreBase):
    """What learning keeps in Redis: the humans' labels, each site's models and retrain"""

    # -- labels for learning ----------------------------------------------------------

    async def label_counts(self, site: str) -> dict[str, int]:
        """How many comments of ``site`` humans labelled ham and spam, and how many
        labels came since the last retrain (``new``)."""
        ham, spam, new = await self.read(
            site,
            ("ZCARD", keys.labels(site, "ham")),
            ("ZCARD", keys.labels(site, "spam")),
            ("GET", keys.new_labels(site)),
        )
        return {"ham": as_int(ham), "spam": as_int(spam), "new": as_int(new)}

    async def labelled(self, site: str) -> list[tuple[str, bool, int]]:
        """Every labelled comment of ``site`` as (id, is spam, when), oldest first."""
        ham, spam = await self.read(
            site,
            ("ZRANGE", keys.labels(site, "ham"), 0, -1, "WITHSCORES"),
            ("ZRANGE", keys.labels(site, "spam"), 0, -1, "WITHSCORES"),
        )
        merged = [(cid, False, int(ms)) for cid, ms in as_scored(ham)]
        merged += [(cid, True, int(ms)) for cid, ms in as_scored(spam)]
        return sorted(merged, key=lambda item: (item[2], item[0]))

    async def abuse_labelled(self, site: str) -> list[tuple[str, bool, int]]:
        """Every comment of ``site`` with an abuse label as (id, is abuse, when), oldest
        first: rejected for abuse, or approved (not abuse)."""
        abuse, fine = await self.read(
            site,
            ("ZRANGE", keys.labels(site, "abuse"), 0, -1, "WITHSCORES"),
            ("ZRANGE", keys.labels(site, "not_abuse"), 0, -1, "WITHSCORES"),
        )
        merged = [(cid, True, int(ms)) for cid, ms in as_scored(abuse)]
        merged += [(cid, False, int(ms)) for cid, ms in as_scored(fine)]
        return sorted(merged, key=lambda item: (item[2], item[0]))

    async def take_new_labels(self, site: str, count: int) -> None:
        """``count`` of the new labels went into a retrain: they are new no more."""
        await self.write(site, ("DECRBY", keys.new_labels(site), count))

    # -- site models -------------------------------------------------------------------

    async def site_model_version(self, site: str) -> str | None:
        [version] = await self.read(site, ("GET", keys.model_current(site)))
        return as_text(version)

    async def site_model_bytes(self, site: str, version: str) -> bytes | None:
        """The model file of ``site``'s ``version``, or None if it is not kept."""
        [reply] = await self.read(site, ("HGET", keys.model_blobs(site), version))
        encoded = as_text(reply)
        if encoded is None:
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return b""  # not base64: SpamModel.from_bytes refuses it as no model file

    async def put_site_model(
        self, site: str, version: str, payload: bytes, record: Mapping[str, Any]
    ) -> list[str]:
        """Keep ``payload`` as ``site``'s ``version`` and use it from now on; the oldest
        beyond MODELS_KEPT go.  Answers the versions pruned."""
        pruned: list[str] = await self._model_put(
            site=site,
            keys=model_keys(site),
            argv={
                "version": version,
                "blob": base64.b64encode(payload).decode("ascii"),
                "record": jsoncodec.dumps({**record, "version": version}),
                "keep": MODELS_KEPT,
                "retrain": jsoncodec.dumps({**record, "version": version, "at_ms": now_ms()}),
                "retrains_kept": RETRAINS_KEPT,
            },
        )
        return pruned

    async def rollback_site_model(self, site: str, version: str) -> bool:
        """Use the kept ``version`` again; False if it is not kept."""
        done = await self._model_rollback(
            site=site,
            keys={"current": keys.model_current(site), "blobs": keys.model_blobs(site)},
            argv={"version": version},
        )
        return bool(int(done))

    async def model_snapshot(self, site: str) -> dict[str, Any]:
        """Everything GET /v1/model says, read in one MULTI, so that a swap landing
        meanwhile is seen whole or not at all: the version in use, the records of the
        versions kept (newest first), the label counts and the latest retrain."""
        current, versions, flat_meta, ham, spam, new, latest = await self.snapshot(
            site,
            ("GET", keys.model_current(site)),
            ("LRANGE", keys.model_versions(site), 0, -1),
            ("HGETALL", keys.model_meta(site)),
            ("ZCARD", keys.labels(site, "ham")),
            ("ZCARD", keys.labels(site, "spam")),
            ("GET", keys.new_labels(site)),
            ("LRANGE", keys.retrains(site), 0, 0),
        )
        meta = as_mapping(flat_meta)
        last = as_texts(latest)
        return {
            "current": as_text(current),
            "kept": [jsoncodec.loads(meta[v]) for v in as_texts(versions) if v in meta],
            "labels": {"ham": as_int(ham), "spam": as_int(spam), "new": as_int(new)},
            "last_retrain": jsoncodec.loads(last[0]) if last else None,
        }

    async def site_models(self, site: str) -> tuple[str | None, list[dict[str, Any]]]:
        """The version in use and the record of each version kept, newest first."""
        current, versions, flat_meta = await self.read(
            site,
            ("GET", keys.model_current(site)),
            ("LRANGE", keys.model_versions(site), 0, -1),
            ("HGETALL", keys.model_meta(site)),
        )
        meta = as_mapping(flat_meta)
        kept = [jsoncodec.loads(meta[v]) for v in as_texts(versions) if v in meta]
        return as_text(current), kept

    async def record_retrain(self, site: str, record: Mapping[str, Any]) -> None:
        """Every retrain's comparison, swapped or not (newest first, capped)."""
        await self.atomically(
            site,
            ("LPUSH", keys.retrains(site), jsoncodec.dumps({**record, "at_ms": now_ms()})),
            ("LTRIM", keys.retrains(site), 0, RETRAINS_KEPT - 1),
        )

    async def retrains(self, site: str) -> list[dict[str, Any]]:
        [raw] = await self.read(site, ("LRANGE", keys.retrains(site), 0, -1))
        return [jsoncodec.loads(line) for line in as_texts(raw)]

    async def lock_retrain(self, site: str, token: str, seconds: int) -> bool:
        """The site's retrain lock (one retrain per site across processes)."""
        [taken] = await self.write(
            site, ("SET", keys.retrain_lock(site), token, "NX", "EX", seconds)
        )
        return taken is not None

    async def unlock_retrain(self, site: str, token: str) -> None:
        """Release the lock if it is still ``token``'s (not one taken after it expired)."""
        await self._unlock(site=site, keys={"lock": keys.retrain_lock(site)}, argv={"token": token})

    # -- the Akismet-compatible API ----------------------------------------------------

    async def add_cms_label(self, site: str, label: dict[str, Any]) -> None:
        """Keep a CMS's label of a comment not stored here (newest first, capped)."""
        await self._push_label(site, keys.cms_labels(site), label)

    async def cms_labels(self, site: str) -> list[dict[str, Any]]:
        return await self._labels_in(site, keys.cms_labels(site))

    # -- the Perspective-compatible API ------------------------------------------------

    async def add_perspective_label(self, site: str, label: dict[str, Any]) -> None:
        """Keep a Perspective client's suggested label (newest first, capped)."""
        await self._push_label(site, keys.perspective_labels(site), label)

    async def perspective_labels(self, site: str) -> list[dict[str, Any]]:
        return await self._labels_in(site, keys.perspective_labels(site))

    async def _push_label(self, site: str, key: str, label: dict[str, Any]) -> None:
        """A label of a comment not stored here, on a list kept newest first and capped."""
        await self.atomically(
            site,
            ("LPUSH", key, jsoncodec.dumps(label)),
            ("LTRIM", key, 0, CMS_LABELS_MAX - 1),
        )

    async def _labels_in(self, site: str, key: str) -> list[dict[str, Any]]:
        [raw] = await self.read(site, ("LRANGE", key, 0, -1))
        return [jsoncodec.loads(line) for line in as_texts(raw)]

    async def count_akismet_call(self, site: str, month: str) -> int:
        """One more comment-check this month; answers the month's count."""
        key = keys.akismet_usage(site, month)
        count, _ = await self.atomically(site, ("INCR", key), ("EXPIRE", key, 40 * 24 * 3600))
        return int(count)

    async def count_akismet_correction(self, site: str, kind: str) -> None:
        """``missed_spam`` or ``false_positives``: a CMS said otherwise than the verdict."""
        await self.write(site, ("HINCRBY", keys.akismet_corrections(site), kind, 1))

    async def akismet_corrections(self, site: str) -> dict[str, int]:
        [reply] = await self.read(site, ("HGETALL", keys.akismet_corrections(site)))
        raw = as_mapping(reply)
        return {kind: int(raw.get(kind, 0)) for kind in ("missed_spam", "false_positives")}

    async def akismet_calls(self, site: str, month: str) -> int:
        [count] = await self.read(site, ("GET", keys.akismet_usage(site, month)))
        return as_int(count)
