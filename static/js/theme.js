// Theme: follow the system unless the user chose light or dark; the choice is remembered.
(function () {
  var KEY = "repotrackr-theme";
  var root = document.documentElement;
  function stored() { try { return localStorage.getItem(KEY); } catch (e) { return null; } }
  function apply(theme) {
    if (theme === "light" || theme === "dark") { root.setAttribute("data-theme", theme); }
    else { root.removeAttribute("data-theme"); }
  }
  apply(stored());
  function label(button) {
    var theme = stored() || "auto";
    button.textContent = "Theme: " + theme;
    button.setAttribute("aria-label", "Colour theme: " + theme + ". Change theme");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("theme-toggle");
    if (!button) { return; }
    button.hidden = false;
    label(button);
    button.addEventListener("click", function () {
      var order = ["auto", "light", "dark"];
      var next = order[(order.indexOf(stored() || "auto") + 1) % order.length];
      try {
        if (next === "auto") { localStorage.removeItem(KEY); } else { localStorage.setItem(KEY, next); }
      } catch (e) { /* private mode: the choice lasts for this page only */ }
      apply(next);
      label(button);
    });
  });
})();
