// helpline agent console: plain JavaScript over the agent API (docs/agent-api.md).
// Everything a customer wrote is inserted as text (textContent), never as HTML.
"use strict";

(() => {
  const POLL_MS = 2000;
  const TOKEN_KEY = "helpline.agent-token";
  const STATE_LABELS = { waiting: "Waiting", human: "With agent", bot: "With bot", resolved: "Resolved" };
  const CHANNEL_LABELS = { web: "Web chat", rest: "REST", telegram: "Telegram", whatsapp: "WhatsApp" };
  const GROUPS = [
    { state: "waiting", title: "Waiting for a person" },
    { state: "human", title: "With agents" },
    { state: "bot", title: "With the bot" },
  ];

  const $ = (id) => document.getElementById(id);
  const session = {
    token: sessionStorage.getItem(TOKEN_KEY),
    me: null,
    view: "open",
    openId: null,
    conversation: null,
    renderedIds: new Set(),
    timer: null,
    busy: false,
  };

  // -- API -----------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${session.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(`/api${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (err) {
      throw new ApiError(0, "The server cannot be reached.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      const message = (data && data.error) || `${response.status} ${response.statusText}`;
      if (response.status === 401 && session.me) signOut("Your session ended: sign in again.");
      throw new ApiError(response.status, message);
    }
    return data;
  }

  // -- formatting ------------------------------------------------------------------------
  function waited(seconds) {
    if (seconds == null) return "";
    if (seconds < 60) return "< 1 min";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
    return `${Math.floor(hours / 24)} d ${hours % 24} h`;
  }

  function ago(iso) {
    if (!iso) return "";
    const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (seconds < 60) return "just now";
    return `${waited(seconds)} ago`;
  }

  function clock(iso) {
    const d = new Date(iso);
    const sameDay = d.toDateString() === new Date().toDateString();
    const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return sameDay ? time : `${d.toLocaleDateString([], { day: "numeric", month: "short" })}, ${time}`;
  }

  function day(iso) {
    return iso ? new Date(iso).toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" }) : "";
  }

  const customerName = (c) => (c.customer && c.customer.name) || "Guest";
  const channelLabel = (channel) => CHANNEL_LABELS[channel] || channel;
  // A conversation with no department is in the default department's queue.
  const departmentName = (id) => {
    const department = id || (session.me && session.me.default_department);
    return (department && session.me && session.me.department_names[department]) || department || "No department";
  };

  function initials(name) {
    const parts = name.trim().split(/\s+/).filter(Boolean);
    const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
    return letters.toUpperCase();
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  // Text with its web links made clickable; everything stays text nodes or <a>.
  function linkified(text) {
    const fragment = document.createDocumentFragment();
    const pattern = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      fragment.append(text.slice(last, match.index));
      fragment.append(el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer", text: match[0] }));
      last = match.index + match[0].length;
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  // -- sign-in ---------------------------------------------------------------------------
  async function signIn(token) {
    session.token = token;
    session.me = await api("GET", "/me");
    sessionStorage.setItem(TOKEN_KEY, token);
    showApp();
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(session.timer);
    Object.assign(session, { token: null, me: null, openId: null, conversation: null });
    session.renderedIds.clear();
    history.replaceState(null, "", location.pathname);
    $("app").hidden = true;
    $("signin").hidden = false;
    $("token").value = "";
    showSigninError(message);
    $("token").focus();
  }

  function showSigninError(message) {
    $("signin-error").textContent = message || "";
    $("signin-error").hidden = !message;
  }

  function showApp() {
    $("signin").hidden = true;
    $("app").hidden = false;
    $("me-name").textContent = session.me.name;
    $("me-departments").textContent = session.me.admin
      ? "All departments"
      : session.me.departments.map(departmentName).join(" · ");
    const fromHash = location.hash.match(/^#\/c\/(.+)$/);
    if (fromHash) openConversation(decodeURIComponent(fromHash[1]));
    poll();
  }

  // -- polling ---------------------------------------------------------------------------
  async function poll() {
    clearTimeout(session.timer);
    try {
      await Promise.all([refreshQueue(), session.openId ? refreshConversation() : null]);
      setConnected(true);
    } catch (err) {
      if (err.status === 401) return;
      setConnected(err.status !== 0);
    }
    if (session.token) session.timer = setTimeout(poll, POLL_MS);
  }

  function setConnected(ok) {
    const badge = $("connection");
    badge.classList.toggle("offline", !ok);
    badge.title = ok ? "Live: updates every 2 seconds" : "Offline: retrying…";
    badge.textContent = ok ? "Live" : "Offline";
  }

  // -- queue -----------------------------------------------------------------------------
  async function refreshQueue() {
    const state = session.view === "open" ? "waiting,human,bot" : "resolved";
    const { conversations } = await api("GET", `/conversations?state=${state}`);
    renderQueue(conversations);
  }

  function renderQueue(conversations) {
    const list = $("queue-list");
    const open = session.view === "open";
    if (open) {
      const waiting = conversations.filter((c) => c.state === "waiting").length;
      $("count-open").textContent = waiting;
      $("count-open").hidden = !waiting;
    }
    const groups = open
      ? GROUPS.map((g) => ({ ...g, items: conversations.filter((c) => c.state === g.state) }))
      : [{ state: "resolved", title: "Resolved", items: conversations }];
    const nodes = [];
    for (const group of groups) {
      if (!group.items.length && group.state !== "waiting") continue;
      nodes.push(el("h3", { className: "group-title" }, group.title, el("span", { className: "count", text: group.items.length })));
      if (!group.items.length) {
        nodes.push(el("p", { className: "queue-empty", text: "Nobody is waiting. New handoffs appear here." }));
      }
      for (const c of group.items) nodes.push(queueItem(c));
    }
    if (!open && !conversations.length) nodes.push(el("p", { className: "queue-empty", text: "No resolved conversations yet." }));
    list.replaceChildren(...nodes);
  }

  function queueItem(c) {
    const name = customerName(c);
    const mine = c.assigned_agent && c.assigned_agent === session.me.name;
    let time = "";
    if (c.state === "waiting") time = waited(c.waiting_seconds);
    else if (c.state === "human") time = mine ? "You" : c.assigned_agent || "";
    else time = ago(c.updated_at);
    return el(
      "button",
      {
        type: "button",
        className: `queue-item state-${c.state}${c.id === session.openId ? " active" : ""}`,
        dataset: { id: c.id, state: c.state },
        "aria-current": c.id === session.openId ? "true" : null,
        onclick: () => openConversation(c.id),
      },
      el("span", { className: "avatar small", text: initials(name), "aria-hidden": "true" }),
      el(
        "span",
        { className: "queue-main" },
        el("span", { className: "queue-name", dir: "auto", text: name }),
        el("span", { className: "queue-sub", text: `${channelLabel(c.channel)} · ${departmentName(c.department)}` }),
      ),
      el("span", { className: `queue-time${c.state === "waiting" ? " waiting" : ""}`, text: time, title: c.waiting_since ? `Waiting since ${clock(c.waiting_since)}` : null }),
    );
  }

  // -- one conversation --------------------------------------------------------------------
  async function openConversation(id) {
    if (session.openId !== id) {
      session.openId = id;
      session.conversation = null;
      session.renderedIds.clear();
      $("transcript").replaceChildren();
      $("reply-text").value = "";
      hideActionError();
    }
    history.replaceState(null, "", `#/c/${encodeURIComponent(id)}`);
    for (const item of document.querySelectorAll(".queue-item")) {
      item.classList.toggle("active", item.dataset.id === id);
    }
    $("empty").hidden = true;
    $("detail").hidden = false;
    try {
      await Promise.all([refreshConversation(), refreshCard()]);
    } catch (err) {
      if (err.status === 404) closeConversation("That conversation is not in your departments, or no longer exists.");
    }
  }

  function closeConversation(message) {
    session.openId = null;
    session.conversation = null;
    history.replaceState(null, "", location.pathname);
    $("detail").hidden = true;
    $("card").hidden = true;
    $("empty").hidden = false;
    if (message) $("empty").querySelector(".muted").textContent = message;
  }

  async function refreshConversation() {
    const id = session.openId;
    const conversation = await api("GET", `/conversations/${encodeURIComponent(id)}`);
    if (id !== session.openId) return;
    const previous = session.conversation;
    session.conversation = conversation;
    renderHeader(conversation);
    renderMessages(conversation.messages);
    if (previous && previous.state !== conversation.state) refreshCard().catch(() => {});
  }

  function renderHeader(c) {
    const name = customerName(c);
    $("avatar").textContent = initials(name);
    $("customer-name").textContent = name;
    const parts = [channelLabel(c.channel), c.channel_user_id, departmentName(c.department)];
    if (c.language) parts.push(c.language.toUpperCase());
    $("conversation-meta").textContent = parts.join(" · ");
    const state = $("state");
    state.className = `state state-${c.state}`;
    let label = STATE_LABELS[c.state] || c.state;
    if (c.state === "waiting") label += ` · ${waited(c.waiting_seconds)}`;
    if (c.state === "human" && c.assigned_agent) label = c.assigned_agent === session.me.name ? "With you" : `With ${c.assigned_agent}`;
    state.textContent = label;

    const mine = c.state === "human" && c.assigned_agent === session.me.name;
    const claim = $("claim");
    claim.hidden = mine || c.state === "resolved";
    claim.textContent = c.state === "human" ? "Take over" : "Claim";
    $("release").hidden = !(c.state === "waiting" || c.state === "human");
    $("resolve").hidden = c.state === "resolved";

    const resolved = c.state === "resolved";
    $("reply-text").disabled = resolved || session.busy;
    $("send").disabled = resolved || session.busy;
    $("reply-text").placeholder = resolved ? "This conversation is resolved." : `Reply to ${name}…`;
    let hint = "Enter sends · Shift+Enter for a new line";
    if (resolved) hint = "Resolved: the customer's next message starts a new conversation.";
    else if (!mine) hint = "Replying assigns the conversation to you and pauses the bot.";
    $("reply-hint").textContent = hint;
  }

  function renderMessages(messages) {
    const list = $("transcript");
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    let added = false;
    for (const m of messages) {
      if (session.renderedIds.has(m.id)) continue;
      session.renderedIds.add(m.id);
      list.append(messageItem(m));
      added = true;
    }
    if (added && (nearBottom || list.dataset.scrolled !== "1")) {
      list.scrollTop = list.scrollHeight;
      list.dataset.scrolled = "1";
    }
  }

  function messageItem(m) {
    const who = m.from === "customer" ? customerName(session.conversation) : m.from === "agent" ? m.agent || "Agent" : "Bot";
    const notes = [];
    if (m.from === "bot" && m.entry_id) notes.push(`FAQ · ${m.entry_id}`);
    if (m.kind === "handoff") notes.push("Handoff");
    return el(
      "li",
      { className: `message from-${m.from} kind-${m.kind}`, dataset: { id: m.id } },
      el(
        "div",
        { className: "bubble", dir: "auto" },
        linkified(m.text),
        m.buttons && m.buttons.length
          ? el("div", { className: "choices" }, ...m.buttons.map((b) => el("span", { className: "choice", dir: "auto", text: b.title })))
          : null,
      ),
      el(
        "div",
        { className: "message-meta" },
        el("span", { className: "message-who", dir: "auto", text: who }),
        el("time", { datetime: m.at, text: clock(m.at) }),
        ...notes.map((n) => el("span", { className: "note", text: n })),
      ),
    );
  }

  async function refreshCard() {
    const id = session.openId;
    const card = await api("GET", `/conversations/${encodeURIComponent(id)}/customer`);
    if (id !== session.openId) return;
    $("card").hidden = false;
    $("card-name").textContent = card.name || "Guest";
    $("card-since").textContent = day(card.since);
    $("card-language").textContent = card.language ? card.language.toUpperCase() : "Unknown";
    $("card-channels").replaceChildren(
      ...card.channels.map((h) =>
        el("li", {}, el("span", { className: `channel channel-${h.channel}`, text: channelLabel(h.channel) }), el("span", { className: "handle", text: h.channel_user_id })),
      ),
    );
    $("card-conversations").replaceChildren(
      ...card.conversations.map((c) => {
        const current = c.id === id;
        return el(
          "li",
          {},
          el(
            "button",
            { type: "button", className: `history-item${current ? " current" : ""}`, disabled: current, onclick: () => openConversation(c.id) },
            el("span", { text: `${day(c.created_at)} · ${channelLabel(c.channel)}` }),
            el("span", { className: `pill state-${c.state}`, text: current ? "This one" : STATE_LABELS[c.state] || c.state }),
          ),
        );
      }),
    );
    const other = $("card-other");
    other.hidden = !card.other_conversations;
    other.textContent = `${card.other_conversations} more in other departments.`;
  }

  // -- actions ---------------------------------------------------------------------------
  async function act(path, body) {
    if (!session.openId || session.busy) return;
    session.busy = true;
    hideActionError();
    document.querySelectorAll(".actions .button, #send").forEach((b) => (b.disabled = true));
    try {
      const result = await api("POST", `/conversations/${encodeURIComponent(session.openId)}${path}`, body);
      await Promise.all([refreshConversation(), refreshQueue(), refreshCard()]);
      return result;
    } catch (err) {
      showActionError(err.message);
      throw err;
    } finally {
      session.busy = false;
      document.querySelectorAll(".actions .button").forEach((b) => (b.disabled = false));
      if (session.conversation) renderHeader(session.conversation);
    }
  }

  function showActionError(message) {
    $("action-error").textContent = message;
    $("action-error").hidden = false;
  }

  function hideActionError() {
    $("action-error").hidden = true;
  }

  async function sendReply() {
    const box = $("reply-text");
    const text = box.value.trim();
    if (!text) return;
    try {
      await act("/messages", { text });
      box.value = "";
      box.focus();
    } catch (err) {
      /* shown in the banner; the text stays in the box */
    }
  }

  // -- wiring ----------------------------------------------------------------------------
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    const button = $("signin-button");
    button.disabled = true;
    showSigninError("");
    try {
      await signIn(token);
    } catch (err) {
      session.token = null;
      showSigninError(err.status === 401 ? "That token was not accepted. Check it and try again." : err.message);
    } finally {
      button.disabled = false;
    }
  });

  $("signout").addEventListener("click", () => signOut(""));
  $("claim").addEventListener("click", () => act("/claim").catch(() => {}));
  $("release").addEventListener("click", () => act("/release").catch(() => {}));
  $("resolve").addEventListener("click", () => act("/resolve").catch(() => {}));
  $("reply-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
  });
  $("reply-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  });
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => {
      session.view = tab.dataset.view;
      for (const t of document.querySelectorAll(".tab")) t.setAttribute("aria-selected", String(t === tab));
      $("queue-list").replaceChildren();
      poll();
    });
  }

  if (session.token) {
    signIn(session.token).catch(() => signOut(""));
  } else {
    $("signin").hidden = false;
    $("token").focus();
  }
})();
