/* Casebook chat widget: <script src="…/widget.js" data-casebook-url="…" defer></script> adds an
   "Ask the case studies" button and panel. Plain JS, no dependencies, no third-party requests.
   All text from the service or the user is set as text, never parsed as HTML. */
(function () {
  "use strict";
  if (document.querySelector(".casebook-root")) return; // the tag was included twice

  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var scriptUrl = new URL(script ? script.src : "/widget.js", location.href);
  var base = ((script && script.getAttribute("data-casebook-url")) || scriptUrl.origin)
    .replace(/\/+$/, "");
  var TITLE = (script && script.getAttribute("data-casebook-title")) || "Ask the case studies";
  var STARTERS = [
    "How did others reach Muslim communities about vaccines?",
    "How can link workers support people with long term conditions?",
    "What helps young people's mental health?",
    "How did social prescribing carry on through the pandemic?"
  ];
  var MAX_CHARS = 2000;
  var KEEP_MESSAGES = 10;
  var MAX_CASES = 50; // the API's limit on a message's case_studies
  var history = [];   // answered turns only: [{role, content, case_studies}]
  var pending = null; // AbortController of the request in flight
  var turn = 0;
  var anchor = null;  // the latest question's bubble

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function attrs(node, values) {
    for (var key in values) node.setAttribute(key, values[key]);
  }

  function icon(path) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    attrs(svg, { viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" });
    var p = document.createElementNS("http://www.w3.org/2000/svg", "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    return svg;
  }

  // -- the DOM --
  var root = el("div", "casebook-root");
  root.hidden = true; // shown once styled, so it never flashes unstyled

  var launcher = el("button", "casebook-launcher");
  launcher.type = "button";
  attrs(launcher, { "aria-expanded": "false", "aria-controls": "casebook-panel",
    "aria-haspopup": "dialog" });
  launcher.appendChild(icon("M4 4h16v11H8l-4 4V4zm4 5h8M8 12h5"));
  launcher.appendChild(el("span", "casebook-launcher-label", TITLE));

  var panel = el("section", "casebook-panel");
  panel.id = "casebook-panel";
  panel.hidden = true;
  attrs(panel, { role: "dialog", "aria-labelledby": "casebook-title",
    "aria-describedby": "casebook-intro" });

  var header = el("div", "casebook-header");
  var title = el("h2", "casebook-title", TITLE);
  title.id = "casebook-title";
  var reset = el("button", "casebook-reset", "Start over");
  reset.type = "button";
  var close = el("button", "casebook-close");
  attrs(close, { type: "button", "aria-label": "Close" });
  close.appendChild(icon("M6 6l12 12M18 6L6 18"));
  header.append(title, reset, close);

  var intro = el("p", "casebook-intro",
    "Answers quote London's social prescribing case studies and link to each one.");
  intro.id = "casebook-intro";

  // Not live: streamed text would be read word by word; the status region below announces
  // each answer once, complete.
  var log = el("div", "casebook-log");
  attrs(log, { role: "log", "aria-live": "off", "aria-label": "Conversation" });
  log.tabIndex = 0;

  var starters = el("div", "casebook-starters");
  var startersLabel = el("p", "casebook-starters-label", "Try asking:");
  startersLabel.id = "casebook-starters-label";
  var starterList = el("ul", "casebook-starter-list");
  starterList.setAttribute("aria-labelledby", "casebook-starters-label");
  STARTERS.forEach(function (question) {
    var item = el("li");
    var button = el("button", "casebook-starter", question);
    button.type = "button";
    button.addEventListener("click", function () {
      ask(question);
      input.focus(); // the starters leave: keep focus somewhere useful
    });
    item.appendChild(button);
    starterList.appendChild(item);
  });
  starters.append(startersLabel, starterList);
  log.appendChild(starters);

  var status = el("div", "casebook-sr");
  status.setAttribute("role", "status");

  var form = el("form", "casebook-form");
  var label = el("label", "casebook-sr", "Your question");
  label.htmlFor = "casebook-input";
  var input = el("input", "casebook-input");
  attrs(input, { id: "casebook-input", type: "text", autocomplete: "off", maxlength: MAX_CHARS,
    placeholder: "Ask about the case studies…", enterkeyhint: "send" });
  var send = el("button", "casebook-send");
  attrs(send, { type: "submit", "aria-label": "Send question" });
  send.appendChild(icon("M4 12l16-8-6 16-2-7-8-1z"));
  form.append(label, input, send);

  panel.append(header, intro, log, status, form);
  root.append(launcher, panel);

  // -- opening, closing, keyboard --
  var phone = window.matchMedia("(max-width: 480px)");

  function open() {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    panel.setAttribute("aria-modal", phone.matches ? "true" : "false");
    input.focus();
  }

  function shut() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function focusables() {
    return [].filter.call(
      panel.querySelectorAll("button, a[href], input, [tabindex='0']"),
      function (node) { return !node.disabled && node.offsetParent !== null; });
  }

  launcher.addEventListener("click", open);
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      shut();
    } else if (event.key === "Tab" && phone.matches) {
      // full screen on a phone: keep focus inside
      var nodes = focusables(), first = nodes[0], last = nodes[nodes.length - 1];
      var wrapTo = event.shiftKey ? (document.activeElement === first && last)
        : (document.activeElement === last && first);
      if (wrapTo) { event.preventDefault(); wrapTo.focus(); }
    }
  });

  reset.addEventListener("click", function () {
    if (pending) pending.abort();
    pending = null;
    history = [];
    anchor = null;
    log.replaceChildren();
    log.appendChild(starters);
    input.value = "";
    announce("Started a new conversation.");
    input.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    ask(input.value);
  });

  // -- rendering --
  function announce(text) {
    status.textContent = "";
    // a fresh node after a tick is announced even if it repeats
    setTimeout(function () { status.textContent = text; }, 50);
  }

  // Follow the answer, never scrolling its question out of view.
  function follow() {
    var top = anchor ? anchor.offsetTop - log.offsetTop - 8 : log.scrollHeight;
    log.scrollTop = Math.min(log.scrollHeight, top);
  }

  function citeId(id, n) { return "casebook-cite-" + id + "-" + n; }

  function renderAnswer(paragraph, text, id, targets) {
    paragraph.replaceChildren();
    // "[n]" links to citation n; all else is plain text
    text.split(/(\[\d+\])/).forEach(function (part) {
      var match = /^\[(\d+)\]$/.exec(part);
      if (!match) { if (part) paragraph.appendChild(document.createTextNode(part)); return; }
      var target = (targets && targets[match[1]]) || citeId(id, match[1]);
      var ref = el("a", "casebook-ref", match[1]);
      ref.href = "#" + target;
      ref.setAttribute("aria-label", "source " + match[1]);
      ref.addEventListener("click", function (event) {
        event.preventDefault(); // keep the host page's URL as it is
        var item = document.getElementById(target);
        if (!item) return;
        item.scrollIntoView({ block: "nearest" });
        (item.querySelector("a") || item).focus();
      });
      paragraph.appendChild(ref);
    });
  }

  function safeHref(url) {
    try {
      var parsed = new URL(url, base);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }

  // One entry per case study, numbered with its markers ("1, 2"), but for those shown as
  // items (`shown`: case study id -> item id). Returns marker number -> its entry's id.
  function renderCitations(box, citations, id, shown) {
    var targets = {}, entries = [], byCase = {};
    citations.forEach(function (citation, i) {
      var study = citation.case_study || {};
      var key = study.id || "#" + i;
      if (shown && shown[study.id]) { targets[i + 1] = shown[study.id]; return; }
      if (!(key in byCase)) {
        byCase[key] = entries.length;
        entries.push({ study: study, numbers: [] });
      }
      entries[byCase[key]].numbers.push(i + 1);
    });
    if (!entries.length) return targets;
    var heading = el("p", "casebook-sources-label", "Sources");
    heading.id = "casebook-sources-" + id;
    var list = el("ul", "casebook-citations");
    list.setAttribute("aria-labelledby", heading.id);
    entries.forEach(function (entry) {
      var study = entry.study;
      var item = el("li", "casebook-citation");
      item.id = citeId(id, entry.numbers[0]);
      entry.numbers.forEach(function (n) { targets[n] = item.id; });
      var numbers = el("span", "casebook-cite-num", entry.numbers.join(", "));
      numbers.setAttribute("aria-hidden", "true");
      var text = el("span", "casebook-cite-text");
      text.append(titleLink(study, "casebook-cite-title"), el("span", "casebook-cite-section", study.section || ""));
      var spoken = el("span", "casebook-sr", "Source " + entry.numbers.join(" and ") + ": ");
      item.append(numbers, spoken, text);
      list.appendChild(item);
    });
    box.append(heading, list);
    return targets;
  }

  // its label or title, linked where its URL is a web address
  function titleLink(study, className, label) {
    var href = safeHref(study.url || "");
    var name = el(href ? "a" : "span", className, label || study.title || "Untitled case study");
    if (href) {
      name.href = href;
      name.target = "_blank";
      name.rel = "noopener noreferrer";
      name.appendChild(el("span", "casebook-sr", " (opens in a new tab)"));
    }
    return name;
  }

  function said(sentences) {
    return sentences.map(function (s) {
      return s.citation == null ? s.text : s.text + " [" + s.citation + "]";
    }).join(" ");
  }

  // Lists, counts, comparisons: sentences in no item lead, then an entry per case study (per
  // aspect, of a comparison), then those after. Returns case study id -> entry id.
  function renderItems(paragraph, done, id) {
    var quoted = {}, shown = {}, lead = [], tail = [], past, end;
    done.items.forEach(function (item) {
      item.sentences.forEach(function (s) { quoted[s.text] = 1; });
    });
    done.sentences.forEach(function (s) {
      if (quoted[s.text]) past = 1; else (past ? tail : lead).push(s);
    });
    paragraph.textContent = said(lead);
    paragraph.hidden = !lead.length;
    var list = el("ul", "casebook-items"), sides = done.aspects || [];
    (sides.length ? sides : done.items).forEach(function (item, i) {
      var study = item.case_study, head = el("p");
      var entry = el("li", study ? "casebook-item" : "casebook-item casebook-aspect");
      entry.id = "casebook-item-" + id + "-" + i;
      if (study) {
        shown[study.id] = shown[study.id] || entry.id;
        head.append(titleLink(study, "casebook-item-title", item.label),
          el("span", "casebook-item-boroughs", study.boroughs.join(", ")));
      } else head.append(el("span", "casebook-item-title", item.label));
      entry.append(head);
      (item.items || item.sentences).forEach(function (s) {
        entry.append(el("p", "casebook-item-quote", s.sentences ? s.label + ": " + said(s.sentences)
          : said([s])));
      });
      list.append(entry);
    });
    end = el("p", "casebook-text casebook-answer", said(tail));
    end.hidden = !tail.length;
    paragraph.after(list, end);
    return shown;
  }

  function bubble(role) {
    var box = el("div", "casebook-msg casebook-msg-" + role);
    box.appendChild(el("span", "casebook-sr", role === "user" ? "You asked: " : "Casebook: "));
    if (starters.parentNode) log.removeChild(starters);
    log.appendChild(box);
    if (role === "user") anchor = box;
    follow();
    return box;
  }

  function politeError(status, body) {
    var error = (body && body.error) || {};
    var hint = error.hint ? " " + error.hint : "";
    if (status === 429) return "Lots of questions at once: Casebook needs a short pause." + hint;
    if (status === 413) return "That is too long for Casebook. Please ask a shorter question.";
    if (status === 503) return "Casebook is still starting up. Please try again in a few seconds.";
    if (error.message) return error.message + hint;
    return "Sorry, something went wrong. Please try again.";
  }

  // -- asking --
  function readEvents(response, onEvent) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var blocks = buffer.split(/\r?\n\r?\n/);
        buffer = blocks.pop();
        blocks.forEach(function (block) {
          var name = "message", data = "";
          block.split(/\r?\n/).forEach(function (line) {
            if (line.indexOf("event:") === 0) name = line.slice(6).trim();
            else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
          });
          if (data) onEvent(name, JSON.parse(data));
        });
        return pump();
      });
    }
    return pump();
  }

  function ask(raw) {
    var question = (raw || "").trim();
    if (!question || pending) return;
    if (panel.hidden) open();
    input.value = "";
    var id = ++turn;
    bubble("user").appendChild(el("p", "casebook-text", question));
    var box = bubble("assistant");
    attrs(box, { "data-casebook-state": "waiting", "aria-busy": "true" });
    var paragraph = el("p", "casebook-text casebook-answer");
    var typing = el("span", "casebook-typing", "Searching the case studies");
    paragraph.appendChild(typing);
    box.appendChild(paragraph);
    announce("Searching the case studies…");

    // the newest turns: all a follow-up needs, and well under the size limit
    var messages = history.slice(-(KEEP_MESSAGES - 1))
      .concat([{ role: "user", content: question }]);
    var controller = new AbortController();
    pending = controller;
    var text = "", citations = [], done = null;

    function finish(state, message) {
      if (pending === controller) pending = null;
      box.setAttribute("data-casebook-state", state);
      box.removeAttribute("aria-busy");
      if (state === "done") {
        var reply = { role: "assistant", content: text };
        // "who funded it?" is answered about these
        if (done.case_studies) reply.case_studies = done.case_studies.slice(0, MAX_CASES);
        history = messages.concat([reply]);
        var match = done.match || "answered";
        attrs(box, { "data-casebook-match": match, "data-casebook-shape": done.shape || "open" });
        if (match !== "answered" && done.shape !== "chat") {  // "hi": no label
          // none covers it: said before any closest
          var label = el("p", "casebook-match casebook-match-" + match,
            match !== "related" ? "Outside what the case studies cover"
              : "No exact match" + (citations.length ? ": the closest case studies" : ""));
          box.insertBefore(label, paragraph);
        }
        if ((done.items || []).length) {
          var targets = renderCitations(box, citations, id, renderItems(paragraph, done, id));
          box.querySelectorAll(".casebook-answer, .casebook-item-quote").forEach(function (p) {
            renderAnswer(p, p.textContent, id, targets);
          });
        } else {
          renderAnswer(paragraph, text, id, renderCitations(box, citations, id));
        }
        if (done.query && done.query.toLowerCase() !== question.toLowerCase()) {
          box.appendChild(el("p", "casebook-query", "Searched for: " + done.query));
        }
        if (done.generated) box.appendChild(el("p", "casebook-query casebook-generated",
          "Written by a language model from the sources above: check them."));
        var sources = box.querySelectorAll(".casebook-citation, .casebook-item:not(.casebook-aspect)").length;
        announce(text.replace(/\s*\[\d+\]/g, "") +
          (sources ? " " + sources + (sources === 1 ? " source." : " sources.") : ""));
      } else {
        box.classList.add("casebook-msg-error");
        paragraph.textContent = message;
        paragraph.setAttribute("role", "alert");
        var retry = el("button", "casebook-retry", "Try again");
        retry.type = "button";
        retry.addEventListener("click", function () {
          box.previousSibling.remove();
          box.remove();
          ask(question);
        });
        box.appendChild(retry);
      }
      follow();
    }

    fetch(base + "/v1/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ messages: messages }),
      signal: controller.signal
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (!response.ok) {
        return response.json().catch(function () { return null; }).then(function (body) {
          finish("error", politeError(response.status, body));
        });
      }
      if (type.indexOf("text/event-stream") !== 0) { // a proxy that buffers: the JSON form
        return response.json().then(function (body) {
          text = body.answer; citations = body.citations; done = body;
          finish("done");
        });
      }
      return readEvents(response, function (name, data) {
        if (name === "delta") {
          text += data.text;
          box.setAttribute("data-casebook-state", "streaming");
          renderAnswer(paragraph, text, id);
          follow();
        } else if (name === "citations") {
          citations = data.citations || [];
        } else if (name === "done") {
          done = data; // its answer is checked: a model's deltas may not be
          if (data.answer != null) text = data.answer;
        } else if (name === "error") {
          done = { error: data.error };
        }
      }).then(function () {
        if (done && !done.error) finish("done");
        else finish("error", politeError(0, done || { error: {
          message: "The answer was cut off.", hint: "Please try again." } }));
      });
    }).catch(function (error) {
      if (controller.signal.aborted) return; // "Start over" dropped it on purpose
      finish("error", "Could not reach Casebook. Check your connection and try again.");
      if (window.console) console.warn("casebook:", error);
    });
  }

  // -- mount --
  function mount() {
    var href = new URL("widget.css", scriptUrl).href;
    var sheet = [].find.call(document.querySelectorAll("link[rel=stylesheet]"),
      function (link) { return link.href === href; });
    function show() { root.hidden = false; }
    if (sheet) { show(); }
    else {
      sheet = el("link");
      sheet.rel = "stylesheet";
      sheet.href = href;
      sheet.addEventListener("load", show);
      sheet.addEventListener("error", show);
      document.head.appendChild(sheet);
    }
    document.body.appendChild(root);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
