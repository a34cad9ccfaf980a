/* helpline web chat widget — one <script> tag on any site:
 *   <script src="https://support.example.com/widget.js" data-name="Sara" defer></script>
 * Talks to /chat/ws on the server that served this file (DESIGN.md, web chat contract).
 * No build step: plain ES2017, no dependencies. */
(function () {
  "use strict";
  if (window.__helplineWidget) return;
  window.__helplineWidget = true;

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var origin = new URL(script.src, location.href).origin;
  var customerName = (script.dataset && script.dataset.name) || (window.HelplineChat && window.HelplineChat.name) || null;
  var storageKey = "helpline-session:" + origin;
  var wsUrl = origin.replace(/^http/, "ws") + "/chat/ws";

  var css = [
    ".hl-launch{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;cursor:pointer;",
    "box-shadow:0 6px 20px rgba(0,0,0,.2);color:#fff;font:600 24px/56px system-ui,sans-serif;z-index:2147483000}",
    ".hl-panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 120px);",
    "background:#fff;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.22);display:none;flex-direction:column;overflow:hidden;",
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Tahoma,sans-serif;color:#1f2933;z-index:2147483000}",
    ".hl-panel.hl-open{display:flex}",
    ".hl-head{color:#fff;padding:14px 16px;display:flex;align-items:center;gap:10px}",
    ".hl-head b{font-size:15px}.hl-head small{display:block;opacity:.85;font-size:12px}",
    ".hl-dot{width:9px;height:9px;border-radius:50%;background:#9ae6b4;flex:none}.hl-off .hl-dot{background:#f6ad55}",
    ".hl-log{flex:1;overflow-y:auto;padding:14px;background:#f5f7fa;display:flex;flex-direction:column;gap:8px}",
    ".hl-msg{max-width:82%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;unicode-bidi:plaintext}",
    ".hl-customer{align-self:flex-end;color:#fff;border-bottom-right-radius:4px}",
    ".hl-bot,.hl-agent{align-self:flex-start;background:#fff;border:1px solid #e4e7eb;border-bottom-left-radius:4px}",
    ".hl-agent{border-color:#c3dafe;background:#ebf4ff}",
    ".hl-who{font-size:11px;color:#7b8794;margin:0 4px;align-self:flex-start}",
    ".hl-buttons{display:flex;flex-wrap:wrap;gap:6px;align-self:flex-start;max-width:90%}",
    ".hl-buttons button{border:1px solid;background:#fff;border-radius:16px;padding:5px 12px;cursor:pointer;font:inherit;font-size:13px;unicode-bidi:plaintext}",
    ".hl-buttons button:disabled{opacity:.5;cursor:default}",
    ".hl-typing{align-self:flex-start;color:#7b8794;font-size:12px;padding:2px 6px;display:none}.hl-typing.hl-on{display:block}",
    ".hl-form{display:flex;border-top:1px solid #e4e7eb;background:#fff}",
    ".hl-form textarea{flex:1;border:0;resize:none;padding:12px;font:inherit;outline:none;height:46px}",
    ".hl-form button{border:0;background:none;padding:0 16px;font:600 14px system-ui,sans-serif;cursor:pointer}"
  ].join("");

  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  var launch = el("button", "hl-launch");
  launch.innerHTML = '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
    'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" style="vertical-align:middle">' +
    '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';
  launch.setAttribute("aria-label", "Chat with us");
  var panel = el("div", "hl-panel hl-off");
  panel.setAttribute("role", "dialog");
  var head = el("div", "hl-head");
  var dot = el("span", "hl-dot");
  var title = el("div");
  var botName = el("b", null, "Support");
  var status = el("small", null, "connecting…");
  title.append(botName, status);
  head.append(dot, title);
  var log = el("div", "hl-log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "hl-typing", "…");
  var form = el("form", "hl-form");
  var input = el("textarea");
  input.setAttribute("dir", "auto");
  input.setAttribute("placeholder", "Type your question…");
  input.setAttribute("aria-label", "Message");
  var send = el("button", null, "Send");
  send.type = "submit";
  form.append(input, send);
  panel.append(head, log, form);
  document.body.append(panel, launch);

  var colour = "#0f766e";
  fetch(origin + "/widget/config.json").then(function (r) { return r.json(); }).then(function (cfg) {
    colour = cfg.colour || colour;
    botName.textContent = cfg.bot_name || "Support";
    paint();
  }).catch(paint);

  function paint() {
    launch.style.background = colour;
    head.style.background = colour;
    send.style.color = colour;
    Array.prototype.forEach.call(log.querySelectorAll(".hl-customer"), function (n) { n.style.background = colour; });
    Array.prototype.forEach.call(log.querySelectorAll(".hl-buttons button"), function (n) { n.style.borderColor = colour; n.style.color = colour; });
  }

  launch.addEventListener("click", function () {
    panel.classList.toggle("hl-open");
    if (panel.classList.contains("hl-open")) input.focus();
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
  });

  var ws = null, retry = 0, queue = [];

  function connect() {
    var session = localStorage.getItem(storageKey);
    ws = new WebSocket(wsUrl + (session ? "?session=" + encodeURIComponent(session) : ""));
    ws.onopen = function () { retry = 0; };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (err) { return; }
      if (frame.type === "hello") {
        localStorage.setItem(storageKey, frame.session);
        status.textContent = "online";
        panel.classList.remove("hl-off");
        while (queue.length) ws.send(queue.shift());
      } else if (frame.type === "history") {
        log.textContent = "";
        log.appendChild(typing);
        frame.messages.forEach(function (m) { show(m.from, m.text, m.buttons, true); });
      } else if (frame.type === "typing") {
        typing.classList.add("hl-on");
        scroll();
      } else if (frame.type === "message") {
        typing.classList.remove("hl-on");
        show(frame.from, frame.text, frame.buttons, false);
      }
    };
    ws.onclose = function () {
      status.textContent = "reconnecting…";
      panel.classList.add("hl-off");
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry - 1));
    };
  }

  function submit() {
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    show("customer", text, [], false);
    transmit({ type: "message", text: text, name: customerName || undefined });
  }

  function transmit(frame) {
    var data = JSON.stringify(frame);
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(data); else queue.push(data);
  }

  function show(from, text, buttons, old) {
    if (from !== "customer" && from !== "agent") from = "bot";
    if (from === "agent") log.insertBefore(el("div", "hl-who", "Agent"), typing);
    var bubble = el("div", "hl-msg hl-" + from, text);
    bubble.setAttribute("dir", "auto");
    log.insertBefore(bubble, typing);
    if (buttons && buttons.length) {
      var row = el("div", "hl-buttons");
      buttons.forEach(function (b) {
        var button = el("button", null, b.title);
        button.type = "button";
        button.setAttribute("dir", "auto");
        button.disabled = old;
        button.addEventListener("click", function () {
          Array.prototype.forEach.call(row.children, function (n) { n.disabled = true; });
          show("customer", b.title, [], false);
          transmit({ type: "button", payload: b.payload });
        });
        row.appendChild(button);
      });
      log.insertBefore(row, typing);
    }
    paint();
    scroll();
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  log.appendChild(typing);
  connect();
})();
