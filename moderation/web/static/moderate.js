// The moderator page: a client of the /v1 moderator API.
//
// Safety rule for this file: comment data (names, emails, urls, text, reasons) only ever
// reaches the page through text nodes (textContent / createTextNode) and <mark> elements
// built one by one.  Never innerHTML, insertAdjacentHTML, document.write or string-built
// attributes; only http(s) urls become links.
"use strict";

(() => {
  const LEASE_SECONDS = 180; // a closed tab frees its comments within 3 minutes
  const RENEW_AFTER_MS = 60_000; // re-claim (renew the lease) a minute after a claim
  const POLL_MS = 4_000;
  const STATUSES = ["pending", "approved", "spam", "rejected"];
  const DECISION_WORD = { approve: "Approved", spam: "Marked spam", reject: "Rejected" };
  const DECISION_STATUS = { approve: "approved", spam: "spam", reject: "rejected" };
  const DECISION_KEY = { approve: "a", spam: "s", reject: "d" };
  const ABUSE_MARK_FROM = 0.5; // the abuse bar's `low`: from here it is no longer green
  // A rejection's reasons (the API's; "abuse" labels the comment abusive for learning).
  const REJECT_REASONS = [
    ["", "no reason"],
    ["abuse", "abuse"],
    ["spam", "spam"],
    ["off_topic", "off topic"],
    ["other", "other"],
  ];

  const $ = (id) => document.getElementById(id);

  const state = {
    me: "",
    admin: false, // from the session: only then the rules panel and "Take over" are offered
    csrf: "",
    sites: [],
    site: "",
    status: "pending",
    order: "score",
    minScore: "",
    maxScore: "",
    minAbuse: "",
    email: "",
    q: "",
    postId: "",
    authorName: "",
    author: null, // the author view's email, while it is open
    batch: 20,
    items: [], // queue items as the API answers them, in display order
    focusId: null,
    selected: new Set(),
    undoStack: [], // [{action, items: [item, ...]}], newest last
    claimedIds: new Set(),
    leases: new Map(), // id -> lease_until_ms: a release names the lease it gives back
    claimedAt: 0,
    lastPendingCount: null,
    hiddenByOthers: 0,
    heldByOthers: 0, // shown to an admin, who may take them over
    busy: 0,
    polling: false,
    decided: new Set(), // decided here: a claim or listing already in flight must not revive them
    ended: false,
  };
  const cards = new Map(); // id -> <article>

  // -- API ---------------------------------------------------------------------------

  async function api(method, path, body, extra) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
      ...extra,
    });
    let data = null;
    try {
      data = await resp.json();
    } catch (_) {
      data = null;
    }
    if (resp.status === 401) sessionEnded();
    return { status: resp.status, ok: resp.ok, data };
  }

  function sessionEnded() {
    if (state.ended) return;
    state.ended = true;
    toast("Your session has ended. Reloading to log in again…");
    window.setTimeout(() => window.location.assign("/moderate"), 1500);
  }

  function problemText(res) {
    const d = res.data;
    if (d && typeof d.detail === "string") return d.detail;
    if (d && typeof d.title === "string") return d.title;
    return `The server answered ${res.status}.`;
  }

  // -- small DOM helpers (text only) --------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function userText(tag, className, text) {
    const node = el(tag, className, text);
    node.dir = "auto"; // with unicode-bidi: isolate in CSS, RTL overrides stay inside
    return node;
  }

  function safeHttpUrl(raw) {
    if (typeof raw !== "string" || raw === "") return null;
    try {
      const url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  function linkOrText(raw, className) {
    const href = safeHttpUrl(raw);
    if (href === null) return userText("span", className, raw);
    const a = userText("a", className, raw);
    a.href = href;
    a.rel = "noopener noreferrer nofollow ugc";
    a.target = "_blank";
    return a;
  }

  let toastTimer = 0;
  function toast(message, undoable) {
    const box = $("toast");
    box.replaceChildren(el("span", "", message));
    if (undoable) {
      const b = el("button", "link", "Undo");
      b.type = "button";
      b.addEventListener("click", () => undoLast());
      box.append(" ", b);
    }
    box.classList.add("shown");
    // A modal dialog sits above the toast (the top layer): say it in the dialog as well.
    for (const line of document.querySelectorAll("dialog[open] .dialog-status")) {
      line.textContent = message;
    }
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => box.classList.remove("shown"), 8000);
  }

  // A toast speaks of the view it was raised in: switching views takes it down.
  function hideToast() {
    window.clearTimeout(toastTimer);
    $("toast").classList.remove("shown");
  }

  // -- highlighting -------------------------------------------------------------------

  function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // The words behind the classifier's reasons ("word 'casino'", "link to bit.ly", ...).
  function suspiciousTerms(reasons) {
    const whole = [];
    const partial = [];
    for (const reason of Array.isArray(reasons) ? reasons : []) {
      if (typeof reason !== "string") continue;
      let m = /^(?:word|phrase|name) '(.+)'$/u.exec(reason);
      if (m) {
        whole.push(m[1]);
        continue;
      }
      m = /^(?:text containing|words starting) '(.+)'$/u.exec(reason);
      if (m && m[1].trim().length >= 3) {
        partial.push(m[1].trim());
        continue;
      }
      m = /^link to (?!a \.)(\S+)$/u.exec(reason);
      if (m) partial.push(m[1]);
    }
    return { whole, partial };
  }

  // The words behind the abuse score: reasons written as the spam reasons are ("word
  // 'idiot'"), or the bare word or phrase itself.
  function abusiveTerms(reasons) {
    const terms = suspiciousTerms(reasons);
    for (const reason of Array.isArray(reasons) ? reasons : []) {
      if (typeof reason !== "string") continue;
      const bare = reason.trim();
      if (/^(?:word|phrase|name|text containing|words starting) '|^link to /u.test(bare)) continue;
      if (bare.length >= 2) terms.whole.push(bare);
    }
    return terms;
  }

  function alternativesOf(terms) {
    const alternatives = [];
    const byLength = (a, b) => b.length - a.length;
    for (const t of [...terms.whole].sort(byLength)) {
      alternatives.push(`(?<![\\p{L}\\p{N}])${escapeRegExp(t)}(?![\\p{L}\\p{N}])`);
    }
    for (const t of [...terms.partial].sort(byLength)) alternatives.push(escapeRegExp(t));
    return alternatives;
  }

  // One pattern for both kinds of words: group 1 holds the abusive ones (tried first, so
  // a word that is both is marked as abuse), group 2 the spam ones.
  function highlightPattern(spamTerms, abuseTerms) {
    const abuse = alternativesOf(abuseTerms);
    const spam = alternativesOf(spamTerms);
    if (abuse.length === 0 && spam.length === 0) return null;
    // each group is there even when empty ((?!) never matches), so group 1 is always abuse
    const abuseGroup = `(${abuse.length ? abuse.join("|") : "(?!)"})`;
    const spamGroup = `(${spam.length ? spam.join("|") : "(?!)"})`;
    try {
      return new RegExp(`${abuseGroup}|${spamGroup}`, "giu");
    } catch (_) {
      return null;
    }
  }

  // Fill `node` with `text`, wrapping the suspicious words in <mark> (abusive ones in
  // <mark class="abuse">): text nodes only.
  function fillHighlighted(node, text, pattern) {
    node.replaceChildren();
    if (typeof text !== "string") return;
    if (pattern === null) {
      node.append(document.createTextNode(text));
      return;
    }
    let last = 0;
    pattern.lastIndex = 0;
    for (const m of text.matchAll(pattern)) {
      if (m[0].length === 0) continue;
      if (m.index > last) node.append(document.createTextNode(text.slice(last, m.index)));
      const mark = el("mark", m[1] !== undefined ? "abuse" : "", m[0]);
      if (m[1] !== undefined) mark.title = "abusive";
      node.append(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) node.append(document.createTextNode(text.slice(last)));
  }

  // -- cards --------------------------------------------------------------------------

  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  function ago(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return "";
    const s = Math.round((t - Date.now()) / 1000);
    if (Math.abs(s) < 60) return relative.format(s, "second");
    if (Math.abs(s) < 3600) return relative.format(Math.round(s / 60), "minute");
    if (Math.abs(s) < 86400) return relative.format(Math.round(s / 3600), "hour");
    return relative.format(Math.round(s / 86400), "day");
  }

  function actionButton(label, key, onClick, className) {
    const b = el("button", className || "", label);
    b.type = "button";
    const k = el("kbd", "", key);
    k.setAttribute("aria-hidden", "true");
    b.append(" ", k);
    b.setAttribute("aria-keyshortcuts", key.toUpperCase());
    b.addEventListener("click", onClick);
    return b;
  }

  // What a card shows that can change under it: a new key rebuilds the card.
  function cardKey(item) {
    return `${item.status}\n${item.claimed_by || ""}`;
  }

  function heldByOther(item) {
    return item.status === "pending" && Boolean(item.claimed_by) && item.claimed_by !== state.me;
  }

  function buildCard(item) {
    const card = el("article", "card");
    card.tabIndex = -1;
    card.dataset.id = item.id;
    card.dataset.status = item.status;
    card.dataset.key = cardKey(item);
    const nameId = `n-${item.id}`;
    card.setAttribute("aria-labelledby", nameId);

    const head = el("div", "card-head");
    const pick = document.createElement("input");
    pick.type = "checkbox";
    pick.className = "pick";
    pick.setAttribute("aria-label", "Select this comment");
    pick.addEventListener("change", () => {
      if (pick.checked) state.selected.add(item.id);
      else state.selected.delete(item.id);
      updateSelection();
    });
    head.append(pick);

    const who = el("div", "author");
    const name = userText("span", "name", item.author_name || "(no name)");
    name.id = nameId;
    if (item.author_email) {
      // the author view: everything this author posted on the site
      const open = el("button", "author-open");
      open.type = "button";
      open.title = "See this author's comments";
      open.append(name);
      open.addEventListener("click", () => openAuthor(item.author_email));
      who.append(open);
    } else who.append(name);
    if (item.author_email) who.append(userText("span", "email", item.author_email));
    if (item.author_url) who.append(linkOrText(item.author_url, "url"));
    if (item.author_ip) who.append(el("span", "ip", `IP ${item.author_ip}`));
    head.append(who);

    const scores = el("div", "scores");
    scores.append(scoreBar("spam", item.spam_score));
    scores.append(scoreBar("abuse", item.abuse_score));
    head.append(scores);
    card.append(head);

    const meta = el("p", "meta");
    if (item.post_url) {
      meta.append("on ", linkOrText(item.post_url, "post"));
    } else if (item.post_id) {
      meta.append("on post ", userText("span", "post", item.post_id));
    }
    const when = el("time", "when", ago(item.created_at));
    when.dateTime = item.created_at || "";
    when.title = item.created_at || "";
    meta.append(when);
    const status = el("span", `status status-${item.status}`, item.status);
    meta.append(status);
    if (item.decided_by) meta.append(el("span", "decided", `by ${item.decided_by}`));
    if (heldByOther(item)) meta.append(el("span", "held", `held by ${item.claimed_by}`));
    if (item.rule) meta.append(el("span", "rule", `rule: ${item.rule}`));
    if (item.decision_reason) {
      meta.append(el("span", "decision-reason", `reason: ${reasonWord(item.decision_reason)}`));
    }
    card.append(meta);

    // The abuse head names the words that push hardest even in a harmless comment; they
    // are marked in the text only once the score is in the bar's warning band, lest
    // "careful reporting" be painted as abuse at 1 %.  (The list below still has them.)
    const abuseShown = Number(item.abuse_score) >= ABUSE_MARK_FROM ? item.abuse_reasons : [];
    const content = userText("div", "content");
    fillHighlighted(
      content,
      item.content,
      highlightPattern(suspiciousTerms(item.reasons), abusiveTerms(abuseShown)),
    );
    card.append(content);

    if (Array.isArray(item.reasons) && item.reasons.length > 0) {
      const reasons = el("ul", "reasons");
      reasons.setAttribute("aria-label", "Why the spam score");
      for (const r of item.reasons) reasons.append(userText("li", "", r));
      card.append(reasons);
    }
    if (Array.isArray(item.abuse_reasons) && item.abuse_reasons.length > 0) {
      const reasons = el("ul", "reasons abuse-reasons");
      reasons.setAttribute("aria-label", "Why the abuse score");
      for (const r of item.abuse_reasons) reasons.append(userText("li", "", r));
      card.append(reasons);
    }

    const actions = el("div", "actions");
    // The reason a rejection (this card's Reject, its d key, "Change to rejected") carries.
    const reasonPick = document.createElement("select");
    reasonPick.className = "reject-reason";
    reasonPick.setAttribute("aria-label", "Reason for rejecting");
    for (const [value, label] of REJECT_REASONS) {
      const option = el("option", "", value ? `reject: ${label}` : "reject: no reason");
      option.value = value;
      reasonPick.append(option);
    }
    if (item.status === "pending") {
      const approve = actionButton("Approve", "a", () => decideOne(item.id, "approve"), "approve");
      const spam = actionButton("Spam", "s", () => decideOne(item.id, "spam"), "spam");
      const reject = actionButton("Reject", "d", () => decideOne(item.id, "reject"), "reject");
      actions.append(approve, spam, reject, reasonPick);
      if (heldByOther(item)) {
        // Deciding it would be refused (409): the admin takes it over first.
        for (const b of [approve, spam, reject, reasonPick]) b.disabled = true;
        const take = el("button", "take", "Take over");
        take.type = "button";
        take.addEventListener("click", () => takeOverCard(item));
        actions.append(take);
      }
    } else {
      // A decided comment: the other decisions, each asked for once more (an override).
      for (const decision of ["approve", "spam", "reject"]) {
        const to = DECISION_STATUS[decision];
        if (to === item.status) continue;
        const key = DECISION_KEY[decision];
        const b = actionButton(`Change to ${to}`, key, () => decideOne(item.id, decision));
        b.classList.add(decision, "override");
        actions.append(b);
        if (decision === "reject") actions.append(reasonPick);
      }
      actions.append(actionButton("Undo", "z", () => undoComment(item), "undo"));
    }
    card.append(actions);

    card.addEventListener("focusin", () => setFocus(item.id, false));
    card.addEventListener("click", (event) => {
      if (event.target === card) setFocus(item.id, true);
    });
    return card;
  }

  function reasonWord(reason) {
    const known = REJECT_REASONS.find(([value]) => value === reason);
    return known ? known[1] : String(reason);
  }

  // One score as a bar and a percentage; a null score (a model without that head) shows
  // a dash and no bar.
  function scoreBar(kind, raw) {
    const box = el("div", `score score-${kind}`);
    const label = kind === "spam" ? "Spam" : "Abuse";
    if (raw === null || raw === undefined) {
      const none = el("span", "score-text", `${kind} –`);
      none.title = `No ${kind} score: the model that scored this comment has no ${kind} head.`;
      box.append(none);
      return box;
    }
    const score = Number(raw) || 0;
    const meter = document.createElement("meter");
    meter.min = 0;
    meter.max = 1;
    meter.low = 0.5;
    meter.high = 0.8;
    meter.optimum = 0;
    meter.value = score;
    const pct = `${Math.round(score * 100)}%`;
    meter.setAttribute("aria-label", `${label} score ${pct}`);
    box.append(meter, el("span", "score-text", `${kind} ${pct}`));
    return box;
  }

  // The reason chosen on the comment's card for a rejection, if any.
  function chosenReason(id) {
    const card = cards.get(id);
    const pick = card ? card.querySelector(".reject-reason") : null;
    return pick && pick.value ? pick.value : null;
  }

  function render() {
    const queue = $("queue");
    const hadFocus = queue.contains(document.activeElement);
    const wanted = state.items.map((item) => item.id);
    for (const [id, card] of cards) {
      if (!wanted.includes(id)) {
        card.remove();
        cards.delete(id);
      }
    }
    for (const item of state.items) {
      const old = cards.get(item.id);
      if (old && old.dataset.key !== cardKey(item)) {
        old.remove();
        cards.delete(item.id);
      }
      if (!cards.has(item.id)) cards.set(item.id, buildCard(item));
    }
    const current = Array.from(queue.children).map((c) => c.dataset.id);
    if (current.join("\n") !== wanted.join("\n")) {
      queue.replaceChildren(...wanted.map((id) => cards.get(id)));
    }
    for (const id of [...state.selected]) if (!cards.has(id)) state.selected.delete(id);
    if (state.focusId === null || !cards.has(state.focusId)) {
      state.focusId = wanted.length ? wanted[0] : null;
    }
    for (const [id, card] of cards) {
      card.tabIndex = id === state.focusId ? 0 : -1;
      card.classList.toggle("current", id === state.focusId);
      card.classList.toggle("selected", state.selected.has(id));
      card.querySelector(".pick").checked = state.selected.has(id);
    }
    if (hadFocus && !queue.contains(document.activeElement) && state.focusId !== null) {
      cards.get(state.focusId).focus();
    } else if (hadFocus && state.focusId === null) {
      queue.focus();
    }
    $("empty").hidden = wanted.length > 0;
    updateSelection();
    updateMode();
  }

  function setFocus(id, move) {
    if (id === null || !cards.has(id)) return;
    state.focusId = id;
    for (const [cid, card] of cards) {
      card.tabIndex = cid === id ? 0 : -1;
      card.classList.toggle("current", cid === id);
    }
    if (move) {
      const card = cards.get(id);
      card.focus();
      card.scrollIntoView({ block: "nearest" });
    }
  }

  function moveFocus(delta) {
    if (state.items.length === 0) return;
    const current = cards.get(state.focusId);
    if (current && !current.contains(document.activeElement)) {
      setFocus(state.focusId, true); // the first j or k lands on the current comment
      return;
    }
    let index = state.items.findIndex((i) => i.id === state.focusId);
    if (index < 0) index = 0;
    else index = Math.max(0, Math.min(state.items.length - 1, index + delta));
    setFocus(state.items[index].id, true);
  }

  function updateSelection() {
    const n = state.selected.size;
    $("selected-count").textContent = `${n} selected`;
    for (const b of document.querySelectorAll("[data-bulk]")) b.disabled = n === 0;
    $("undo-last").disabled = state.undoStack.length === 0;
    for (const [id, card] of cards) card.classList.toggle("selected", state.selected.has(id));
  }

  function claimMode() {
    return (
      state.status === "pending" &&
      !state.minScore &&
      !state.maxScore &&
      !state.minAbuse &&
      !state.email &&
      !state.q &&
      !state.postId &&
      !state.authorName
    );
  }

  function updateMode() {
    const mode = $("mode");
    if (claimMode()) {
      const n = state.items.length;
      mode.textContent =
        n > 0
          ? `${n} pending comment${n === 1 ? "" : "s"} claimed for you; other moderators do not see them while you work.`
          : "No pending comment is free to claim.";
    } else {
      const hidden = state.hiddenByOthers;
      const held = state.heldByOthers;
      mode.textContent =
        `Browsing ${state.status} comments without claiming them.` +
        (hidden > 0 ? ` ${hidden} held by other moderators ${hidden === 1 ? "is" : "are"} hidden.` : "") +
        (held > 0 ? ` ${held} held by other moderators: take one over to decide it.` : "");
    }
  }

  // -- loading ------------------------------------------------------------------------

  function focusedIndex() {
    return state.items.findIndex((i) => i.id === state.focusId);
  }

  function setItems(all) {
    const oldIndex = focusedIndex();
    const items = all.filter((i) => !(i.status === "pending" && state.decided.has(i.id)));
    state.items = items;
    if (state.focusId !== null && !items.some((i) => i.id === state.focusId)) {
      const next = items[Math.min(Math.max(oldIndex, 0), items.length - 1)];
      state.focusId = next ? next.id : null;
    }
    render();
  }

  async function claim() {
    const res = await api("POST", "/v1/queue/claim", {
      site: state.site,
      limit: state.batch,
      lease_seconds: LEASE_SECONDS,
      order: state.order,
    });
    if (!res.ok || !res.data || !Array.isArray(res.data.items)) {
      if (res.status !== 401) toast(`Could not claim comments: ${problemText(res)}`);
      return;
    }
    const got = new Set(res.data.items.map((i) => i.id));
    // Comments that fell out of the batch (a more suspicious one arrived): hand them back.
    for (const id of state.claimedIds) {
      if (!got.has(id)) release(id);
    }
    state.leases = new Map(res.data.items.map((i) => [i.id, i.lease_until_ms]));
    state.claimedIds = got;
    state.claimedAt = Date.now();
    state.hiddenByOthers = 0;
    state.heldByOthers = 0;
    setItems(res.data.items);
  }

  function queueQuery(limit) {
    const q = new URLSearchParams({
      site: state.site,
      status: state.status,
      order: state.order,
      limit: String(limit),
    });
    if (state.minScore) q.set("min_score", state.minScore);
    if (state.maxScore) q.set("max_score", state.maxScore);
    if (state.minAbuse) q.set("min_abuse", state.minAbuse);
    if (state.email) q.set("author_email", state.email);
    if (state.q) q.set("q", state.q);
    if (state.postId) q.set("post_id", state.postId);
    if (state.authorName) q.set("author_name", state.authorName);
    return `/v1/queue?${q}`;
  }

  async function browse() {
    const res = await api("GET", queueQuery(state.batch));
    if (!res.ok || !res.data || !Array.isArray(res.data.items)) {
      if (res.status !== 401) toast(`Could not load the queue: ${problemText(res)}`);
      return;
    }
    const items = res.data.items;
    const mine = items.filter((i) => !heldByOther(i));
    // An admin sees the comments other moderators hold, to take one over; others do not.
    const shown = state.admin ? items : mine;
    state.hiddenByOthers = items.length - shown.length;
    state.heldByOthers = state.admin ? items.length - mine.length : 0;
    setItems(shown);
  }

  // Only the lease this page was given is released: if the same moderator claimed the
  // comment again meanwhile (a reloaded page, another tab), that claim stays.
  function release(id, extra) {
    const lease = state.leases.get(id);
    const body = typeof lease === "number" ? { lease_until_ms: lease } : {};
    return api("POST", `/v1/comments/${encodeURIComponent(id)}/release`, body, extra);
  }

  async function releaseAll() {
    const ids = [...state.claimedIds];
    state.claimedIds = new Set();
    await Promise.allSettled(ids.map((id) => release(id, { keepalive: true })));
  }

  async function load() {
    if (claimMode()) await claim();
    else {
      if (state.claimedIds.size) await releaseAll();
      await browse();
    }
  }

  // The site's model: which version scores it, and how many decisions it learnt from.
  async function loadModel() {
    const res = await api("GET", `/v1/model?site=${encodeURIComponent(state.site)}`);
    const el = document.getElementById("model-info");
    if (!res.ok || !res.data || !res.data.labels) {
      el.textContent = "";
      return;
    }
    const m = res.data;
    const learnt = (m.labels.ham || 0) + (m.labels.spam || 0);
    const version = String(m.version || "default").slice(0, 12);
    const decisions = `${learnt} decision${learnt === 1 ? "" : "s"}`;
    el.textContent = m.own
      ? `Model ${version} · learnt from ${decisions}`
      : `Default model ${version} · ${decisions} so far`;
    el.title = `The model scoring this site: ${el.textContent}`;
  }

  async function loadStats() {
    loadModel().catch(() => {});
    const res = await api("GET", `/v1/stats?site=${encodeURIComponent(state.site)}`);
    if (!res.ok || !res.data || !res.data.counts) return null;
    for (const s of STATUSES) {
      const n = res.data.counts[s];
      document.querySelector(`[data-count="${s}"]`).textContent =
        typeof n === "number" ? String(n) : "–";
    }
    return res.data.counts;
  }

  // New comments appear without a reload; a claimed batch is renewed before it lapses.
  async function poll() {
    if (state.ended || state.busy > 0 || state.polling) return;
    state.polling = true;
    try {
      await pollOnce();
    } finally {
      state.polling = false;
    }
  }

  async function pollOnce() {
    const counts = await loadStats();
    if (state.busy > 0) return;
    if (!claimMode()) {
      await browse();
      return;
    }
    const pending = counts ? counts.pending : null;
    let reclaim = Date.now() - state.claimedAt > RENEW_AFTER_MS;
    if (!reclaim && pending !== null && pending !== state.lastPendingCount) {
      reclaim = state.items.length < state.batch || state.order !== "oldest";
    }
    if (!reclaim) {
      // A free comment that belongs in our batch (new, released, or its lease lapsed).
      const peek = await api("GET", queueQuery(state.batch));
      if (peek.ok && peek.data && Array.isArray(peek.data.items)) {
        // Also catches our own comments released behind our back (a closing tab's
        // keepalive release that landed after this page claimed them).
        reclaim = peek.data.items.some((i) => !i.claimed_by);
      }
    }
    state.lastPendingCount = pending;
    if (reclaim && state.busy === 0) await claim();
  }

  // -- actions ------------------------------------------------------------------------

  function removeDecided(ids, mine) {
    const gone = new Set(ids);
    for (const id of ids) {
      if (mine) state.decided.add(id);
      state.selected.delete(id);
      state.claimedIds.delete(id);
    }
    setItems(state.items.filter((i) => !gone.has(i.id)));
  }

  // A commenter's text inside a message of ours: between FSI and PDI, so a direction
  // override in it (U+202E) ends there instead of reversing the rest of the message.
  function isolated(text) {
    return `\u2068${text}\u2069`;
  }

  function describe(item) {
    const name = String(item.author_name || "comment");
    return isolated(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  }

  async function decideOne(id, decision) {
    const item = state.items.find((i) => i.id === id);
    if (!item) return;
    if (item.status !== "pending") {
      await overrideOne(item, decision, () => browse());
      return;
    }
    if (heldByOther(item)) {
      toast(`Held by ${item.claimed_by}: take it over first.`);
      return;
    }
    state.busy += 1;
    try {
      const body = { decision };
      const reason = decision === "reject" ? chosenReason(id) : null;
      if (reason) body.reason = reason;
      const res = await api("POST", `/v1/comments/${encodeURIComponent(id)}/decision`, body);
      if (res.ok) {
        state.undoStack.push({ decision, items: [item] });
        removeDecided([id], true);
        toast(`${DECISION_WORD[decision]}: “${describe(item)}”. Press z to undo.`, true);
      } else if (res.status === 409 || res.status === 404) {
        removeDecided([id], false);
        toast(problemText(res));
      } else if (res.status !== 401) {
        toast(`Not saved: ${problemText(res)}`);
      }
    } finally {
      state.busy -= 1;
    }
    loadStats();
  }

  async function decideSelected(decision) {
    const ids = state.items.filter(
      (i) => state.selected.has(i.id) && i.status === "pending" && !heldByOther(i),
    );
    if (ids.length === 0) {
      toast("Select comments first: x selects the current one.");
      return;
    }
    state.busy += 1;
    try {
      // A bulk rejection carries each card's own reason (the picker beside its Reject).
      const res = await api("POST", "/v1/decisions", {
        decisions: ids.map((i) => {
          const one = { id: i.id, decision };
          const reason = decision === "reject" ? chosenReason(i.id) : null;
          if (reason) one.reason = reason;
          return one;
        }),
      });
      if (!res.ok || !res.data || !Array.isArray(res.data.results)) {
        if (res.status !== 401) toast(`Not saved: ${problemText(res)}`);
        return;
      }
      const done = [];
      const dropped = [];
      const problems = [];
      for (const r of res.data.results) {
        if (r.status === 200) done.push(r.id);
        else if (r.status === 409 || r.status === 404) {
          dropped.push(r.id);
          problems.push(r.detail);
        } else problems.push(r.detail || `error ${r.status}`);
      }
      const doneItems = ids.filter((i) => done.includes(i.id));
      if (doneItems.length) state.undoStack.push({ decision, items: doneItems });
      removeDecided(done, true);
      removeDecided(dropped, false);
      let message = `${DECISION_WORD[decision]}: ${done.length} comment${done.length === 1 ? "" : "s"}.`;
      if (problems.length) message += ` ${problems.length} not changed (${problems[0]}).`;
      toast(message + (doneItems.length ? " Press z to undo." : ""), doneItems.length > 0);
    } finally {
      state.busy -= 1;
    }
    loadStats();
  }

  // -- changing a decision, taking a comment over ----------------------------------

  // Ask before a step that changes someone's decision.  An in-page dialog, not
  // window.confirm: it is styled, keyboard-reachable, and says what changes to what.
  // Cancel has the focus, so a stray Enter changes nothing.
  function confirmStep(message, label) {
    const box = $("confirm");
    $("confirm-text").textContent = message;
    $("confirm-ok").textContent = label;
    box.returnValue = "";
    return new Promise((resolve) => {
      box.addEventListener("close", () => resolve(box.returnValue === "ok"), { once: true });
      box.showModal();
      $("confirm-cancel").focus();
    });
  }

  // Change a decided comment's decision ("override": true), once the moderator confirmed.
  // Used by the cards and the author view; `after` reloads whichever listed it.
  async function overrideOne(item, decision, after) {
    const to = DECISION_STATUS[decision];
    if (!to || item.status === to) return;
    const by = item.decided_by ? ` by ${item.decided_by}` : "";
    const asked = `“${describe(item)}” was marked ${item.status}${by}. Change it to ${to}?`;
    if (!(await confirmStep(asked, `Change to ${to}`))) return;
    state.busy += 1;
    try {
      const body = { decision, override: true };
      const reason = decision === "reject" ? chosenReason(item.id) : null;
      if (reason) body.reason = reason;
      const res = await api("POST", `/v1/comments/${encodeURIComponent(item.id)}/decision`, body);
      if (res.ok && res.data) {
        const was = String(res.data.previous_status || item.status);
        const now = String(res.data.status || to);
        // the undo of the replaced decision would now undo this one: forget it
        state.undoStack = state.undoStack
          .map((g) => ({ ...g, items: g.items.filter((i) => i.id !== item.id) }))
          .filter((g) => g.items.length > 0);
        toast(`Changed to ${now} (it was ${was}): “${describe(item)}”.`);
        if (after) await after();
      } else if (res.status !== 401) {
        toast(`Not changed: ${problemText(res)}`);
      }
    } finally {
      state.busy -= 1;
      updateSelection();
    }
    loadStats();
  }

  // An admin takes a comment another moderator holds (their lease ends; the history
  // says so).  The answer, or the problem's text (a non-admin's 403), is returned.
  async function takeOver(item) {
    const res = await api("POST", `/v1/comments/${encodeURIComponent(item.id)}/claim`, {
      take: true,
      lease_seconds: LEASE_SECONDS,
    });
    if (res.ok && res.data && typeof res.data.claimed_by === "string") {
      const from = res.data.taken_from || item.claimed_by || "another moderator";
      toast(`Taken over from ${from}: yours to decide for the next few minutes.`);
      return res.data;
    }
    if (res.status !== 401) toast(`Not taken over: ${problemText(res)}`);
    return null;
  }

  async function takeOverCard(item) {
    state.busy += 1;
    try {
      const got = await takeOver(item);
      if (got === null) {
        await browse();
        return;
      }
      // ours now: released like the page's other claims when the view changes
      state.claimedIds.add(item.id);
      state.leases.set(item.id, got.lease_until_ms);
      setItems(state.items.map((i) => (i.id === item.id ? { ...i, claimed_by: got.claimed_by } : i)));
      setFocus(item.id, true);
    } finally {
      state.busy -= 1;
    }
  }

  async function undoItems(items) {
    const back = [];
    const problems = [];
    for (const item of items) {
      const res = await api("POST", `/v1/comments/${encodeURIComponent(item.id)}/undo`);
      if (res.ok) {
        back.push(item);
        state.decided.delete(item.id);
      }
      else if (res.status !== 401) problems.push(problemText(res));
    }
    return { back, problems };
  }

  async function undoLast() {
    const group = state.undoStack.pop();
    if (!group) {
      toast("Nothing to undo.");
      updateSelection();
      return;
    }
    state.busy += 1;
    try {
      const { back, problems } = await undoItems(group.items);
      if (back.length && claimMode()) {
        // Show them at once, then claim again so that they are held for us.
        const restored = back.map((i) => ({ ...i, status: "pending", claimed_by: state.me }));
        const known = new Set(state.items.map((i) => i.id));
        setItems([...restored.filter((i) => !known.has(i.id)), ...state.items]);
        state.focusId = restored[0].id;
        render();
        setFocus(restored[0].id, $("queue").contains(document.activeElement));
        await claim();
      } else if (back.length) {
        await browse();
      }
      let message = `Undone: ${back.length} back to pending.`;
      if (problems.length) message += ` ${problems[0]}`;
      toast(message);
    } finally {
      state.busy -= 1;
      updateSelection();
    }
    loadStats();
  }

  async function undoComment(item) {
    state.busy += 1;
    try {
      const { back, problems } = await undoItems([item]);
      toast(back.length ? "Undone: back to pending." : problems[0] || "Could not undo.");
      if (back.length) {
        state.undoStack = state.undoStack
          .map((g) => ({ ...g, items: g.items.filter((i) => i.id !== item.id) }))
          .filter((g) => g.items.length > 0);
        await browse();
      }
    } finally {
      state.busy -= 1;
      updateSelection();
    }
    loadStats();
  }

  function undoKey() {
    const item = state.items.find((i) => i.id === state.focusId);
    if (item && item.status !== "pending" && item.decided_by === state.me) undoComment(item);
    else undoLast();
  }

  function toggleSelected(id) {
    if (id === null) return;
    if (state.selected.has(id)) state.selected.delete(id);
    else state.selected.add(id);
    const card = cards.get(id);
    if (card) card.querySelector(".pick").checked = state.selected.has(id);
    updateSelection();
  }

  // -- keyboard -----------------------------------------------------------------------

  function typingIn(target) {
    if (!(target instanceof HTMLElement)) return false;
    if (target.isContentEditable) return true;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
    if (target instanceof HTMLInputElement) {
      return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
    }
    return false;
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    // the author view, the rules and a confirmation have their own buttons; Esc closes them
    if (["author", "rules", "confirm"].some((id) => $(id).open)) return;
    const help = $("help");
    if (help.open) {
      if (event.key === "?") {
        event.preventDefault();
        help.close();
      }
      return;
    }
    if (typingIn(event.target)) return;
    const key = event.key;
    const lower = key.length === 1 ? key.toLowerCase() : key;
    const actions = {
      j: () => moveFocus(1),
      k: () => moveFocus(-1),
      x: () => toggleSelected(state.focusId),
      z: () => undoKey(),
      r: () => openRules(),
      "?": () => openHelp(),
    };
    let run = null;
    if (key === "?") run = actions["?"];
    else if (event.shiftKey && ["a", "s", "d"].includes(lower)) {
      const decision = { a: "approve", s: "spam", d: "reject" }[lower];
      run = () => decideSelected(decision);
    } else if (!event.shiftKey && ["a", "s", "d"].includes(key)) {
      const decision = { a: "approve", s: "spam", d: "reject" }[key];
      run = () => state.focusId !== null && decideOne(state.focusId, decision);
    } else if (!event.shiftKey && Object.hasOwn(actions, key)) run = actions[key];
    if (run) {
      event.preventDefault();
      run();
    }
  }

  // -- the author view ---------------------------------------------------------------

  async function openAuthor(email) {
    const box = $("author");
    // a refresh of the same author keeps the line saying what was just done
    if (!box.open || state.author !== email) $("author-status").textContent = "";
    state.author = email;
    $("author-title").textContent = "Author";
    $("author-summary").replaceChildren(el("span", "", "Loading…"));
    $("author-counts").replaceChildren();
    $("author-comments").replaceChildren();
    if (!box.open) box.showModal();
    const q = new URLSearchParams({ site: state.site, email, limit: "50" });
    const res = await api("GET", `/v1/authors?${q}`);
    if (state.author !== email) return; // another author was opened meanwhile
    if (!res.ok || !res.data || !res.data.counts) {
      $("author-summary").replaceChildren(el("span", "", problemText(res)));
      return;
    }
    const a = res.data;
    const latest = Array.isArray(a.comments) ? a.comments : [];
    const name = latest.length && latest[0].author_name ? latest[0].author_name : a.email;
    $("author-title").replaceChildren(userText("span", "name", name));
    const summary = $("author-summary");
    summary.replaceChildren(userText("span", "email", a.email));
    const first = el("time", "when", ago(a.first_seen));
    first.dateTime = a.first_seen || "";
    first.title = a.first_seen || "";
    const last = el("time", "when", ago(a.last_seen));
    last.dateTime = a.last_seen || "";
    last.title = a.last_seen || "";
    summary.append(" · first seen ", first, ", last seen ", last);
    $("author-counts").replaceChildren(
      ...STATUSES.map((s) => {
        const li = el("li", `status-${s}`, `${s} `);
        li.append(el("b", "", String(Number(a.counts[s]) || 0)));
        return li;
      }),
    );
    $("author-comments").replaceChildren(
      ...latest.map((c) => {
        const li = el("li", "");
        li.append(el("span", `status status-${c.status}`, c.status), " ");
        const when = el("time", "when", ago(c.created_at));
        when.dateTime = c.created_at || "";
        li.append(when);
        if (c.post_url) li.append(" on ", linkOrText(c.post_url, "post"));
        else if (c.post_id) li.append(" on post ", userText("span", "post", c.post_id));
        li.append(userText("span", "content", c.content || ""));
        const buttons = authorCommentButtons(c, email);
        if (buttons.length) {
          const row = el("div", "author-comment-actions");
          row.append(...buttons);
          li.append(row);
        }
        return li;
      }),
    );
    $("author-approve-all").disabled = !(a.counts.pending > 0);
    $("author-spam-all").disabled = latest.every((c) => c.status === "spam");
    box.authorComments = latest;
  }

  // One comment of the author view: change a decided one (asked first), or, for an
  // admin, take over a pending one another moderator holds.
  function authorCommentButtons(c, email) {
    const reopen = () => openAuthor(email);
    if (c.status !== "pending") {
      return ["approve", "spam", "reject"]
        .filter((d) => DECISION_STATUS[d] !== c.status)
        .map((d) => {
          const b = el("button", `${d} override`, `Change to ${DECISION_STATUS[d]}`);
          b.type = "button";
          b.addEventListener("click", () => overrideOne(c, d, reopen));
          return b;
        });
    }
    if (state.admin && heldByOther(c)) {
      const b = el("button", "take", `Take over from ${c.claimed_by}`);
      b.type = "button";
      b.addEventListener("click", async () => {
        if (await takeOver(c)) await reopen();
      });
      return [b];
    }
    return [];
  }

  // Block the open author: their email on the site's block list (POST /v1/rules, admins
  // only); their next comments are spam at once, on every instance.
  async function blockAuthor() {
    const email = state.author;
    if (!email) return;
    const res = await addRule({
      list: "block",
      kind: "email",
      value: email,
      note: "blocked from the moderator page",
    });
    if (res.ok) toast("Blocked: this author's next comments are spam at once.");
    else if (res.status !== 401) toast(`Not blocked: ${problemText(res)}`);
  }

  // Decides the author's listed comments through the bulk decision API: "approve all
  // pending" approves their pending ones, "spam all" marks every other one spam.  A
  // comment already decided answers 409 and is left as it is (each one's "Change to"
  // button overrides it, after asking).

  async function decideAuthor(decision) {
    const box = $("author");
    const email = state.author;
    const listed = Array.isArray(box.authorComments) ? box.authorComments : [];
    const targets = listed.filter((c) =>
      decision === "approve" ? c.status === "pending" : c.status !== "spam",
    );
    if (!email || targets.length === 0) return;
    const res = await api("POST", "/v1/decisions", {
      decisions: targets.map((c) => ({ id: c.id, decision })),
    });
    if (!res.ok || !res.data || !Array.isArray(res.data.results)) {
      if (res.status !== 401) toast(`Not saved: ${problemText(res)}`);
      return;
    }
    const done = res.data.results.filter((r) => r.status === 200).map((r) => r.id);
    const left = res.data.results.length - done.length;
    const doneItems = targets.filter((c) => done.includes(c.id));
    if (doneItems.length) state.undoStack.push({ decision, items: doneItems });
    removeDecided(done, true);
    const n = done.length;
    let message = `${DECISION_WORD[decision]}: ${n} comment${n === 1 ? "" : "s"} by this author.`;
    if (left) message += ` ${left} not changed (already decided).`;
    toast(message, doneItems.length > 0);
    await openAuthor(email);
    loadStats();
  }

  // -- the site's rules (admins) -----------------------------------------------------

  // The one way the page adds a rule: the rules panel and "Block author" both come here.
  function addRule(rule) {
    return api("POST", "/v1/rules", { site: state.site, ...rule });
  }

  const RULE_FIELDS = ["list", "kind", "value", "note"];
  const RULE_PLACEHOLDER = {
    email: "name@example.com",
    email_domain: "spam.example",
    ip: "203.0.113.7 or 203.0.113.0/24",
    link_domain: "bit.ly",
    phrase: "cheap pills",
  };

  function clearRuleErrors() {
    for (const field of RULE_FIELDS) {
      $(`rule-${field}-error`).textContent = "";
      $(`rule-${field}`).removeAttribute("aria-invalid");
    }
    $("rule-form-error").textContent = "";
  }

  // A 422's field errors, each next to its own field; any other problem above the button.
  function showRuleProblem(res) {
    const errors = res.data && Array.isArray(res.data.errors) ? res.data.errors : [];
    const general = [];
    let first = null;
    for (const e of errors) {
      const field = e && typeof e.field === "string" ? e.field : "";
      const message = e && typeof e.message === "string" ? e.message : "is not valid";
      if (RULE_FIELDS.includes(field)) {
        const line = $(`rule-${field}-error`);
        line.textContent = line.textContent ? `${line.textContent} ${message}` : message;
        $(`rule-${field}`).setAttribute("aria-invalid", "true");
        first = first || $(`rule-${field}`);
      } else general.push(field ? `${field}: ${message}` : message);
    }
    if (general.length || errors.length === 0) {
      $("rule-form-error").textContent = [problemText(res), ...general].join(" ");
    }
    if (first) first.focus();
  }

  async function submitRule(event) {
    event.preventDefault();
    clearRuleErrors();
    const rule = {
      list: $("rule-list").value,
      kind: $("rule-kind").value,
      value: $("rule-value").value,
    };
    const note = $("rule-note").value.trim();
    if (note) rule.note = note;
    const button = $("rule-add");
    button.disabled = true;
    try {
      const res = await addRule(rule);
      if (res.ok && res.data) {
        const r = res.data;
        const what = `${r.list} ${r.kind} “${isolated(r.value)}”`;
        $("rules-status").textContent =
          res.status === 201 ? `Added: ${what}, in force for the next comment.` : `Already listed: ${what}.`;
        $("rule-value").value = "";
        $("rule-note").value = "";
        await loadRules();
        $("rule-value").focus();
      } else if (res.status !== 401) showRuleProblem(res);
    } finally {
      button.disabled = false;
    }
  }

  function ruleLine(rule) {
    const li = el("li", `rule rule-${rule.list}`);
    li.append(el("span", `rule-list list-${rule.list}`, rule.list), " ");
    li.append(el("span", "rule-kind", String(rule.kind).replace("_", " ")), " ");
    li.append(userText("span", "rule-value", rule.value));
    if (rule.note) li.append(userText("span", "rule-note", rule.note));
    const by = el("span", "rule-by", `by ${rule.created_by}`);
    if (rule.created_at) {
      const when = el("time", "when", ago(rule.created_at));
      when.dateTime = rule.created_at;
      when.title = rule.created_at;
      by.append(", ", when);
    }
    li.append(by);
    if (typeof rule.id === "string") {
      const remove = el("button", "rule-remove", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", `Remove the ${rule.list} rule ${rule.kind} ${rule.value}`);
      remove.addEventListener("click", () => removeRule(rule, li));
      li.append(remove);
    } else {
      li.append(el("span", "rule-config", "config file"));
    }
    return li;
  }

  async function loadRules() {
    const site = state.site;
    const list = $("rules-list");
    const res = await api("GET", `/v1/rules?site=${encodeURIComponent(site)}`);
    if (site !== state.site) return;
    if (!res.ok || !res.data || !Array.isArray(res.data.rules)) {
      const why = res.status === 403 ? "Rules are for admin moderators only." : problemText(res);
      list.replaceChildren(el("li", "rules-problem", why));
      return;
    }
    const rules = res.data.rules;
    list.replaceChildren(
      ...(rules.length ? rules.map(ruleLine) : [el("li", "rules-none", "No rules yet.")]),
    );
    if ($("rules-audit-box").open) await loadAudit();
  }

  async function removeRule(rule, li) {
    const site = state.site;
    const path = `/v1/rules/${encodeURIComponent(rule.id)}?site=${encodeURIComponent(site)}`;
    const res = await api("DELETE", path);
    if (res.status === 401) return;
    const what = `${rule.list} ${rule.kind} “${isolated(rule.value)}”`;
    $("rules-status").textContent = res.ok
      ? `Removed: ${what}; out of force for the next comment.`
      : `Not removed: ${problemText(res)}`;
    // the focus goes to the next rule's button (or the form), not to the page's top
    const removable = () => Array.from($("rules-list").querySelectorAll(".rule-remove"));
    const index = removable().indexOf(li.querySelector(".rule-remove"));
    await loadRules();
    const left = removable();
    (left[Math.min(Math.max(index, 0), left.length - 1)] || $("rule-value")).focus();
  }

  async function loadAudit() {
    const site = state.site;
    const q = new URLSearchParams({ site, limit: "50" });
    const res = await api("GET", `/v1/rules/audit?${q}`);
    if (site !== state.site) return;
    const list = $("rules-audit");
    if (!res.ok || !res.data || !Array.isArray(res.data.changes)) {
      list.replaceChildren(el("li", "", problemText(res)));
      return;
    }
    list.replaceChildren(
      ...res.data.changes.map((c) => {
        const li = el("li", `change change-${c.action}`);
        const when = el("time", "when", ago(c.at));
        when.dateTime = c.at || "";
        when.title = c.at || "";
        li.append(el("span", "change-action", `${c.action} by ${c.by}`), " ", when, ": ");
        const r = c.rule || {};
        li.append(`${r.list} ${String(r.kind).replace("_", " ")} `);
        li.append(userText("span", "rule-value", r.value));
        if (r.note) li.append(" ", userText("span", "rule-note", r.note));
        return li;
      }),
    );
    if (res.data.changes.length === 0) list.replaceChildren(el("li", "", "No changes yet."));
  }

  function openRules() {
    if (!state.admin || !state.site) return;
    const box = $("rules");
    $("rules-title").textContent = `Rules of ${state.site}`;
    $("rules-status").textContent = "";
    clearRuleErrors();
    $("rules-list").replaceChildren(el("li", "", "Loading…"));
    if (!box.open) box.showModal();
    loadRules();
  }

  function openHelp() {
    const help = $("help");
    if (!help.open) help.showModal();
  }

  // -- controls -----------------------------------------------------------------------

  function remember() {
    try {
      localStorage.setItem(
        "moderation.prefs",
        JSON.stringify({ site: state.site, order: state.order, batch: state.batch }),
      );
    } catch (_) {
      /* private mode: preferences are not kept */
    }
  }

  function recall() {
    try {
      const prefs = JSON.parse(localStorage.getItem("moderation.prefs") || "{}");
      if (typeof prefs.site === "string" && state.sites.includes(prefs.site)) state.site = prefs.site;
      if (["score", "abuse", "oldest", "newest"].includes(prefs.order)) state.order = prefs.order;
      if ([5, 10, 20, 50].includes(prefs.batch)) state.batch = prefs.batch;
    } catch (_) {
      /* ignore unreadable preferences */
    }
  }

  function readControls() {
    state.site = $("site").value || state.site;
    state.order = $("order").value;
    state.status = $("status").value;
    state.minScore = $("min-score").value.trim();
    state.maxScore = $("max-score").value.trim();
    state.minAbuse = $("min-abuse").value.trim();
    state.email = $("author-email").value.trim().toLowerCase();
    state.q = $("search-q").value.trim();
    state.postId = $("post-id").value.trim();
    state.authorName = $("author-name").value.trim();
    state.batch = Number($("batch").value) || 20;
  }

  function writeControls() {
    $("site").value = state.site;
    $("order").value = state.order;
    $("status").value = state.status;
    $("batch").value = String(state.batch);
    for (const b of document.querySelectorAll("[data-status]")) {
      b.setAttribute("aria-pressed", String(b.dataset.status === state.status));
    }
  }

  async function applyControls() {
    const oldSite = state.site;
    hideToast();
    readControls();
    if (oldSite !== state.site && state.claimedIds.size) {
      const site = state.site;
      state.site = oldSite;
      await releaseAll();
      state.site = site;
    }
    state.selected.clear();
    state.undoStack = state.site === oldSite ? state.undoStack : [];
    writeControls();
    remember();
    state.busy += 1;
    try {
      await load();
      await loadStats();
    } finally {
      state.busy -= 1;
    }
  }

  function wire() {
    document.addEventListener("keydown", onKey);
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      applyControls();
    });
    for (const id of ["site", "order", "status", "batch"]) {
      $(id).addEventListener("change", () => applyControls());
    }
    $("clear-filters").addEventListener("click", () => {
      $("min-score").value = "";
      $("max-score").value = "";
      $("min-abuse").value = "";
      $("author-email").value = "";
      $("search-q").value = "";
      $("post-id").value = "";
      $("author-name").value = "";
      $("status").value = "pending";
      applyControls();
    });
    for (const b of document.querySelectorAll("[data-status]")) {
      b.addEventListener("click", () => {
        $("status").value = b.dataset.status;
        applyControls();
      });
    }
    for (const b of document.querySelectorAll("[data-bulk]")) {
      b.addEventListener("click", () => decideSelected(b.dataset.bulk));
    }
    $("select-all").addEventListener("click", () => {
      for (const i of state.items) state.selected.add(i.id);
      render();
    });
    $("select-none").addEventListener("click", () => {
      state.selected.clear();
      render();
    });
    $("undo-last").addEventListener("click", () => undoLast());
    $("help-open").addEventListener("click", () => openHelp());
    $("author-approve-all").addEventListener("click", () => decideAuthor("approve"));
    $("author-spam-all").addEventListener("click", () => decideAuthor("spam"));
    $("author-block").addEventListener("click", () => blockAuthor());
    $("rules-open").addEventListener("click", () => openRules());
    $("rule-form").addEventListener("submit", (event) => submitRule(event));
    $("rule-kind").addEventListener("change", () => {
      $("rule-value").placeholder = RULE_PLACEHOLDER[$("rule-kind").value] || "";
    });
    $("rules-audit-box").addEventListener("toggle", () => {
      if ($("rules-audit-box").open) loadAudit();
    });
    $("author").addEventListener("close", () => {
      state.author = null;
    });
    $("logout-form").addEventListener("submit", (event) => {
      if (state.claimedIds.size === 0) return;
      event.preventDefault();
      const form = event.currentTarget;
      const timeout = new Promise((resolve) => window.setTimeout(resolve, 1500));
      Promise.race([releaseAll(), timeout]).finally(() => form.submit());
    });
    window.addEventListener("pagehide", () => {
      if (state.claimedIds.size) releaseAll();
    });
  }

  async function start() {
    wire();
    const res = await api("GET", "/moderate/session");
    if (!res.ok || !res.data) return;
    state.me = res.data.moderator;
    state.admin = res.data.admin === true;
    $("rules-open").hidden = !state.admin;
    state.csrf = res.data.csrf_token;
    state.sites = Array.isArray(res.data.sites) ? res.data.sites : [];
    $("logout-csrf").value = state.csrf;
    $("who").textContent = state.me;
    const picker = $("site");
    picker.replaceChildren(...state.sites.map((s) => el("option", "", s)));
    picker.disabled = state.sites.length < 2;
    if (state.sites.length === 0) {
      $("mode").textContent = "You do not moderate any site yet.";
      return;
    }
    state.site = state.sites[0];
    recall();
    const params = new URLSearchParams(window.location.search);
    if (state.sites.includes(params.get("site"))) state.site = params.get("site");
    const batch = Number(params.get("batch"));
    if ([1, 2, 3, 4, 5, 10, 20, 50].includes(batch)) {
      if (!Array.from($("batch").options).some((o) => o.value === String(batch))) {
        $("batch").prepend(el("option", "", String(batch)));
      }
      state.batch = batch;
    }
    writeControls();
    if (window.matchMedia("(max-width: 40rem)").matches) $("filter-box").open = false;
    document.body.classList.add("ready");
    await load();
    await loadStats();
    window.setInterval(() => {
      poll().catch(() => toast("Lost contact with the server; retrying…"));
    }, POLL_MS);
  }

  start().catch(() => toast("The page could not start; reload to try again."));
})();
