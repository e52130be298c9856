// Staff console menus (<details class="menu">): one open at a time; a click elsewhere or Escape
// closes them (Escape puts the focus back on the menu's summary). Without JavaScript they still
// open and close from their summary, by mouse or keyboard.
(function () {
  "use strict";
  var menus = function () { return Array.prototype.slice.call(document.querySelectorAll("details.menu[open]")); };
  document.addEventListener("click", function (event) {
    menus().forEach(function (menu) { if (!menu.contains(event.target)) menu.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (menu) {
      var focusInside = menu.contains(document.activeElement);
      menu.open = false;
      if (focusInside) menu.querySelector("summary").focus();
    });
  });
})();
