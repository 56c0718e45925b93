/* Autosave for the application pages (申报书, 逐项自评, 学段与方向选择).

   A form marked data-autosave is posted by htmx (hx-trigger "autosave, submit"); this module
   decides when, and tells the truth about the outcome:
   - what the user types is kept in localStorage at once (per application, page and field, with
     the revision and the server's value it was typed over) and removed only when the server
     confirms the save; a reload restores it with a notice;
   - every failure (HTTP 4xx/5xx, timeout, network down) shows a red 未保存 with the reason and
     retries with backoff; a stale revision (another window saved) keeps the text and shows the server's table;
   - links, other forms (upload, delete) and the submit page wait for pending saves and are
     blocked with a message when the save fails; leaving the page otherwise warns.
   The server answers a save with a fragment whose status carries data-autosave-state
   (saved / invalid / refused / conflict); anything else is a failure. */
(function () {
  "use strict";

  if (typeof htmx === "undefined") { return; }

  var STORE = "campuseval.autosave:";
  var SKIP = { csrfmiddlewaretoken: 1, revision: 1, overwrite_revision: 1 };
  var INPUT_DELAY = 800;
  var CHANGE_DELAY = 300;
  var MAX_BACKOFF = 30000;

  htmx.config.timeout = 15000;

  var controllers = [];

  function reasonFor(status) {
    if (status >= 500) { return ceT("服务器出错，未保存，正在重试"); }
    if (status === 403) { return ceT("未保存：服务器拒绝了请求（HTTP 403，登录状态或页面已过期），正在重试；刷新页面后可继续保存，已填写的内容保留在本浏览器"); }
    if (status === 404) { return ceT("未保存：找不到这份申报或您已无权修改（HTTP 404），正在重试"); }
    if (status === 413 || status === 400) { return ceT("未保存：服务器拒绝了提交的内容（HTTP %(status)s），正在重试", { status: status }); }
    return ceT("未保存：服务器拒绝了请求（HTTP %(status)s），正在重试", { status: status });
  }

  // --- reading and writing a form's values ------------------------------------------------------

  function fieldValues(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || SKIP[name] || el.disabled) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "submit" || type === "button" || type === "reset") { return; }
      var list = out[name] || (out[name] = []);
      if (type === "checkbox" || type === "radio") {
        if (el.checked) { list.push(el.value); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { list.push(o.value); });
      } else {
        list.push(el.value);
      }
    });
    var flat = {};
    Object.keys(out).forEach(function (k) { flat[k] = JSON.stringify(out[k]); });
    return flat;
  }

  function setField(form, name, serialized) {
    var values = JSON.parse(serialized);
    var found = false;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) { return; }
      found = true;
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else {
        el.value = values.length ? values[0] : "";
      }
    });
    return found;
  }

  // --- the browser's copy -----------------------------------------------------------------------

  function readDraft(key) {
    try {
      var raw = window.localStorage.getItem(key);
      var draft = raw ? JSON.parse(raw) : null;
      return draft && draft.fields ? draft : { fields: {} };
    } catch (e) {
      return { fields: {} };
    }
  }

  function writeDraft(key, draft) {
    try {
      if (Object.keys(draft.fields).length) {
        draft.at = Date.now();
        window.localStorage.setItem(key, JSON.stringify(draft));
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (e) { /* storage full or disabled: the page still holds the text */ }
  }

  // --- one form ---------------------------------------------------------------------------------

  function Controller(form) {
    this.form = form;
    this.key = STORE + form.dataset.autosave + ":" + (form.dataset.autosaveScope || form.getAttribute("action"));
    this.status = form.querySelector("#save-status");
    this.base = fieldValues(form);   // what the server holds, as far as this page knows
    this.state = "clean";            // clean | dirty | saving | failed | conflict | refused
    this.inflight = false;
    this.sent = null;
    this.timer = null;
    this.attempt = 0;
    this.resync = false;             // check the server's copy before the next post
    this.generation = 0;             // counts posts, so a late check of the server is ignored
    this.waiters = [];
    this.restore();
  }

  Controller.prototype.revision = function () {
    var input = this.form.querySelector("input[name=revision]");
    return input ? input.value : "";
  };

  Controller.prototype.show = function (kind, text, state) {
    if (!this.status) { return; }
    var span = document.createElement("span");
    span.className = kind;
    span.dataset.autosaveState = state;
    span.textContent = text;
    this.status.replaceChildren(span);
  };

  Controller.prototype.notice = function (text) {
    var box = document.getElementById("autosave-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "autosave-notice";
      box.setAttribute("role", "alert");
      this.form.parentNode.insertBefore(box, this.form);
    }
    box.className = "alert alert-warning py-2";
    box.textContent = text;
  };

  Controller.prototype.blocked = function (text) {
    var box = document.getElementById("autosave-blocked");
    if (!box) {
      box = document.createElement("div");
      box.id = "autosave-blocked";
      box.setAttribute("role", "alert");
      this.form.parentNode.insertBefore(box, this.form);
    }
    box.className = "alert alert-danger py-2";
    box.textContent = ceT("内容尚未保存，暂不能离开本页：%(reason)s。填写的内容保留在本页和本浏览器中，请稍后再试。", { reason: text });
  };

  /* Something typed that the server has not answered for yet. A refusal (the stage closed, the
     application no longer editable) is an answer: the reason stays shown and the text stays in
     the browser, but leaving is not held up for a save that cannot succeed. */
  Controller.prototype.unsettled = function () {
    return (this.state !== "clean" && this.state !== "refused") || this.inflight || this.timer !== null;
  };

  /* Keep what differs from the server's copy in the browser, field by field. */
  Controller.prototype.remember = function () {
    var now = fieldValues(this.form);
    var draft = readDraft(this.key);
    var rev = this.revision();
    var base = this.base;
    Object.keys(now).forEach(function (name) {
      if (now[name] !== base[name]) {
        draft.fields[name] = { value: now[name], base: base[name] === undefined ? "[]" : base[name], rev: rev };
      } else if (draft.fields[name] && draft.fields[name].value !== now[name]) {
        delete draft.fields[name];  // typed back to the saved value
      }
    });
    writeDraft(this.key, draft);
  };

  /* The server stored `sent` (but for the names it refused): forget those fields. */
  Controller.prototype.confirm = function (sent, refused) {
    var draft = readDraft(this.key);
    var base = this.base;
    Object.keys(sent).forEach(function (name) {
      if (refused[name]) { return; }
      base[name] = sent[name];
      var kept = draft.fields[name];
      if (kept && kept.value === sent[name]) { delete draft.fields[name]; }
    });
    writeDraft(this.key, draft);
  };

  Controller.prototype.restore = function () {
    var draft = readDraft(this.key);
    var names = Object.keys(draft.fields);
    if (!names.length) { return; }
    var now = fieldValues(this.form);
    var restored = 0;
    var clash = null;
    var self = this;
    names.forEach(function (name) {
      var kept = draft.fields[name];
      if (now[name] === kept.value) { delete draft.fields[name]; return; }  // the server has it
      if (!setField(self.form, name, kept.value)) { return; }
      restored += 1;
      self.base[name] = kept.base;
      if (now[name] !== kept.base && clash === null) { clash = kept.rev; }  // changed elsewhere too
    });
    writeDraft(this.key, draft);
    if (!restored) { return; }
    if (clash !== null) {
      // post against the revision it was typed on: the server shows both versions
      var input = this.form.querySelector("input[name=revision]");
      if (input) { input.value = clash; }
    }
    this.restored = restored;
    this.notice(ceT("恢复了未保存的内容（%(n)s 项），这些内容尚未保存到服务器，正在保存…", { n: restored }));
    this.state = "dirty";
    this.schedule(0);
  };

  Controller.prototype.edited = function (delay) {
    this.remember();
    if (this.state === "clean" || this.state === "refused") { this.state = "dirty"; }
    if (!this.inflight) { this.show("text-muted", ceT("有修改，即将自动保存…"), "pending"); }
    if (this.state !== "failed") { this.attempt = 0; }
    this.schedule(delay);
  };

  Controller.prototype.schedule = function (delay) {
    var self = this;
    if (this.timer !== null) { window.clearTimeout(this.timer); }
    this.timer = window.setTimeout(function () { self.timer = null; self.save(); }, delay);
  };

  Controller.prototype.save = function () {
    if (this.timer !== null) { window.clearTimeout(this.timer); this.timer = null; }
    if (this.inflight) { this.again = true; return; }
    if (this.resync) { this.checkServer(); return; }
    htmx.trigger(this.form, "autosave");
  };

  /* After a timeout or a lost connection the server may have saved after all, or someone else
     may have: read the page as the server has it. Fields the server already holds, or that
     nobody else changed, are posted against its current revision; a field changed elsewhere
     keeps the old revision, so the server answers with both versions. */
  Controller.prototype.checkServer = function (afterConflict) {
    var self = this;
    var generation = this.generation;
    this.inflight = true;
    this.show("text-muted", ceT("正在核对服务器上的内容…"), "saving");
    fetch(this.form.getAttribute("action"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw response.status; }
        return response.text();
      })
      .then(function (html) {
        if (self.generation !== generation) { return; }  // a post went out meanwhile: its answer counts
        var doc = new DOMParser().parseFromString(html, "text/html");
        var theirs = doc.querySelector("form[data-autosave]");
        if (!theirs) { throw 0; }
        var server = fieldValues(theirs);
        var mine = fieldValues(self.form);
        var clash = Object.keys(mine).some(function (name) {
          var base = self.base[name] === undefined ? "[]" : self.base[name];
          var there = server[name] === undefined ? "[]" : server[name];
          return mine[name] !== there && there !== base;
        });
        self.inflight = false;
        self.resync = false;
        if (clash && afterConflict) {
          self.show("err", ceT("未保存：另一个窗口（或他人）已保存了这里的修改，请对照上表确认；您填写的内容仍保留在本页"), "conflict");
          self.settle(ceT("另一个窗口（或他人）已保存了这里的修改，请先处理对照表"));
          return;
        }
        if (!clash) {
          var rev = theirs.querySelector("input[name=revision]");
          var input = self.form.querySelector("input[name=revision]");
          if (rev && input) { input.value = rev.value; }
          Object.keys(server).forEach(function (name) { if (server[name] === mine[name]) { self.base[name] = server[name]; } });
        }
        self.save();
      })
      .catch(function (status) {
        if (self.generation !== generation) { return; }
        self.inflight = false;
        self.failed(typeof status === "number" && status ? reasonFor(status) : ceT("网络连接中断，未保存，正在重试"));
      });
  };

  Controller.prototype.sending = function () {
    if (this.timer !== null) { window.clearTimeout(this.timer); this.timer = null; }
    this.inflight = true;
    this.again = false;
    this.generation += 1;
    this.sent = fieldValues(this.form);
    this.show("text-muted", ceT("正在保存…"), "saving");
  };

  Controller.prototype.answered = function (xhr) {
    this.inflight = false;
    var status = xhr.status;
    if (status === 0) { return; }  // the timeout / sendError handlers speak
    if (xhr.getResponseHeader("HX-Redirect")) {
      // the session expired: the server kept the post and replays it after the login
      leaving = true;
      this.show("err", ceT("未保存：登录已过期，正在转到登录页；填写的内容已暂存"), "failed");
      return;
    }
    var marked = this.status && this.status.querySelector("[data-autosave-state]");
    var state = status >= 200 && status < 300 && marked ? marked.dataset.autosaveState : null;
    if (state === "saved" || state === "invalid") {
      var refused = {};
      if (state === "invalid") { refused = this.refusedNames(); }
      this.confirm(this.sent, refused);
      this.attempt = 0;
      var now = fieldValues(this.form);
      var sent = this.sent;
      var changed = Object.keys(now).some(function (n) { return now[n] !== sent[n]; });
      if (changed || this.again) {
        this.state = "dirty";
        this.show("text-muted", ceT("有修改，即将自动保存…"), "pending");
        this.schedule(this.again ? 0 : INPUT_DELAY);
        return;
      }
      this.state = "clean";
      var notice = document.getElementById("autosave-notice");
      if (notice && state === "saved" && this.restored) {
        notice.className = "alert alert-success py-2";
        notice.textContent = ceT("恢复了未保存的内容（%(n)s 项），现已保存到服务器。", { n: this.restored });
        this.restored = 0;
      }
      var blocked = document.getElementById("autosave-blocked");
      if (blocked) { blocked.remove(); }
      this.settle(null);
    } else if (state === "conflict") {
      this.remember();
      this.state = "conflict";
      // the revision is the whole application's: another window may have saved other fields
      // only, then this page's fields are posted again on the current revision
      this.show("text-muted", ceT("另一个窗口保存过，正在核对…"), "saving");
      this.checkServer(true);
    } else if (state === "refused") {
      this.remember();
      this.state = "refused";
      this.settle(null);
    } else {
      this.failed(reasonFor(status >= 200 && status < 300 ? 500 : status));
    }
  };

  /* Names whose error line is filled in after an invalid save: the server kept its old value. */
  Controller.prototype.refusedNames = function () {
    var refused = {};
    Array.prototype.forEach.call(this.form.elements, function (el) {
      if (!el.name) { return; }
      var holder = el.closest(".field, fieldset");
      var err = holder && holder.querySelector(".err");
      if (err && err.textContent.trim()) { refused[el.name] = true; }
    });
    return refused;
  };

  Controller.prototype.failed = function (reason) {
    this.inflight = false;
    this.remember();
    this.state = "failed";
    this.show("err", reason, "failed");
    var wait = Math.min(MAX_BACKOFF, 1000 * Math.pow(2, this.attempt));
    this.attempt += 1;
    this.schedule(wait);
    this.settle(reason);
  };

  /* Resolve (null) or reject (reason) whoever waits for this form to be saved. */
  Controller.prototype.settle = function (reason) {
    var waiters = this.waiters;
    this.waiters = [];
    waiters.forEach(function (w) { if (reason === null) { w.resolve(); } else { w.reject(reason); } });
  };

  Controller.prototype.flush = function () {
    var self = this;
    if (!this.unsettled()) { return Promise.resolve(); }
    if (this.state === "conflict") {
      var text = this.status ? this.status.textContent : "";
      return Promise.reject(text.replace(/^未保存：/, "").replace(/^Not saved: /, ""));
    }
    return new Promise(function (resolve, reject) {
      self.waiters.push({ resolve: resolve, reject: reject });
      if (!self.inflight) { self.attempt = 0; self.save(); }
    });
  };

  // --- wiring -----------------------------------------------------------------------------------

  var leaving = false;

  function controllerOf(el) {
    for (var i = 0; i < controllers.length; i++) {
      if (controllers[i].form === el) { return controllers[i]; }
    }
    return null;
  }

  function flushAll() {
    return Promise.all(controllers.map(function (c) { return c.flush(); }));
  }

  function anyUnsettled() {
    return controllers.some(function (c) { return c.unsettled(); });
  }

  function hold(promise, go) {
    promise.then(function () { leaving = true; go(); }, function (reason) {
      controllers.forEach(function (c) { c.blocked(reason); });
    });
  }

  function start() {
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var c = new Controller(form);
    controllers.push(c);
    form.addEventListener("input", function () { c.edited(INPUT_DELAY); });
    form.addEventListener("change", function () { c.edited(CHANGE_DELAY); });
    form.addEventListener("htmx:configRequest", function (e) { if (e.detail.elt === form) { c.sending(); } });
    form.addEventListener("htmx:afterRequest", function (e) { if (e.detail.elt === form) { c.answered(e.detail.xhr); } });
    form.addEventListener("htmx:timeout", function (e) {
      if (e.detail.elt !== form) { return; }
      c.resync = true;
      c.failed(ceT("服务器响应超时，未保存，正在重试"));
    });
    form.addEventListener("htmx:sendError", function (e) {
      if (e.detail.elt !== form) { return; }
      c.resync = true;
      c.failed(ceT("网络连接中断，未保存，正在重试"));
    });
    form.addEventListener("htmx:responseError", function (e) {
      if (e.detail.elt === form) { e.stopPropagation(); }  // shown in the save status instead
    });
  });
  }
  // after htmx has processed the page (its ready handler was registered first)
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }

  window.addEventListener("online", function () {
    controllers.forEach(function (c) { if (c.state === "failed") { c.attempt = 0; c.save(); } });
  });

  // links wait for the save; a failed save keeps the user on the page
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) { return; }
    if (a.hasAttribute("download") || a.getAttribute("href").charAt(0) === "#") { return; }
    if (a.hasAttribute("data-autosave-discard")) {
      controllers.forEach(function (c) { writeDraft(c.key, { fields: {} }); c.state = "clean"; });
      leaving = true;
      return;
    }
    if (!anyUnsettled()) { return; }
    e.preventDefault();
    var href = a.href;
    var blank = a.target === "_blank";
    hold(flushAll(), function () {
      if (blank) { leaving = false; window.open(href, "_blank"); } else { window.location.assign(href); }
    });
  }, true);

  // other forms (upload, delete, log out) wait for the save too
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (controllerOf(form) || form.dataset.autosaveFlushed) { return; }
    if (!anyUnsettled()) { return; }
    e.preventDefault();
    e.stopImmediatePropagation();
    var submitter = e.submitter || null;
    hold(flushAll(), function () {
      form.dataset.autosaveFlushed = "1";
      if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
    });
  }, true);

  window.addEventListener("beforeunload", function (e) {
    if (leaving || !anyUnsettled()) { return; }
    e.preventDefault();
    e.returnValue = "";
  });

  // repeatable rows (获奖、课题…): add with a fresh index, remove and save
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.elt.hasAttribute("data-add-row")) { e.detail.parameters.n = String(Date.now()); }
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-remove-row]");
    if (!button) { return; }
    var form = button.form;
    button.closest("tr").remove();
    if (form) { form.dispatchEvent(new Event("change", { bubbles: true })); }
  });
})();
