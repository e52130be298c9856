// Staff console: copy buttons (the snippet stays selectable without JavaScript).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[data-copy-status]");
    source.select();
    var done = function () { if (status) status.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();

// Settings: the live widget preview takes the brand colour as it is being chosen.
(function () {
  "use strict";
  var preview = document.querySelector("[data-colour-from]");
  if (!preview) return;
  var input = document.getElementById(preview.getAttribute("data-colour-from"));
  if (!input) return;
  var paint = function () {
    if (/^#[0-9a-fA-F]{6}$/.test(input.value)) preview.style.setProperty("--pv-accent", input.value);
  };
  input.addEventListener("input", paint);
  input.addEventListener("change", paint);
  paint();
})();
