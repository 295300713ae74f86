// The desk works without this script; with it, triage runs from the keyboard, decisions are sent without a
// page load, and the queue and triage pages pick up new claims and conflicts by following the change feed.
(function () {
  "use strict";
  var POLL_MS = 4000;
  var body = document.body;
  var live = body.dataset.live;
  var FETCH = { "X-Desk-Fetch": "1" };

  function say(text) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.textContent = text;
    el.hidden = !text;
  }

  function post(form, action) {
    return fetch(action || form.action, {
      method: "POST", body: new FormData(form), headers: FETCH, credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.detail || "The desk answered " + response.status + ".");
        return data;
      });
    });
  }

  // Filters fold away on a phone, where they would push the claims below the fold; a wide screen shows them.
  if (window.matchMedia("(min-width: 900px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) { details.open = true; });
  }

  // Keys typed into a field are text, never shortcuts.
  function typing(event) {
    var target = event.target;
    return event.ctrlKey || event.metaKey || event.altKey || target.isContentEditable ||
      target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT";
  }

  function items() { return Array.prototype.slice.call(document.querySelectorAll("#items > li.item")); }
  function byId(id) { return document.querySelector('#items > li.item[data-id="' + id + '"]'); }

  // ---- triage ----
  var current = null;

  function focusItem(item) {
    if (!item) return;
    if (current) current.classList.remove("current");
    current = item;
    item.classList.add("current");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var index = list.indexOf(current);
    index = index < 0 ? 0 : Math.min(list.length - 1, Math.max(0, index + step));
    focusItem(list[index]);
  }

  function mark(item, status) {
    if (!item) return;
    item.dataset.status = status;
    item.classList.add("decided");
    var badge = item.querySelector(".why .badge");
    if (badge) { badge.textContent = status; badge.className = "badge status-" + status; }
    var box = item.querySelector('input[name="ids"]');
    if (box) box.checked = false;
    var problem = item.querySelector(".outcome");
    if (problem) problem.remove();
    countSelected();
  }

  function fail(item, message) {
    var note = item.querySelector(".outcome") || document.createElement("p");
    note.className = "outcome problem";
    note.textContent = message;
    item.appendChild(note);
  }

  function decide(item, which) {
    if (!item) return;
    var form = item.querySelector("form.decide");
    var action = which === "confirm" ? form.action : form.querySelector("button.dismiss").formAction;
    item.dataset.pending = which;
    post(form, action).then(function (data) {
      delete item.dataset.pending;
      mark(item, data.items[0].status);
    }).catch(function (error) {
      delete item.dataset.pending;
      fail(item, error.message);
    });
  }

  function countSelected() {
    var count = document.querySelectorAll('input[name="ids"]:checked').length;
    var label = document.querySelector(".selected-count");
    if (label) label.textContent = count ? "(" + count + ")" : "";
  }

  function dismissSelected(form) {
    var chosen = Array.prototype.slice.call(document.querySelectorAll('input[name="ids"]:checked'));
    if (!chosen.length) { say("Select conflicts first (x selects the current one)."); return; }
    post(form).then(function (data) {
      data.items.forEach(function (conflict) { mark(byId(conflict.id), conflict.status); });
      say(data.items.length + " conflicts dismissed.");
    }).catch(function (error) { say(error.message); });
  }

  if (live === "triage") {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.id === "bulk") {
        event.preventDefault();
        dismissSelected(form);
      } else if (form.classList.contains("decide")) {
        event.preventDefault();
        // Only a press of Confirm or Dismiss decides; a submit without one of them (Enter in the note) does not.
        var button = event.submitter;
        if (!button || !(button.classList.contains("confirm") || button.classList.contains("dismiss"))) return;
        var item = form.closest("li.item");
        focusItem(item);
        decide(item, button.classList.contains("dismiss") ? "dismiss" : "confirm");
      }
    });
    document.addEventListener("change", function (event) {
      if (event.target.name === "ids") countSelected();
    });
    document.addEventListener("keydown", function (event) {
      if (typing(event)) return;
      var handled = true;
      if (event.key === "j") move(1);
      else if (event.key === "k") move(-1);
      else if (event.key === "c" && current) { var confirmed = current; move(1); decide(confirmed, "confirm"); }
      else if (event.key === "d" && current) { var dismissed = current; move(1); decide(dismissed, "dismiss"); }
      else if (event.key === "x" && current) {
        var box = current.querySelector('input[name="ids"]');
        box.checked = !box.checked;
        countSelected();
      } else if (event.key === "D") dismissSelected(document.getElementById("bulk"));
      else handled = false;
      if (handled) event.preventDefault();
    });
  }

  if (live === "queue") {
    document.addEventListener("keydown", function (event) {
      if (typing(event)) return;
      if (event.key === "j") move(1);
      else if (event.key === "k") move(-1);
      else if ((event.key === "o" || event.key === "Enter") && current && event.target === current) {
        current.querySelector(".text a").click();
      } else return;
      event.preventDefault();
    });
  }

  // ---- fact-check preview ----
  // The preview is the readers' card in a frame; the card reports its height, as it does on readers' sites.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== location.origin || !data || data.type !== "claimledger:embed-height") return;
    if (typeof data.height !== "number") return;
    document.querySelectorAll("iframe.preview").forEach(function (frame) {
      if (frame.contentWindow === event.source) frame.style.height = Math.max(40, Math.min(data.height, 5000)) + "px";
    });
  });

  // ---- live updates ----
  function refresh() {
    return fetch(location.href, { credentials: "same-origin" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var freshList = fresh.getElementById("items");
      var list = document.getElementById("items");
      if (!freshList || !list) return;
      if (live === "queue") {
        list.innerHTML = freshList.innerHTML;
        var matched = document.querySelector(".matched");
        var freshMatched = fresh.querySelector(".matched");
        if (matched && freshMatched) matched.textContent = freshMatched.textContent;
        var facets = document.querySelectorAll("#facets .facet");
        var freshFacets = fresh.querySelectorAll("#facets .facet");
        if (facets.length === freshFacets.length) {
          facets.forEach(function (facet, index) { facet.innerHTML = freshFacets[index].innerHTML; });
        }
        return;
      }
      // Triage: add what is new at its place, mark what others decided, and leave the reader's place alone.
      var seen = {};
      var previous = null;
      Array.prototype.forEach.call(freshList.querySelectorAll(":scope > li.item"), function (freshItem) {
        var id = freshItem.dataset.id;
        seen[id] = true;
        var mine = byId(id);
        if (!mine) {
          mine = document.importNode(freshItem, true);
          var empty = list.querySelector(".empty");
          if (empty) empty.remove();
          if (previous) previous.after(mine); else list.prepend(mine);
        }
        previous = mine;
      });
      items().forEach(function (item) {
        if (!seen[item.dataset.id] && !item.classList.contains("decided") && !item.dataset.pending) {
          item.classList.add("gone");
          if (!item.querySelector(".outcome")) {
            var note = document.createElement("p");
            note.className = "outcome";
            note.textContent = "Decided by someone else meanwhile.";
            item.appendChild(note);
          }
        }
      });
    });
  }

  var after = Number(body.dataset.feedAfter || 0);

  function poll() {
    fetch("/desk/feed?after=" + after, { headers: FETCH, credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) {
        say("You are signed out of the desk. Reload to sign in again.");
        return null;
      }
      if (!response.ok) return "retry";
      return response.json().then(function (data) {
        after = data.next_after;
        var wanted = live === "queue" ? data.claims : data.conflicts;
        return (wanted ? refresh() : Promise.resolve()).then(function () { return data.more ? "now" : "retry"; });
      });
    }).catch(function () { return "retry"; }).then(function (next) {
      if (next) setTimeout(poll, next === "now" ? 0 : POLL_MS);
    });
  }

  if (live) setTimeout(poll, POLL_MS);
})();
