// One-click score: a link with ?score=N pre-selects N; a real browser then saves it
// with a POST (CSRF token included). Mail scanners only GET, so they record nothing.
(function () {
  "use strict";
  var form = document.getElementById("survey");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.getElementById("saved");

  function save() {
    var data = new FormData(form);
    return fetch(form.action || window.location.pathname, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (resp) {
      if (!resp.ok) throw new Error(String(resp.status));
      status.textContent = form.getAttribute("data-saved-text");
      status.hidden = false;
    }).catch(function () {
      status.textContent = form.getAttribute("data-error-text");
      status.hidden = false;
    });
  }

  // The comment prompt follows the score: what went wrong, what was missing, what was best.
  var prompt = document.getElementById("comment-label");
  function mood(name, value) {
    var n = parseInt(value, 10);
    if (name === "csat") return n <= 2 ? "detractor" : n === 3 ? "passive" : "promoter";
    return n <= 6 ? "detractor" : n <= 8 ? "passive" : "promoter";
  }
  if (prompt) {
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.type === "radio" && t.name === prompt.getAttribute("data-kind")) {
        prompt.textContent = prompt.getAttribute("data-" + mood(t.name, t.value));
      }
    });
  }

  // Photos: a preview of each chosen file; files over 10 MB or over the per-product limit are
  // taken out before sending (the server checks again and says why beside the product).
  function say(box, text) {
    var warn = box.querySelector(".photo-warning");
    if (!warn) return;
    warn.textContent = text;
    warn.hidden = !text;
  }
  function previews(input) {
    var box = input.closest(".photos"), list = box && box.querySelector(".photo-previews");
    if (!list) return;
    var max = parseInt(form.getAttribute("data-photo-max"), 10), limit = parseInt(form.getAttribute("data-photo-limit"), 10);
    var removing = box.querySelectorAll("input[type=checkbox]:checked").length;
    var room = Math.max(0, limit - parseInt(box.getAttribute("data-have") || "0", 10) + removing);
    var keep = [], notes = [];
    Array.prototype.forEach.call(input.files, function (file) {
      if (file.size > max) notes.push(form.getAttribute("data-too-big-text").replace("{name}", file.name));
      else if (keep.length >= room) { if (notes.indexOf("many") < 0) notes.push("many"); }
      else keep.push(file);
    });
    if (keep.length !== input.files.length && window.DataTransfer) {
      try { var dt = new DataTransfer(); keep.forEach(function (f) { dt.items.add(f); }); input.files = dt.files; } catch (e) { /* old browser: the server refuses them */ }
    }
    say(box, notes.map(function (n) {
      return n === "many" ? form.getAttribute("data-too-many-text").replace("{num}", String(limit)) : n;
    }).join(" "));
    while (list.firstChild) { if (list.firstChild.dataset && list.firstChild.dataset.url) URL.revokeObjectURL(list.firstChild.dataset.url); list.removeChild(list.firstChild); }
    keep.forEach(function (file) {
      var li = document.createElement("li"), img = document.createElement("img"), url = URL.createObjectURL(file);
      li.dataset.url = url;
      img.alt = form.getAttribute("data-preview-text").replace("{name}", file.name);
      img.onerror = function () { li.textContent = file.name; };  // HEIC: most browsers cannot show it
      img.src = url;
      li.appendChild(img);
      list.appendChild(li);
    });
    list.hidden = keep.length === 0;
  }
  form.addEventListener("change", function (event) {
    var t = event.target;
    if (t.type === "file") previews(t);
    else if (t.type === "checkbox" && t.name.slice(-14) === "-photos-remove") {
      var input = t.closest(".photos").querySelector("input[type=file]");
      if (input && input.files.length) previews(input);
    }
  });

  if (form.getAttribute("data-autopost") === "1") {
    var comment = form.querySelector("textarea[name=comment]");
    var keep = comment ? comment.value : null;
    if (comment) comment.disabled = true; // only the score is saved now
    save().then(function () { if (comment) { comment.disabled = false; comment.value = keep; } });
  }
})();
