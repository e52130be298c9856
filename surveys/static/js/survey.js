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

  if (form.getAttribute("data-autopost") === "1") {
    var comment = form.querySelector("textarea[name=comment]");
    var keep = comment ? comment.value : null;
    if (comment) comment.disabled = true; // only the score is saved now
    save().then(function () { if (comment) { comment.disabled = false; comment.value = keep; } });
  }
})();
