"""Lua scripts: every state change of a comment is one of these, run atomically by Redis.

Each script declares its KEYS and ARGV by name, once: two TypedDicts whose fields, in
order, are the script's KEYS and ARGV (the comment beside each field says what it holds).
From them :class:`Script` generates the Lua lines that bind each name to its position, so
the body (and every caller) uses names only; a body that reads ``KEYS[i]``/``ARGV[i]``
itself, leaves a declared name unused or redeclares one does not even import.  Callers
build a call with :meth:`Script.command` from two dicts of those names: mypy checks them
against the TypedDicts, and a missing or extra name raises at run time as well.

Key names come from ``moderation.storage.keys`` through KEYS only (never built in Lua), so all
keys of a call share the site's hash tag and one cluster slot.  Scripts are called by
SHA; the store loads a script again when Redis answers NOSCRIPT (after a restart).
"""

from __future__ import annotations

import hashlib
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Generic, TypedDict, TypeVar, get_type_hints

from moderation.storage.keys import ABUSE_UNSCORED
from moderation.storage.transport import Arg, Command

K = TypeVar("K", bound=Mapping[str, object])
A = TypeVar("A", bound=Mapping[str, object])

_LUA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LUA_KEYWORDS = frozenset(
    "and break do else elseif end false for function if in local nil not or repeat return "
    "then true until while".split()
)
# Globals the bodies use: a declared name must not hide one.
_LUA_GLOBALS = frozenset(
    "KEYS ARGV redis cjson cmsgpack bit struct math string table tonumber tostring type "
    "pcall error assert ipairs pairs next select unpack".split()
)
_POSITIONAL = re.compile(r"\b(?:KEYS|ARGV)\b")
_COMMENT = re.compile(r"--[^\n]*")
_STRING = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_LOCALS = re.compile(r"\blocal\s+(?:function\s+)?([A-Za-z_][\w\s,]*?)\s*(?:=|\(|\n)")


class ScriptArgumentError(TypeError):
    """A script call named KEYS or ARGV that its script does not declare, or missed one."""


# What a declared KEYS or ARGV field may hold: an argument the transport sends.
_ARG_TYPES = (str, bytes, int, float)


def _names_of(declaration: type[Mapping[str, object]]) -> tuple[str, ...]:
    """The declared names in order; TypeError unless each is declared as an ``Arg``
    (so the values mypy lets callers pass are ones the transport can send)."""
    for name, hint in get_type_hints(declaration).items():
        if hint not in _ARG_TYPES:
            raise TypeError(f"{declaration.__name__}.{name} is {hint}, not one of {_ARG_TYPES}")
    return tuple(declaration.__annotations__)


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple[Arg, ...]]:
    """The values of ``names`` from a mapping, as a tuple, in that order.  Typed as
    arguments: the mappings are the declarations' TypedDicts, whose fields
    :func:`_names_of` checked are ``Arg`` types, and mypy checks each caller's dict."""
    if not names:
        return lambda mapping: ()
    get = operator.itemgetter(*names)
    if len(names) == 1:
        return lambda mapping: (get(mapping),)
    return get


class Script(Generic[K, A]):
    """A Lua script with named KEYS and ARGV.

    ``keys`` and ``argv`` are TypedDicts declaring, in order, the script's fixed KEYS and
    ARGV.  ``keys_tail`` / ``argv_tail`` name a list of any length after them (candidate
    comments, token buckets): the body sees it as a Lua table of that name.
    """

    def __init__(
        self,
        name: str,
        keys: type[K],
        argv: type[A],
        body: str,
        *,
        keys_tail: str | None = None,
        argv_tail: str | None = None,
    ) -> None:
        self.name = name
        self.key_names = _names_of(keys)
        self.arg_names = _names_of(argv)
        self.keys_tail = keys_tail
        self.argv_tail = argv_tail
        _check(self, body)
        self.source = self._prologue() + body
        self.sha = hashlib.sha1(self.source.encode()).hexdigest()
        self._key_set = frozenset(self.key_names)
        self._arg_set = frozenset(self.arg_names)
        self._key_count = len(self.key_names)
        self._arg_count = len(self.arg_names)
        self._head = ("EVALSHA", self.sha, self._key_count)  # of a call without tails
        self._keys_of = _getter(self.key_names)
        self._args_of = _getter(self.arg_names)

    def command(
        self,
        keys: K,
        argv: A,
        *,
        keys_tail: Sequence[str] = (),
        argv_tail: Sequence[Arg] = (),
    ) -> Command:
        """``EVALSHA`` of this script with ``keys`` and ``argv`` in their declared
        positions, then the tails; ScriptArgumentError unless exactly the declared names
        are given."""
        # Every declared name is looked up (a missing one raises) and the counts must
        # match (so no undeclared one is there): no set is built per call.
        try:
            key_values = self._keys_of(keys)
            arg_values = self._args_of(argv)
        except KeyError:
            raise ScriptArgumentError(self._mismatch(keys, argv)) from None
        if len(keys) != self._key_count or len(argv) != self._arg_count:
            raise ScriptArgumentError(self._mismatch(keys, argv))
        if not (keys_tail or argv_tail):
            return self._head + key_values + arg_values
        if (keys_tail and self.keys_tail is None) or (argv_tail and self.argv_tail is None):
            raise ScriptArgumentError(f"{self.name} takes no KEYS or ARGV past its named ones")
        return (
            "EVALSHA",
            self.sha,
            self._key_count + len(keys_tail),
            *key_values,
            *keys_tail,
            *arg_values,
            *argv_tail,
        )

    def _mismatch(self, keys: Mapping[str, object], argv: Mapping[str, object]) -> str:
        problems = []
        for kind, given, declared in (
            ("KEYS", keys.keys(), self._key_set),
            ("ARGV", argv.keys(), self._arg_set),
        ):
            if missing := declared - given:
                problems.append(f"{kind} missing {sorted(missing)}")
            if extra := given - declared:
                problems.append(f"{kind} not declared {sorted(extra)}")
        return f"{self.name}: " + "; ".join(problems)

    def _prologue(self) -> str:
        lines = [f"-- {self.name}: KEYS and ARGV by name (generated by moderation.storage.scripts)"]
        for array, names, tail in (
            ("KEYS", self.key_names, self.keys_tail),
            ("ARGV", self.arg_names, self.argv_tail),
        ):
            lines += [f"local {name} = {array}[{i}]" for i, name in enumerate(names, 1)]
            if tail is not None and not names:
                lines.append(f"local {tail} = {array}")
            elif tail is not None:
                lines.append(f"local {tail} = {{}}")
                lines.append(
                    f"for i = {len(names) + 1}, #{array} do {tail}[i - {len(names)}] = "
                    f"{array}[i] end"
                )
        return "\n".join(lines) + "\n"


def _check(script: Script[K, A], body: str) -> None:
    """Refuse a declaration or body that could let a position slip: a name that is not a
    plain Lua name or is declared twice, positional access in the body, a declared name
    the body never uses (its value would be dropped silently) or declares again."""
    declared = [
        *script.key_names,
        *script.arg_names,
        *(t for t in (script.keys_tail, script.argv_tail) if t is not None),
    ]
    problems = []
    for name in declared:
        if not _LUA_NAME.fullmatch(name) or name in _LUA_KEYWORDS or name in _LUA_GLOBALS:
            problems.append(f"{name!r} cannot be a Lua local")
        if declared.count(name) > 1:
            problems.append(f"{name!r} is declared twice")
    code = _STRING.sub("''", _COMMENT.sub("", body))
    if _POSITIONAL.search(code):
        problems.append("the body reads KEYS or ARGV by position; use the declared names")
    for name in declared:
        if not re.search(rf"\b{name}\b", code):
            problems.append(f"{name!r} is declared but the body never uses it")
    for group in _LOCALS.findall(code):
        for name in (n.strip() for n in group.split(",")):
            if name in declared:
                problems.append(f"the body declares {name!r} again, hiding its value")
    if problems:
        raise ValueError(f"script {script.name}: " + "; ".join(sorted(set(problems))))


# -- The callback outbox, written by the scripts that decide -----------------------------
#
# A decision and its callback are one atomic write: the event cannot be lost between
# them, and the events stream's length cap never trims one before it is delivered.  The
# record is JSON of strings (no Lua number formatting); the deliverer renders the body.
# Only a comment's oldest undelivered event is in the due zset; its later ones wait in
# the comment's list, so they go out in order (keys.callback_due).

_QUEUE_CALLBACK = """
local function queue_callback(record)
  record['event_id'] = event_id
  record['queued_ms'] = record['ms']
  redis.call('HSET', callback_events, event_id, cjson.encode(record))
  redis.call('ZADD', callback_pending, record['ms'], event_id)
  if redis.call('HSETNX', callback_heads, record['comment_id'], event_id) == 1 then
    redis.call('ZADD', callback_due, record['ms'], event_id)
  else
    redis.call('RPUSH', callback_queue, event_id)
  end
end
-- the CMS's own ids (external_id, post_id) in a stored comment's JSON, for the callback
local function cms_ids_of(data)
  local ok, record = pcall(cjson.decode, data or '')
  if not ok or type(record) ~= 'table' then return '', '' end
  local function text(value) return type(value) == 'string' and value or '' end
  return text(record['external_id']), text(record['post_id'])
end
"""


# A human decision's labels, for scripts that declare the LabelKeys: the spam label
# (approved: ham, spam: spam; anything else: none) and the abuse label (approved: not
# abuse, rejected with ``reason`` 'abuse': abuse; anything else: none).  Only spam labels
# count as new: they are what the site's retrain waits for.
_LABEL_HELPERS = """
local function set_label(status, at_ms, reason)
  local had = redis.call('ZREM', ham_labels, id) + redis.call('ZREM', spam_labels, id)
  local index = ({approved = ham_labels, spam = spam_labels})[status]
  if index then
    redis.call('ZADD', index, at_ms, id)
    if had == 0 then redis.call('INCR', new_labels) end
  elseif had > 0 and tonumber(redis.call('GET', new_labels) or '0') > 0 then
    redis.call('DECR', new_labels)
  end
  redis.call('ZREM', abuse_labels, id)
  redis.call('ZREM', not_abuse_labels, id)
  if status == 'approved' then
    redis.call('ZADD', not_abuse_labels, at_ms, id)
  elseif status == 'rejected' and reason == 'abuse' then
    redis.call('ZADD', abuse_labels, at_ms, id)
  end
end
"""

# The abuse index's score of a comment: its abuse score, or (none: no abuse head scored
# it) keys.ABUSE_UNSCORED, so that it still has a place in the queue, below every other.
_ABUSE_OF = f"""
local function abuse_of(score)
  if score and score ~= '' then return score end
  return '{ABUSE_UNSCORED}'
end
"""

# What every decision does to the comment's history and, for an approval, to the
# approved authors (trust_approved_authors): how many approved comments each has.  For
# scripts that declare ``comment`` and ``approved_authors``.
_DECISION_HELPERS = """
local function append_history(line)
  local history = redis.call('HGET', comment, 'history') or ''
  redis.call('HSET', comment, 'history', history .. '\\n' .. line)
end
local function author_of(data)
  local ok, record = pcall(cjson.decode, data or '')
  if ok and type(record) == 'table' and type(record['author_email']) == 'string'
     and record['author_email'] ~= '' then
    return record['author_email']
  end
  return nil
end
-- approved_authors counts each author's approved comments: an undone (or reversed)
-- approval takes its count back, and an author with none left is trusted no more
local function trust_author(data)
  local email = author_of(data)
  if email then redis.call('HINCRBY', approved_authors, email, 1) end
end
local function untrust_author(data)
  local email = author_of(data)
  if email and redis.call('HINCRBY', approved_authors, email, -1) <= 0 then
    redis.call('HDEL', approved_authors, email)
  end
end
"""


class CallbackKeys(TypedDict):
    callback_events: str  # HASH: event id -> callback record (JSON)
    callback_pending: str  # ZSET: undelivered events by time queued
    callback_due: str  # ZSET: events to send, by when
    callback_heads: str  # HASH: comment -> its event in due
    callback_queue: str  # LIST: the comment's later events


# The KEYS of a decision's label (_LABEL_HELPERS); the decision scripts' KEYS extend both.
class LabelKeys(TypedDict):
    ham_labels: str  # ZSET: comments labelled ham by a human
    spam_labels: str  # ZSET: ... labelled spam
    new_labels: str  # STRING: spam labels since the last retrain
    abuse_labels: str  # ZSET: ... rejected for abuse
    not_abuse_labels: str  # ZSET: ... approved (not abuse)


# -- INTAKE: store a new comment unless the CMS already sent it -------------------------
#
# Returns {'dup', existing id, 'external_id'} (the CMS's id is known: a retry, or an
# edit, which EDIT tells apart), {'dup', existing id} (the idempotency key is known),
# {'conflict', existing id} (the idempotency key was used for a different comment) or
# {'new', id, status, id of the comment it repeats or ''}.
#
# The repeat check lives here, not in a round trip of its own: a retry of a stored
# comment never reaches it, and a repeat is flagged atomically with its write.


class IntakeKeys(TypedDict):
    external_ids: str  # HASH: the CMS's comment id -> ours
    idempotency: str  # STRING: "<id> <fingerprint>" of the comment first sent under the key
    comment: str  # HASH: the new comment
    pending_index: str  # ZSET: status index (pending)
    approved_index: str  # ZSET: status index (approved)
    spam_index: str  # ZSET: status index (spam)
    rejected_index: str  # ZSET: status index (rejected: reject_abuse_above)
    score_index: str  # ZSET: pending comments by spam score
    abuse_index: str  # ZSET: pending comments by abuse score
    events: str  # STREAM: the site's events
    author_index: str  # ZSET: the author's comments
    approved_authors: str  # SET: authors with an approved comment
    decided_index: str  # ZSET: decided comments holding personal data (retention)
    recent_text: str  # STRING: the text's fingerprint -> the first comment id


class IntakeArgv(TypedDict):
    external_id: str  # the CMS's comment id ('' = none)
    idempotency_ttl: int  # seconds the idempotency key is kept (0 = no key)
    id: str  # the new comment's id
    status: str  # the status decided so far
    spam_score: str  # as Redis stores it (repr of the float)
    abuse_score: str  # the same, or '' (the model has no abuse head)
    created_ms: int
    data: str  # the comment's JSON
    history: str  # history line (JSON) of its creation
    author_email: str  # '' = none
    trust_approved_authors: str  # '1': an author with an approved comment is approved
    trusted_history: str  # history line (JSON) for such an approval
    events_maxlen: int  # approximate cap of the events stream
    repeat_window: int  # seconds a text is remembered (0 = no repeat check)
    repeat_status: str  # status if the text repeats a recent comment ('' = unchanged)
    # history line and rule if that changes the status; '{repeat_of}' in them is replaced
    # by the earlier comment's id
    repeat_history: str
    repeat_rule: str
    request_fingerprint: str  # digest of the comment, kept with the idempotency key


# INTAKE_CALLBACK, for a site with comment.auto_decided callbacks: INTAKE, and its
# automatic decisions queued as callbacks.  A variant rather than a flag, so that intake
# of the other sites sends not one argument more.
class IntakeCallbackKeys(IntakeKeys, CallbackKeys):
    """INTAKE's KEYS and the callback outbox's."""


class IntakeCallbackArgv(IntakeArgv):
    rule: str  # the site rule that decided the status so far ('' = none)
    trusted_rule: str  # the rule of an approval by trust_approved_authors
    post_id: str  # the CMS's id of the post ('' = none), for the callback
    event_id: str  # the callback's, if the comment is decided automatically


_INTAKE = """
if external_id ~= '' then
  local seen = redis.call('HGET', external_ids, external_id)
  if seen then return {'dup', seen, 'external_id'} end
end
local ttl = tonumber(idempotency_ttl)
if ttl > 0 then
  local seen = redis.call('GET', idempotency)
  if seen then
    local seen_id, seen_fingerprint = string.match(seen, '^(%S+) (%S*)$')
    if seen_fingerprint ~= '' and request_fingerprint ~= ''
       and seen_fingerprint ~= request_fingerprint then
      return {'conflict', seen_id}
    end
    return {'dup', seen_id}
  end
end
local repeat_of = ''
local window = tonumber(repeat_window)
if window > 0 and not redis.call('SET', recent_text, id, 'NX', 'EX', window) then
  repeat_of = redis.call('GET', recent_text) or ''
end
if repeat_of ~= '' then
  -- rare, so only here is the record decoded: flag it and apply the site's repeat rule
  local record = cjson.decode(data)
  local reasons = {'repeats a recent comment'}
  if type(record['reasons']) == 'table' then
    for i = 1, math.min(3, #record['reasons']) do reasons[#reasons + 1] = record['reasons'][i] end
  end
  record['reasons'] = reasons
  record['repeat_of'] = repeat_of
  if repeat_status ~= '' and repeat_status ~= status then
    status = repeat_status
    record['rule'] = (string.gsub(repeat_rule, '{repeat_of}', repeat_of))
    {on_repeat_rule}
    history = (string.gsub(repeat_history, '{repeat_of}', repeat_of))
  end
  data = cjson.encode(record)
end
if status == 'pending' and trust_approved_authors == '1' and author_email ~= ''
   and tonumber(redis.call('HGET', approved_authors, author_email) or '0') > 0 then
  status = 'approved'
  {on_trusted}
  history = history .. '\\n' .. trusted_history
end
redis.call('HSET', comment,
  'data', data, 'status', status, 'initial_status', status,
  'spam_score', spam_score, 'abuse_score', abuse_score, 'created_ms', created_ms,
  'history', history)
if status == 'pending' then
  redis.call('ZADD', pending_index, created_ms, id)
  redis.call('ZADD', score_index, spam_score, id)
  redis.call('ZADD', abuse_index, abuse_of(abuse_score), id)
elseif status == 'approved' then
  redis.call('ZADD', approved_index, created_ms, id)
  redis.call('ZADD', decided_index, created_ms, id)
  redis.call('HSET', comment, 'decided_by', 'auto', 'decided_ms', created_ms)
else
  redis.call('ZADD', status == 'rejected' and rejected_index or spam_index, created_ms, id)
  redis.call('ZADD', decided_index, created_ms, id)
  redis.call('HSET', comment, 'decided_by', 'auto', 'decided_ms', created_ms)
end
if author_email ~= '' then redis.call('ZADD', author_index, created_ms, id) end
if external_id ~= '' then redis.call('HSET', external_ids, external_id, id) end
if ttl > 0 then
  redis.call('SET', idempotency, id .. ' ' .. request_fingerprint, 'EX', ttl)
end
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'created', 'id', id, 'status', status, 'spam_score', spam_score, 'ms', created_ms)
{on_stored}return {'new', id, status, repeat_of}
"""


def _intake_body(callbacks: bool) -> str:
    """INTAKE's body, with (``callbacks``) or without the lines that queue a callback."""
    parts = {
        "{on_repeat_rule}": "rule = record['rule']",
        "{on_trusted}": "rule = trusted_rule",
        "{on_stored}": """if status ~= 'pending' then
  queue_callback({type = 'comment.auto_decided', comment_id = id, external_id = external_id,
                  post_id = post_id, status = status, spam_score = spam_score,
                  abuse_score = abuse_score, rule = rule, ms = created_ms})
end
""",
    }
    body = _ABUSE_OF + _INTAKE
    for mark, lines in parts.items():
        body = body.replace(mark, lines if callbacks else "")
    return _QUEUE_CALLBACK + body if callbacks else body


INTAKE = Script("INTAKE", IntakeKeys, IntakeArgv, _intake_body(False))
INTAKE_CALLBACK = Script(
    "INTAKE_CALLBACK", IntakeCallbackKeys, IntakeCallbackArgv, _intake_body(True)
)


# -- EDIT: the CMS re-sent a comment it sent before, maybe with another text ------------
#
# Run only for a comment INTAKE answered {'dup', id, 'external_id'} (a repeat of a known
# CMS id), so a new comment's intake costs nothing more.  Returns {'same', status} (the
# text and author URL are what is stored: a retry, nothing changed), {'missing'} (erased
# meanwhile) or {'edited', status, previous status}.
#
# The comparison is made here, against the record as it is now, so two edits or an edit
# and a decision never interleave.  An edit replaces the text, the author URL, the score,
# its reasons and the model version (the rest of the record stays as first sent: the
# author indexes are keyed by it) and sends the comment back to the queue: the status
# indexes, a claim ended, the decision's label and approved-author count taken back.
# With ``trust_edits`` an approved comment stays approved (still rescored, still in the
# history); its label is taken back all the same, since no person has read the new text
# and retraining reads the stored one.  The history line gets the previous text.


class EditKeys(CallbackKeys, LabelKeys):
    comment: str  # HASH
    pending_index: str  # ZSET: status index (pending)
    approved_index: str  # ZSET: status index (approved)
    spam_index: str  # ZSET: status index (spam)
    rejected_index: str  # ZSET: status index (rejected)
    score_index: str  # ZSET: pending comments by spam score
    abuse_index: str  # ZSET: pending comments by abuse score
    claims: str  # ZSET: claims by lease end
    claim_holders: str  # HASH: claimed comment -> moderator
    events: str  # STREAM
    approved_authors: str  # HASH: author email -> approved comments
    decided_index: str  # ZSET: decided comments holding personal data (retention)


class EditArgv(TypedDict):
    id: str
    content: str  # the text as sent now
    author_url: str  # '' = none
    spam_score: str  # the new text's, as Redis stores it
    reasons: str  # JSON array: the new score's reasons
    abuse_score: str  # the new text's, or '' (the model has no abuse head)
    abuse_reasons: str  # JSON array: the new abuse score's reasons ('' with no score)
    spam: str  # '1': the model's verdict is spam
    model_version: str
    now_ms: int
    history_line: str  # JSON object; the script adds status, was and previous
    trust_edits: str  # '1': an approved comment stays approved
    events_maxlen: int
    callback: str  # '1': queue a comment.edited callback under event_id
    event_id: str


EDIT = Script(
    "EDIT",
    EditKeys,
    EditArgv,
    _QUEUE_CALLBACK
    + _DECISION_HELPERS
    + _LABEL_HELPERS
    + _ABUSE_OF
    + """
local fields = redis.call('HMGET', comment, 'status', 'data', 'decided_by', 'created_ms')
local status = fields[1]
if not status then return {'missing'} end
local ok, record = pcall(cjson.decode, fields[2] or '')
if not ok or type(record) ~= 'table' then record = {} end
local function text(value) return type(value) == 'string' and value or '' end
local old_content, old_url = text(record['content']), text(record['author_url'])
if old_content == content and old_url == author_url then return {'same', status} end
local zsets = {pending = pending_index, approved = approved_index, spam = spam_index,
               rejected = rejected_index}
if not zsets[status] then return redis.error_reply('EDIT: unknown status') end
local new_status = 'pending'
if status == 'approved' and trust_edits == '1' then new_status = 'approved' end
record['content'] = content
record['author_url'] = author_url ~= '' and author_url or nil
record['spam'] = spam == '1'
record['model_version'] = model_version
record['repeat_of'] = nil  -- of the old text
if new_status ~= status then record['rule'] = nil end  -- the decision it explained is gone
-- cjson writes an empty array as {}: the arrays (reasons, abuse_reasons) go in as sent
record['reasons'] = nil
record['abuse_reasons'] = nil
local encoded = cjson.encode(record)
local arrays = '"reasons":' .. reasons
if abuse_reasons ~= '' then arrays = arrays .. ',"abuse_reasons":' .. abuse_reasons end
encoded = string.sub(encoded, 1, -2) .. (next(record) and ',' or '') .. arrays .. '}'
local previous = cjson.encode({content = old_content,
                               author_url = old_url ~= '' and old_url or cjson.null})
local line = string.sub(history_line, 1, -2) .. ',"status":"' .. new_status
             .. '","was":"' .. status .. '","previous":' .. previous .. '}'
redis.call('ZREM', zsets[status], id)
redis.call('ZREM', score_index, id)
redis.call('ZREM', abuse_index, id)
redis.call('ZREM', claims, id)
redis.call('HDEL', claim_holders, id)
redis.call('ZADD', zsets[new_status], fields[4], id)
redis.call('HSET', comment, 'data', encoded, 'spam_score', spam_score,
           'abuse_score', abuse_score,
           'status', new_status, 'initial_status', new_status, 'edited_ms', now_ms,
           'claimed_by', '', 'claim_until_ms', '0')
if new_status == 'pending' then
  redis.call('ZADD', score_index, spam_score, id)
  redis.call('ZADD', abuse_index, abuse_of(abuse_score), id)
  redis.call('ZREM', decided_index, id)
  redis.call('HSET', comment, 'decided_by', '', 'decided_ms', '0', 'note', '',
             'decision_reason', '')
  -- a rule's approval never counted towards trusting its author; a person's did
  if status == 'approved' and fields[3] ~= 'auto' then untrust_author(fields[2]) end
end
set_label('pending', now_ms)
append_history(line)
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'edited', 'id', id, 'status', new_status, 'previous_status', status,
  'spam_score', spam_score, 'actor', 'cms', 'ms', now_ms)
if callback == '1' then
  queue_callback({type = 'comment.edited', comment_id = id,
                  external_id = text(record['external_id']),
                  post_id = text(record['post_id']), status = new_status,
                  previous_status = status, spam_score = spam_score,
                  abuse_score = abuse_score, ms = now_ms})
end
return {'edited', new_status, status}
""",
)


# -- DECIDE: approve, spam or reject a pending comment, or override any decision ---------
#
# Returns {'ok', status, previous status}, {'same', status} (an override to the status it
# has: nothing changed), {'missing'}, {'decided', status, by} or {'claimed', holder}.
#
# Without ``override`` only a pending comment is decided, and one another moderator holds
# is theirs: two moderators never silently overwrite each other.  With it (a deliberate
# re-decision) any status moves to the new one, whoever decided it (a moderator, a site
# rule's 'auto', the CMS's 'cms'), and another moderator's claim on a pending comment is
# taken with it.  Everything the status drives moves together: the status zsets, the
# record, the history line (``override`` and ``was`` added when a decision is replaced,
# ``took_claim_from`` when a claim is), the label, the approved-author count, the day's
# count, the event and the callback with the status it had.


class DecideKeys(CallbackKeys, LabelKeys):
    comment: str  # HASH
    pending_index: str  # ZSET: status index (pending)
    approved_index: str  # ZSET: status index (approved)
    spam_index: str  # ZSET: status index (spam)
    rejected_index: str  # ZSET: status index (rejected)
    score_index: str  # ZSET: pending comments by spam score
    abuse_index: str  # ZSET: pending comments by abuse score
    claims: str  # ZSET: claims by lease end
    events: str  # STREAM
    decisions_day: str  # HASH: moderator -> decisions today
    approved_authors: str  # HASH: author email -> approved comments
    decided_index: str  # ZSET: decided comments holding personal data (retention)
    claim_holders: str  # HASH: claimed comment -> moderator


class DecideArgv(TypedDict):
    id: str
    moderator: str
    new_status: str
    now_ms: int
    history_line: str  # JSON object; the script may add members to it
    note: str
    reason: str  # a rejection's reason ('' = none; 'abuse' makes it an abuse label)
    decisions_day_ttl: int  # seconds
    events_maxlen: int
    callback: str  # '1': the decision is a callback (comment.decided), under event_id
    event_id: str
    override: str  # '1': re-decide whatever the status and whoever holds the claim


DECIDE = Script(
    "DECIDE",
    DecideKeys,
    DecideArgv,
    _QUEUE_CALLBACK
    + _DECISION_HELPERS
    + _LABEL_HELPERS
    + """
local fields = redis.call('HMGET', comment, 'status', 'decided_by', 'claimed_by',
                          'claim_until_ms', 'created_ms', 'data', 'spam_score',
                          'abuse_score')
local status = fields[1]
if not status then return {'missing'} end
local zsets = {pending = pending_index, approved = approved_index, spam = spam_index,
               rejected = rejected_index}
if not zsets[status] or not zsets[new_status] or new_status == 'pending' then
  return redis.error_reply('DECIDE: unknown status')
end
local forced = override == '1'
if status ~= 'pending' and not forced then return {'decided', status, fields[2] or ''} end
if status == new_status then return {'same', status} end
local now = tonumber(now_ms)
local holder = fields[3]
local held = holder and holder ~= '' and holder ~= moderator
             and tonumber(fields[4] or '0') > now
if held and not forced then return {'claimed', holder} end
-- the history line is a JSON object built by the caller: members that only this script
-- knows are added before its closing brace (values JSON-encoded, or statuses)
local line = history_line
if status ~= 'pending' then
  line = string.sub(line, 1, -2) .. ',"override":true,"was":"' .. status .. '"}'
end
if held then
  line = string.sub(line, 1, -2) .. ',"took_claim_from":' .. cjson.encode(holder) .. '}'
end
redis.call('ZREM', zsets[status], id)
redis.call('ZREM', score_index, id)
redis.call('ZREM', abuse_index, id)
redis.call('ZREM', claims, id)
redis.call('HDEL', claim_holders, id)
redis.call('ZADD', zsets[new_status], fields[5], id)
redis.call('ZADD', decided_index, now_ms, id)
redis.call('HSET', comment, 'status', new_status, 'decided_by', moderator,
           'decided_ms', now_ms, 'note', note, 'decision_reason', reason,
           'claimed_by', '', 'claim_until_ms', '0')
append_history(line)
redis.call('HINCRBY', decisions_day, moderator, 1)
redis.call('EXPIRE', decisions_day, decisions_day_ttl)
-- a rule's approval never counted towards trusting its author; a person's did
if status == 'approved' and fields[2] ~= 'auto' then untrust_author(fields[6]) end
if new_status == 'approved' then trust_author(fields[6]) end
set_label(new_status, now_ms, reason)
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'decided', 'id', id, 'status', new_status, 'previous_status', status,
  'actor', moderator, 'ms', now_ms)
if callback == '1' then
  local external_id, post_id = cms_ids_of(fields[6])
  queue_callback({type = 'comment.decided', comment_id = id,
                  external_id = external_id, post_id = post_id, status = new_status,
                  previous_status = status, spam_score = fields[7],
                  abuse_score = fields[8] or '', reason = reason,
                  decided_by = moderator, note = note, ms = now_ms})
end
return {'ok', new_status, status}
""",
)


# -- CMS_DECIDE: the CMS's own decision (cms-status, Akismet's submit-spam / submit-ham) --
#
# Returns {'ok', previous status}, {'same', status} (nothing to change) or {'missing'}.
# Unlike DECIDE it changes a comment in any status, to any status: the CMS follows its own
# editors (an approval in wp-admin, a comment sent back to moderation, a trashed one), and
# the later decision on either side wins.  'pending' puts the comment back in the queue
# and takes its label back.  No callback: the CMS made the decision and must not get it
# back (no echo); the events stream has it.


class CmsDecideKeys(LabelKeys):
    comment: str  # HASH
    pending_index: str  # ZSET: status index (pending)
    approved_index: str  # ZSET: status index (approved)
    spam_index: str  # ZSET: status index (spam)
    rejected_index: str  # ZSET: status index (rejected)
    score_index: str  # ZSET: pending comments by spam score
    abuse_index: str  # ZSET: pending comments by abuse score
    claims: str  # ZSET: claims by lease end
    claim_holders: str  # HASH: claimed comment -> moderator
    events: str  # STREAM
    approved_authors: str  # SET
    decided_index: str  # ZSET: decided comments holding personal data (retention)


class CmsDecideArgv(TypedDict):
    id: str
    new_status: str  # approved, spam, rejected or pending
    now_ms: int
    history_line: str  # JSON
    events_maxlen: int


CMS_DECIDE = Script(
    "CMS_DECIDE",
    CmsDecideKeys,
    CmsDecideArgv,
    _DECISION_HELPERS
    + _LABEL_HELPERS
    + _ABUSE_OF
    + """
local fields = redis.call('HMGET', comment, 'status', 'created_ms', 'data', 'spam_score',
                          'decided_by', 'abuse_score')
local status = fields[1]
if not status then return {'missing'} end
if status == new_status then return {'same', status} end
local zsets = {pending = pending_index, approved = approved_index, spam = spam_index,
               rejected = rejected_index}
if not zsets[status] or not zsets[new_status] then
  return redis.error_reply('CMS_DECIDE: unknown status')
end
redis.call('ZREM', zsets[status], id)
if status == 'pending' then
  -- a moderator's claim ends with the decision
  redis.call('ZREM', score_index, id)
  redis.call('ZREM', abuse_index, id)
  redis.call('ZREM', claims, id)
  redis.call('HDEL', claim_holders, id)
end
redis.call('ZADD', zsets[new_status], fields[2], id)
if new_status == 'pending' then
  redis.call('ZADD', score_index, fields[4], id)
  redis.call('ZADD', abuse_index, abuse_of(fields[6]), id)
  redis.call('ZREM', decided_index, id)
  redis.call('HSET', comment, 'status', new_status, 'decided_by', '', 'decided_ms', '0',
             'note', '', 'decision_reason', '', 'claimed_by', '', 'claim_until_ms', '0')
else
  redis.call('ZADD', decided_index, now_ms, id)
  -- the CMS says no reason: a moderator's earlier one no longer explains this status
  redis.call('HSET', comment, 'status', new_status, 'decided_by', 'cms',
             'decided_ms', now_ms, 'note', '', 'decision_reason', '',
             'claimed_by', '', 'claim_until_ms', '0')
end
append_history(history_line)
if new_status == 'approved' then trust_author(fields[3]) end
-- a rule's approval (decided_by auto) was never counted as a trusted author's
if status == 'approved' and fields[5] ~= 'auto' then untrust_author(fields[3]) end
set_label(new_status, now_ms)
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'decided', 'id', id, 'status', new_status, 'previous_status', status,
  'actor', 'cms', 'ms', now_ms)
return {'ok', status}
""",
)


# -- UNDO: take back a moderator's own latest decision within the undo window -----------
#
# Returns {'ok', status undone}, {'missing'}, {'pending'}, {'not_yours', by},
# {'too_late', status} or {'stale', decided ms} (the decision was made on another day
# than decisions_day's: nothing changed; call again with that day's hash).
#
# Everything that depends on the status is chosen here, from the status read here: the
# zset the id leaves and the history line.  A status read before the call can be stale
# (a double undo racing a new decision) and would file the comment under two statuses.


class UndoKeys(CallbackKeys, LabelKeys):
    approved_authors: str  # HASH: author email -> approved comments
    comment: str  # HASH
    pending_index: str  # ZSET: status index (pending)
    approved_index: str  # ZSET: status index (approved)
    spam_index: str  # ZSET: status index (spam)
    rejected_index: str  # ZSET: status index (rejected)
    score_index: str  # ZSET: pending comments by spam score
    abuse_index: str  # ZSET: pending comments by abuse score
    events: str  # STREAM
    decided_index: str  # ZSET: decided comments holding personal data (retention)
    # HASH: decisions per moderator of the UTC day [day_start_ms, day_end_ms), the
    # caller's guess of the day the decision was made (it no longer counts there)
    decisions_day: str


class UndoArgv(TypedDict):
    id: str
    moderator: str
    now_ms: int
    window_ms: int  # how long a decision can be undone
    day_start_ms: int
    day_end_ms: int  # exclusive
    events_maxlen: int
    # the history line (JSON) to add, by the status undone
    approved_undone: str
    spam_undone: str
    rejected_undone: str
    callback: str  # '1': the undo is a callback (comment.undone), under event_id
    event_id: str


UNDO = Script(
    "UNDO",
    UndoKeys,
    UndoArgv,
    _QUEUE_CALLBACK
    + _DECISION_HELPERS
    + _LABEL_HELPERS
    + _ABUSE_OF
    + """
local fields = redis.call('HMGET', comment, 'status', 'decided_by', 'decided_ms',
                          'spam_score', 'created_ms', 'data', 'abuse_score')
local status = fields[1]
if not status then return {'missing'} end
if status == 'pending' then return {'pending'} end
if fields[2] ~= moderator then return {'not_yours', fields[2] or ''} end
local decided_ms = tonumber(fields[3] or '0')
if tonumber(now_ms) - decided_ms > tonumber(window_ms) then return {'too_late', status} end
local zsets = {approved = approved_index, spam = spam_index, rejected = rejected_index}
local lines = {approved = approved_undone, spam = spam_undone, rejected = rejected_undone}
if not zsets[status] then return redis.error_reply('UNDO: unknown status ' .. status) end
if decided_ms < tonumber(day_start_ms) or decided_ms >= tonumber(day_end_ms) then
  return {'stale', fields[3]}
end
redis.call('ZREM', zsets[status], id)
redis.call('ZREM', decided_index, id)
redis.call('ZADD', pending_index, fields[5], id)
redis.call('ZADD', score_index, fields[4], id)
redis.call('ZADD', abuse_index, abuse_of(fields[7]), id)
redis.call('HSET', comment, 'status', 'pending', 'decided_by', '', 'decided_ms', '0',
           'note', '', 'decision_reason', '')
set_label('pending', now_ms)
if status == 'approved' then untrust_author(fields[6]) end
if tonumber(redis.call('HGET', decisions_day, moderator) or '0') > 0 then
  redis.call('HINCRBY', decisions_day, moderator, -1)
end
local history = redis.call('HGET', comment, 'history') or ''
redis.call('HSET', comment, 'history', history .. '\\n' .. lines[status])
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'undone', 'id', id, 'status', 'pending', 'actor', moderator, 'ms', now_ms)
if callback == '1' then
  local external_id, post_id = cms_ids_of(fields[6])
  queue_callback({type = 'comment.undone', comment_id = id,
                  external_id = external_id, post_id = post_id, status = 'pending',
                  previous_status = status, spam_score = fields[4],
                  abuse_score = fields[7] or '', decided_by = moderator, ms = now_ms})
end
return {'ok', status}
""",
)


# -- PAGE: one page of a sorted index, after an opaque cursor (a member and its score) --
#
# Returns a flat list: member, score, member, score, ...
#
# The cursor stays exact while members come and go: if the cursor's member is still there
# with its score, the page starts after its rank; if it was removed (decided), it is
# re-added for the duration of this atomic script only, to learn where it would sit.
# Both cost O(log N), so a deep page costs what the first does.


class PageKeys(TypedDict):
    index: str  # ZSET: a status index or pending-by-score


class PageArgv(TypedDict):
    descending: str  # '1' for descending order
    limit: int  # page size
    cursor_member: str  # '' = the first page
    cursor_score: str
    min_score: str  # '-inf' = none
    max_score: str  # '+inf' = none


PAGE = Script(
    "PAGE",
    PageKeys,
    PageArgv,
    """
local desc = descending == '1'
local count = tonumber(limit)
local start = 0
local function rank(m)
  if desc then return redis.call('ZREVRANK', index, m) end
  return redis.call('ZRANK', index, m)
end
if cursor_member ~= '' then
  local score = tonumber(cursor_score)
  local current = redis.call('ZSCORE', index, cursor_member)
  if current and tonumber(current) == score then
    start = rank(cursor_member) + 1
  elseif not current then
    redis.call('ZADD', index, score, cursor_member)
    start = rank(cursor_member)
    redis.call('ZREM', index, cursor_member)
  else
    -- the member moved (decided, then undone with another score): start after its old
    -- score, without the tie-break among equal scores
    if desc then
      start = redis.call('ZCOUNT', index, '(' .. cursor_score, '+inf')
    else
      start = redis.call('ZCOUNT', index, '-inf', '(' .. cursor_score)
    end
  end
else
  -- the first page of a score range starts at the range's edge
  if desc and max_score ~= '+inf' then
    start = redis.call('ZCOUNT', index, '(' .. max_score, '+inf')
  elseif not desc and min_score ~= '-inf' then
    start = redis.call('ZCOUNT', index, '-inf', '(' .. min_score)
  end
end
local items
if desc then
  items = redis.call('ZREVRANGE', index, start, start + count - 1, 'WITHSCORES')
else
  items = redis.call('ZRANGE', index, start, start + count - 1, 'WITHSCORES')
end
-- drop what lies past the range's far edge
local lo = tonumber(min_score == '-inf' and '-1e308' or min_score)
local hi = tonumber(max_score == '+inf' and '1e308' or max_score)
local out = {}
for i = 1, #items, 2 do
  local s = tonumber(items[i + 1])
  if s >= lo and s <= hi then
    out[#out + 1] = items[i]
    out[#out + 1] = items[i + 1]
  end
end
return out
""",
)


# -- CLAIM: claim candidate comments for one moderator ----------------------------------
#
# Skips any that another moderator holds or that were decided since the caller read
# them.  Returns the claimed ids, in the candidates' order.
#
# Expired leases are trimmed first, and a lease counts only while it lasts, so a crashed
# moderator's comments come back by themselves without any sweeper.
#
# A claim is the queue's state (the record's claimed_by and claim_until_ms, the claims
# zset), not a line of the comment's history: a page that claims on open and releases on
# close wrote a claimed/released pair per session into every comment it showed (issue
# 24).  The events stream still has a 'claimed' entry for each new claim.


class ClaimKeys(TypedDict):
    claims: str  # ZSET: claims by lease end
    events: str  # STREAM
    claim_holders: str  # HASH: claimed comment -> moderator
    # then the tail ``comments``: the candidates' hashes


class ClaimArgv(TypedDict):
    moderator: str
    now_ms: int
    lease_ms: int
    want: int  # how many at most
    events_maxlen: int
    # then the tail ``candidate_ids``: the candidates' ids, as ``comments``


CLAIM = Script(
    "CLAIM",
    ClaimKeys,
    ClaimArgv,
    """
local now = tonumber(now_ms)
local expired = redis.call('ZRANGEBYSCORE', claims, '-inf', now)
for first = 1, #expired, 1000 do  -- unpack() has a limit: HDEL in chunks
  redis.call('HDEL', claim_holders, unpack(expired, first, math.min(first + 999, #expired)))
end
redis.call('ZREMRANGEBYSCORE', claims, '-inf', now)
local until_ms = now + tonumber(lease_ms)
local most = tonumber(want)
local got = {}
for i = 1, #comments do
  if #got >= most then break end
  local id = candidate_ids[i]
  local fields = redis.call('HMGET', comments[i], 'status', 'claimed_by', 'claim_until_ms')
  local free = (not fields[2]) or fields[2] == '' or fields[2] == moderator
               or tonumber(fields[3] or '0') <= now
  if fields[1] == 'pending' and free then
    redis.call('ZADD', claims, until_ms, id)
    redis.call('HSET', claim_holders, id, moderator)
    redis.call('HSET', comments[i], 'claimed_by', moderator, 'claim_until_ms', until_ms)
    -- a renewal by the holder is not news: only a new claim enters the stream
    if fields[2] ~= moderator or tonumber(fields[3] or '0') <= now then
      redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
        'type', 'claimed', 'id', id, 'actor', moderator, 'ms', now_ms)
    end
    got[#got + 1] = id
  end
end
return got
""",
    keys_tail="comments",
    argv_tail="candidate_ids",
)


# -- CLAIMED_BY_OTHERS: the comments other moderators hold now --------------------------
#
# Claim leaves them out of its candidates, so claiming costs the same however many
# comments other moderators hold.  Every live claim has its holder in the hint: CLAIM
# (and CLAIM_ONE) writes both, and DECIDE, RELEASE and expiry remove both.  Returns the ids.


class ClaimedByOthersKeys(TypedDict):
    claims: str  # ZSET: claims by lease end
    claim_holders: str  # HASH: claimed comment -> moderator


class ClaimedByOthersArgv(TypedDict):
    moderator: str  # whose own claims are left out
    now_ms: int


CLAIMED_BY_OTHERS = Script(
    "CLAIMED_BY_OTHERS",
    ClaimedByOthersKeys,
    ClaimedByOthersArgv,
    """
local live = redis.call('ZRANGEBYSCORE', claims, '(' .. now_ms, '+inf')
local others = {}
for first = 1, #live, 1000 do  -- unpack() has a limit: HMGET in chunks
  local chunk = {unpack(live, first, math.min(first + 999, #live))}
  local holders = redis.call('HMGET', claim_holders, unpack(chunk))
  for j = 1, #chunk do
    if holders[j] and holders[j] ~= moderator then others[#others + 1] = chunk[j] end
  end
end
return others
""",
)


# -- RELEASE: give back a claim the moderator holds -------------------------------------
#
# Returns {'ok'}, {'missing'}, {'not_yours', holder} or {'kept'} (the moderator renewed
# the claim since, e.g. from another tab or a reloaded page: that claim stays).  Like
# CLAIM, it changes the queue's state and adds a 'released' event, no history line.


class ReleaseKeys(TypedDict):
    comment: str  # HASH
    claims: str  # ZSET: claims by lease end
    events: str  # STREAM
    claim_holders: str  # HASH: claimed comment -> moderator


class ReleaseArgv(TypedDict):
    id: str
    moderator: str
    now_ms: int
    events_maxlen: int
    lease_until_ms: str  # the lease end the caller was given ('' = whichever it holds)


RELEASE = Script(
    "RELEASE",
    ReleaseKeys,
    ReleaseArgv,
    """
local fields = redis.call('HMGET', comment, 'status', 'claimed_by', 'claim_until_ms')
if not fields[1] then return {'missing'} end
local holder = fields[2] or ''
if holder == '' or tonumber(fields[3] or '0') <= tonumber(now_ms) then return {'ok'} end
if holder ~= moderator then return {'not_yours', holder} end
if lease_until_ms ~= '' and lease_until_ms ~= fields[3] then return {'kept'} end
redis.call('ZREM', claims, id)
redis.call('HDEL', claim_holders, id)
redis.call('HSET', comment, 'claimed_by', '', 'claim_until_ms', '0')
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'released', 'id', id, 'actor', moderator, 'ms', now_ms)
return {'ok'}
""",
)


# -- CLAIM_ONE: claim one named comment, or (an admin's) take it over ------------------
#
# Returns {'ok', lease end} (claimed, or the caller's own claim renewed), {'taken', lease
# end, previous holder}, {'claimed', holder, their lease end} (another moderator holds it
# and ``take`` is not '1'), {'decided', status, by} or {'missing'}.
#
# A plain claim is queue state, not audit trail: it enters the events stream only.  A
# take-over is an admin overruling a colleague, so it is also one compact history line
# (``taken_over``, with ``from``).  The previous holder's lease simply ends: their
# decisions and releases now answer 409, as for any comment someone else holds.


class ClaimOneKeys(TypedDict):
    comment: str  # HASH
    claims: str  # ZSET: claims by lease end
    claim_holders: str  # HASH: claimed comment -> moderator
    events: str  # STREAM


class ClaimOneArgv(TypedDict):
    id: str
    moderator: str
    now_ms: int
    lease_ms: int
    take: str  # '1': take the claim from another moderator (the caller checked: an admin)
    history_line: str  # JSON object for a take-over; the script adds ``from``
    events_maxlen: int


CLAIM_ONE = Script(
    "CLAIM_ONE",
    ClaimOneKeys,
    ClaimOneArgv,
    """
local fields = redis.call('HMGET', comment, 'status', 'claimed_by', 'claim_until_ms',
                          'decided_by')
if not fields[1] then return {'missing'} end
if fields[1] ~= 'pending' then return {'decided', fields[1], fields[4] or ''} end
local now = tonumber(now_ms)
local holder = fields[2] or ''
local live = holder ~= '' and tonumber(fields[3] or '0') > now
local others = live and holder ~= moderator
if others and take ~= '1' then return {'claimed', holder, fields[3]} end
local until_ms = now + tonumber(lease_ms)
redis.call('ZADD', claims, until_ms, id)
redis.call('HSET', claim_holders, id, moderator)
redis.call('HSET', comment, 'claimed_by', moderator, 'claim_until_ms', until_ms)
if others then
  local history = redis.call('HGET', comment, 'history') or ''
  local line = string.sub(history_line, 1, -2) .. ',"from":' .. cjson.encode(holder) .. '}'
  redis.call('HSET', comment, 'history', history .. '\\n' .. line)
  redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
    'type', 'taken_over', 'id', id, 'actor', moderator, 'from', holder, 'ms', now_ms)
  return {'taken', tostring(until_ms), holder}
end
-- a renewal by the holder is not news
if not (live and holder == moderator) then
  redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
    'type', 'claimed', 'id', id, 'actor', moderator, 'ms', now_ms)
end
return {'ok', tostring(until_ms)}
""",
)


# -- TAKE_TOKENS: one token from each of several token buckets, all or none -------------
#
# Returns {1, 0, 0} if allowed, else {0, ms until a token is back in the emptiest
# bucket, its position in ``buckets``}.
#
# A bucket expires once it would be full again, so idle senders cost no memory.


class TakeTokensKeys(TypedDict):
    pass  # only the tail ``buckets``: bucket hashes (fields: tokens, ts)


class TakeTokensArgv(TypedDict):
    now_ms: int
    # then the tail ``limits``: per bucket, in ``buckets`` order, refill per ms and burst


TAKE_TOKENS = Script(
    "TAKE_TOKENS",
    TakeTokensKeys,
    TakeTokensArgv,
    """
local now = tonumber(now_ms)
local levels = {}
local wait, emptiest = 0, 0
for i = 1, #buckets do
  local rate = tonumber(limits[i * 2 - 1])
  local burst = tonumber(limits[i * 2])
  local state = redis.call('HMGET', buckets[i], 'tokens', 'ts')
  local tokens = tonumber(state[1] or burst)
  local ts = tonumber(state[2] or now)
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  levels[i] = tokens
  if tokens < 1 then
    local this_wait = math.ceil((1 - tokens) / rate)
    if this_wait > wait then wait, emptiest = this_wait, i end
  end
end
if wait > 0 then return {0, wait, emptiest} end
for i = 1, #buckets do
  local rate = tonumber(limits[i * 2 - 1])
  local burst = tonumber(limits[i * 2])
  local tokens = levels[i] - 1
  redis.call('HSET', buckets[i], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', buckets[i], math.ceil((burst - tokens) / rate) + 1000)
end
return {1, 0, 0}
""",
    keys_tail="buckets",
    argv_tail="limits",
)


# -- ERASE: remove an author's personal data from one comment ---------------------------
#
# Keeps the comment, its status and its history (which holds no personal data: actors
# are sites, models and moderators).  Returns 1 if the comment was changed, 0 if it is
# gone or held nothing to erase.  Either way the id leaves the decided index: retention
# has nothing left to do for it.


class EraseKeys(TypedDict):
    comment: str  # HASH
    decided_index: str  # ZSET: decided comments holding personal data (retention)
    events: str  # STREAM


class EraseArgv(TypedDict):
    id: str
    actor: str
    now_ms: int
    history_line: str  # JSON
    events_maxlen: int
    # then the tail ``personal_fields``: the names of the fields to erase


ERASE = Script(
    "ERASE",
    EraseKeys,
    EraseArgv,
    """
redis.call('ZREM', decided_index, id)
local raw = redis.call('HGET', comment, 'data')
if not raw then return 0 end
local data = cjson.decode(raw)
local changed = false
for _, name in ipairs(personal_fields) do
  if data[name] ~= nil and data[name] ~= cjson.null and data[name] ~= '' then
    data[name] = nil
    changed = true
  end
end
if not changed then return 0 end
data['erased'] = true
-- cjson turns an empty array into {}; reasons must stay lists for readers
local encoded = cjson.encode(data):gsub('"reasons":{}', '"reasons":[]')
encoded = encoded:gsub('"abuse_reasons":{}', '"abuse_reasons":[]')
local history = redis.call('HGET', comment, 'history') or ''
-- an edit's history line keeps the author URL the comment had (EDIT): erased with it
if string.find(history, '"previous":', 1, true) then
  local lines = {}
  for line in string.gmatch(history, '[^\\n]+') do
    if string.find(line, '"previous":', 1, true) then
      local ok, entry = pcall(cjson.decode, line)
      if ok and type(entry) == 'table' and type(entry['previous']) == 'table' then
        for _, name in ipairs(personal_fields) do
          if entry['previous'][name] ~= nil then entry['previous'][name] = cjson.null end
        end
        line = cjson.encode(entry)
      end
    end
    lines[#lines + 1] = line
  end
  history = table.concat(lines, '\\n')
end
redis.call('HSET', comment, 'data', encoded, 'history', history .. '\\n' .. history_line)
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'erased', 'id', id, 'actor', actor, 'ms', now_ms)
return 1
""",
    argv_tail="personal_fields",
)


# -- PURGE_SPAM: delete a spam comment for good (retention), with its index entries -----
#
# Returns 1 if deleted, 0 if it is gone or no longer spam (an undo raced us).


class PurgeSpamKeys(TypedDict):
    comment: str  # HASH
    spam_index: str  # ZSET: status index (spam)
    external_ids: str  # HASH: the CMS's comment id -> ours
    author_index: str  # ZSET: the author's comments
    decided_index: str  # ZSET: decided comments holding personal data (retention)
    events: str  # STREAM


class PurgeSpamArgv(TypedDict):
    id: str
    external_id: str  # '' = none
    now_ms: int
    events_maxlen: int


PURGE_SPAM = Script(
    "PURGE_SPAM",
    PurgeSpamKeys,
    PurgeSpamArgv,
    """
if redis.call('HGET', comment, 'status') ~= 'spam' then return 0 end
redis.call('DEL', comment)
redis.call('ZREM', spam_index, id)
redis.call('ZREM', author_index, id)
redis.call('ZREM', decided_index, id)
if external_id ~= '' and redis.call('HGET', external_ids, external_id) == id then
  redis.call('HDEL', external_ids, external_id)
end
redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
  'type', 'purged', 'id', id, 'actor', 'retention', 'ms', now_ms)
return 1
""",
)

# -- Delivering callbacks: claim the due ones, settle each attempt, redeliver dead ones --
#
# A deliverer (moderation/delivery/callbacks.py, in every service process) claims due events
# for a lease: their due score becomes the lease's end, so no other process sends them
# meanwhile, and one whose process died is due again when the lease ends.  Settling
# checks the lease is still the caller's, so a late answer cannot undo a newer attempt.


class CallbackClaimKeys(TypedDict):
    callback_due: str  # ZSET: events to send, by when
    callback_events: str  # HASH: event id -> record


class CallbackClaimArgv(TypedDict):
    now_ms: int
    lease_until_ms: int  # the due score of a claimed event until it is settled
    limit: int


# Returns {next due ms or '', event id, record, event id, record, ...}; each record's
# attempts counts the attempt it is claimed for.
CALLBACK_CLAIM = Script(
    "CALLBACK_CLAIM",
    CallbackClaimKeys,
    CallbackClaimArgv,
    """
local ids = redis.call('ZRANGEBYSCORE', callback_due, '-inf', now_ms, 'LIMIT', 0, limit)
local out = {''}
for _, event_id in ipairs(ids) do
  local raw = redis.call('HGET', callback_events, event_id)
  if raw then
    -- the attempt counts from its claim: one cut short by a crash still counted
    local record = cjson.decode(raw)
    record['attempts'] = (tonumber(record['attempts']) or 0) + 1
    raw = cjson.encode(record)
    redis.call('HSET', callback_events, event_id, raw)
    redis.call('ZADD', callback_due, lease_until_ms, event_id)
    out[#out + 1] = event_id
    out[#out + 1] = raw
  else
    redis.call('ZREM', callback_due, event_id)
  end
end
local first = redis.call('ZRANGE', callback_due, 0, 0, 'WITHSCORES')
if first[2] then out[1] = first[2] end
return out
""",
)


class CallbackReleaseKeys(TypedDict):
    callback_due: str  # ZSET: events to send, by when


class CallbackReleaseArgv(TypedDict):
    lease_until_ms: int  # the claim whose answer never arrived
    now_ms: int


# A claim whose reply was lost (Redis killed or the connection cut after the script ran)
# holds its events until the lease ends, although nobody sends them: the claimer gives
# them back once Redis answers again, so they go out now rather than a lease later.
# Returns how many were given back.
CALLBACK_RELEASE = Script(
    "CALLBACK_RELEASE",
    CallbackReleaseKeys,
    CallbackReleaseArgv,
    """
local ids = redis.call('ZRANGEBYSCORE', callback_due, lease_until_ms, lease_until_ms)
for _, event_id in ipairs(ids) do
  redis.call('ZADD', callback_due, now_ms, event_id)
end
return #ids
""",
)


class CallbackSettleKeys(TypedDict):
    callback_due: str  # ZSET: events to send, by when
    callback_events: str  # HASH: event id -> record
    callback_pending: str  # ZSET: undelivered events
    callback_dead: str  # ZSET: dead events, by when they died
    callback_heads: str  # HASH: comment -> its event in due
    callback_queue: str  # LIST: the comment's later events


class CallbackSettleArgv(TypedDict):
    event_id: str
    comment_id: str
    lease_until_ms: int  # the claim being settled
    outcome: str  # delivered | retry | dead
    record: str  # the record's new JSON (retry and dead)
    next_ms: int  # when a retry is due
    now_ms: int


# Returns 'ok', or 'lost' when the lease is no longer the caller's (nothing changed).
CALLBACK_SETTLE = Script(
    "CALLBACK_SETTLE",
    CallbackSettleKeys,
    CallbackSettleArgv,
    """
local held = redis.call('ZSCORE', callback_due, event_id)
if not held or tonumber(held) ~= tonumber(lease_until_ms) then return 'lost' end
if outcome == 'retry' then
  redis.call('HSET', callback_events, event_id, record)
  redis.call('ZADD', callback_due, next_ms, event_id)
  return 'ok'
end
redis.call('ZREM', callback_due, event_id)
redis.call('ZREM', callback_pending, event_id)
if outcome == 'dead' then
  redis.call('HSET', callback_events, event_id, record)
  redis.call('ZADD', callback_dead, now_ms, event_id)
else
  redis.call('HDEL', callback_events, event_id)
end
if redis.call('HGET', callback_heads, comment_id) == event_id then
  local later = redis.call('LPOP', callback_queue)
  if later then
    redis.call('HSET', callback_heads, comment_id, later)
    redis.call('ZADD', callback_due, now_ms, later)
  else
    redis.call('HDEL', callback_heads, comment_id)
  end
end
return 'ok'
""",
)


class CallbackRedeliverKeys(TypedDict):
    callback_dead: str  # ZSET: dead events
    callback_events: str  # HASH: event id -> record
    callback_pending: str  # ZSET: undelivered events
    callback_due: str  # ZSET: events to send
    callback_heads: str  # HASH: comment -> its event in due


class CallbackRedeliverArgv(TypedDict):
    now_ms: int


# keys_tail: each event's comment's LIST (callback_queue); argv_tail: event id, comment
# id, ... in the same order.  Returns the ids queued again (those that were dead).
CALLBACK_REDELIVER = Script(
    "CALLBACK_REDELIVER",
    CallbackRedeliverKeys,
    CallbackRedeliverArgv,
    """
local queued = {}
for i = 1, #queues do
  local event_id, comment_id = ids[2 * i - 1], ids[2 * i]
  local raw = redis.call('HGET', callback_events, event_id)
  if raw and redis.call('ZREM', callback_dead, event_id) == 1 then
    local record = cjson.decode(raw)
    record['queued_ms'] = now_ms  -- a new give-up period
    record['failing'] = nil
    redis.call('HSET', callback_events, event_id, cjson.encode(record))
    redis.call('ZADD', callback_pending, now_ms, event_id)
    if redis.call('HSETNX', callback_heads, comment_id, event_id) == 1 then
      redis.call('ZADD', callback_due, now_ms, event_id)
    else
      redis.call('RPUSH', queues[i], event_id)
    end
    queued[#queued + 1] = event_id
  end
end
return queued
""",
    keys_tail="queues",
    argv_tail="ids",
)

# -- Site models: put a retrained one (pruning the oldest), roll back -----------------


class ModelKeys(TypedDict):
    current: str  # STRING: the version in use
    versions: str  # LIST: versions kept, newest first
    meta: str  # HASH: version -> its record (JSON)
    blobs: str  # HASH: version -> the model file, base64
    retrains: str  # LIST: retrain records, newest first


class ModelPutArgv(TypedDict):
    version: str
    blob: str  # the model file, base64
    record: str  # JSON
    keep: int  # how many versions to keep
    retrain: str  # the retrain's record (JSON), pushed with the swap ('' = none)
    retrains_kept: int


# Returns the versions pruned.
MODEL_PUT = Script(
    "MODEL_PUT",
    ModelKeys,
    ModelPutArgv,
    """
redis.call('HSET', blobs, version, blob)
redis.call('HSET', meta, version, record)
redis.call('SET', current, version)
if retrain ~= '' then
  -- with the swap, not after it: a reader never sees the retrain without its model
  redis.call('LPUSH', retrains, retrain)
  redis.call('LTRIM', retrains, 0, tonumber(retrains_kept) - 1)
end
redis.call('LREM', versions, 0, version)
redis.call('LPUSH', versions, version)
local pruned = redis.call('LRANGE', versions, tonumber(keep), -1)
redis.call('LTRIM', versions, 0, tonumber(keep) - 1)
for _, old in ipairs(pruned) do
  redis.call('HDEL', meta, old)
  redis.call('HDEL', blobs, old)
end
return pruned
""",
)


class ModelRollbackKeys(TypedDict):
    current: str  # STRING: the version in use
    blobs: str  # HASH: version -> the model file, base64


class ModelRollbackArgv(TypedDict):
    version: str


# Returns 1, or 0 when that version is not kept (nothing changed).
MODEL_ROLLBACK = Script(
    "MODEL_ROLLBACK",
    ModelRollbackKeys,
    ModelRollbackArgv,
    """
if redis.call('HEXISTS', blobs, version) == 0 then return 0 end
redis.call('SET', current, version)
return 1
""",
)


class UnlockKeys(TypedDict):
    lock: str  # STRING: the holder's token


class UnlockArgv(TypedDict):
    token: str


# Releases a lock only for its holder: one that expired and was taken again stays.
UNLOCK = Script(
    "UNLOCK",
    UnlockKeys,
    UnlockArgv,
    """
if redis.call('GET', lock) == token then return redis.call('DEL', lock) end
return 0
""",
)


class RuleKeys(TypedDict):
    rules: str  # HASH: rule id -> its JSON record
    index: str  # HASH: "<list> <kind> <value>" -> rule id
    version: str  # STRING: bumped by every change
    audit: str  # LIST: the changes, newest first


class RuleAddArgv(TypedDict):
    id: str  # the new rule's id
    identity: str  # "<list> <kind> <value>"
    record: str  # the rule's JSON record
    audit_entry: str  # the audit line (JSON)
    audit_kept: int  # how many audit lines a site keeps
    max_rules: int  # how many rules a site may have


# Adds a rule unless the same one (list, kind, value) is there: {'added', id},
# {'exists', id and its record}, or {'full'} past max_rules (nothing changed then).
RULE_ADD = Script(
    "RULE_ADD",
    RuleKeys,
    RuleAddArgv,
    """
local existing = redis.call('HGET', index, identity)
if existing then
  return {'exists', existing, redis.call('HGET', rules, existing) or ''}
end
if redis.call('HLEN', rules) >= tonumber(max_rules) then return {'full'} end
redis.call('HSET', rules, id, record)
redis.call('HSET', index, identity, id)
redis.call('INCR', version)
redis.call('LPUSH', audit, audit_entry)
redis.call('LTRIM', audit, 0, tonumber(audit_kept) - 1)
return {'added', id, record}
""",
)


class RuleDeleteArgv(TypedDict):
    id: str
    by: str  # who removes it
    at: str  # when (ISO 8601)
    audit_kept: int


# Removes a rule: {'removed', its record}, or {'missing'} (nothing changed).
RULE_DELETE = Script(
    "RULE_DELETE",
    RuleKeys,
    RuleDeleteArgv,
    """
local record = redis.call('HGET', rules, id)
if not record then return {'missing'} end
local rule = cjson.decode(record)
redis.call('HDEL', rules, id)
redis.call('HDEL', index, rule['list'] .. ' ' .. rule['kind'] .. ' ' .. rule['value'])
redis.call('INCR', version)
local entry = cjson.encode({action = 'removed', by = by, at = at, rule = rule})
redis.call('LPUSH', audit, entry)
redis.call('LTRIM', audit, 0, tonumber(audit_kept) - 1)
return {'removed', record}
""",
)


class RulesEraseArgv(TypedDict):
    email: str  # the erased author's email, normalised as rules and intake keep it
    at_domain: str  # "@" and the email's domain, lower-cased: a cheap test before a decode
    erased_value: str  # what stands where an erased value or note was
    by: str  # who asked for the erasure
    at: str  # when (ISO 8601)
    audit_kept: int


# An author's erasure, on the rules (GDPR art. 17): every rule whose value names the email
# (an email rule for it, a phrase containing it) is removed, and the email leaves the audit
# trail too, where the lines that added or removed such a rule held it in clear: their
# value (and their note, written about that person) become ``erased_value``; a note of any
# other rule or line that names the email is replaced the same way.  Each removal is
# audited as 'erased', by whom and when, with the rule's id, list and kind but not its
# value.  The version is bumped when a rule went, so every instance stops applying it.
# One script: no intake, rule change or audit read sees a half-erased site.  Its cost is
# the site's rules and audit lines (at most 10,000 each) read once, ~ms; erasure is rare.
# Returns {rules removed, audit lines rewritten}.
RULES_ERASE = Script(
    "RULES_ERASE",
    RuleKeys,
    RulesEraseArgv,
    """
local function names_value(rule)
  local value = rule['value']
  if type(value) ~= 'string' then return false end
  if rule['kind'] == 'email' then return value == email end
  if rule['kind'] == 'phrase' then return string.find(value, email, 1, true) ~= nil end
  return false
end
local function names_note(rule)
  local note = rule['note']
  return type(note) == 'string' and string.find(string.lower(note), email, 1, true) ~= nil
end
-- the rule without the email; whether it changed
local function scrub(rule)
  if type(rule) ~= 'table' then return false end
  if names_value(rule) then
    rule['value'] = erased_value
    if type(rule['note']) == 'string' and rule['note'] ~= '' then rule['note'] = erased_value end
    return true
  end
  if names_note(rule) then
    rule['note'] = erased_value
    return true
  end
  return false
end
local function decoded(raw)
  -- JSON keeps an email's domain as it is (no character of a domain is escaped)
  if not string.find(string.lower(raw), at_domain, 1, true) then return nil end
  local ok, value = pcall(cjson.decode, raw)
  if ok and type(value) == 'table' then return value end
  return nil
end

local rewritten = 0
local lines = redis.call('LRANGE', audit, 0, -1)
for i, raw in ipairs(lines) do
  local entry = decoded(raw)
  if entry and scrub(entry['rule']) then
    redis.call('LSET', audit, i - 1, cjson.encode(entry))
    rewritten = rewritten + 1
  end
end

local removed = 0
local flat = redis.call('HGETALL', rules)
for i = 1, #flat, 2 do
  local id, rule = flat[i], decoded(flat[i + 1])
  if rule and names_value(rule) then
    redis.call('HDEL', rules, id)
    redis.call('HDEL', index, rule['list'] .. ' ' .. rule['kind'] .. ' ' .. rule['value'])
    scrub(rule)
    redis.call('LPUSH', audit, cjson.encode({action = 'erased', by = by, at = at, rule = rule}))
    removed = removed + 1
  elseif rule and scrub(rule) then
    redis.call('HSET', rules, id, cjson.encode(rule))
  end
end
if removed > 0 then
  redis.call('INCR', version)
  redis.call('LTRIM', audit, 0, tonumber(audit_kept) - 1)
end
return {removed, rewritten}
""",
)

# -- ABUSE_UNSCORED / ABUSE_FILL: abuse scores for pending comments stored without one ----
#
# Comments stored before the service had an abuse head (or by a model without one) are
# pending without an abuse score: missing from the abuse index (stored before it existed)
# or filed there at ABUSE_UNSCORED.  The backfill (intake/abuse_backfill.py) lists them a
# slice of the pending index at a time, scores their text, and files each score only if
# the comment is still pending, still unscored and its data is what was scored (its
# SHA-1): a comment decided, edited or rescored meanwhile is left as it now is.


class AbuseUnscoredKeys(TypedDict):
    pending_index: str  # ZSET: status index (pending)
    abuse_index: str  # ZSET: pending comments by abuse score


class AbuseUnscoredArgv(TypedDict):
    start: int  # rank in the pending index (oldest first)
    count: int


ABUSE_UNSCORED_PENDING = Script(
    "ABUSE_UNSCORED_PENDING",
    AbuseUnscoredKeys,
    AbuseUnscoredArgv,
    f"""
local ids = redis.call('ZRANGE', pending_index, start, start + count - 1)
local unscored = {{}}
for _, id in ipairs(ids) do
  local score = redis.call('ZSCORE', abuse_index, id)
  if not score or tonumber(score) == {ABUSE_UNSCORED} then unscored[#unscored + 1] = id end
end
return {{#ids, unscored}}
""",
)


class AbuseFillKeys(TypedDict):
    comment: str  # HASH
    abuse_index: str  # ZSET: pending comments by abuse score


class AbuseFillArgv(TypedDict):
    id: str
    data_sha1: str  # SHA-1 (hex) of the data the score was computed from
    data: str  # that data with the abuse reasons added (JSON)
    abuse_score: str  # repr of the float
    history_line: str  # JSON: the "scored" line of the abuse score


ABUSE_FILL = Script(
    "ABUSE_FILL",
    AbuseFillKeys,
    AbuseFillArgv,
    """
local fields = redis.call('HMGET', comment, 'status', 'data', 'abuse_score', 'history')
if fields[1] ~= 'pending' then return 'decided' end
if fields[3] and fields[3] ~= '' then return 'scored' end
if redis.sha1hex(fields[2] or '') ~= data_sha1 then return 'changed' end
local history = fields[4] or ''
if history ~= '' then history = history .. '\\n' end
redis.call('HSET', comment, 'data', data, 'abuse_score', abuse_score,
           'history', history .. history_line)
redis.call('ZADD', abuse_index, abuse_score, id)
return 'filled'
""",
)


SCRIPTS = (
    INTAKE,
    INTAKE_CALLBACK,
    EDIT,
    DECIDE,
    CMS_DECIDE,
    UNDO,
    PAGE,
    CLAIM,
    CLAIM_ONE,
    CLAIMED_BY_OTHERS,
    RELEASE,
    TAKE_TOKENS,
    ERASE,
    PURGE_SPAM,
    CALLBACK_CLAIM,
    CALLBACK_RELEASE,
    CALLBACK_SETTLE,
    CALLBACK_REDELIVER,
    MODEL_PUT,
    MODEL_ROLLBACK,
    UNLOCK,
    RULE_ADD,
    RULE_DELETE,
    RULES_ERASE,
    ABUSE_UNSCORED_PENDING,
    ABUSE_FILL,
)
