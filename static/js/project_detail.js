// Project page: phases remember being opened or closed (per project, in localStorage),
// the jump list opens the phase it points at, and Expand all / Collapse all.
// Works again after htmx replaces the page's live part (templates/projects/includes/project_live.html).
(function () {
  function storageKey() {
    var header = document.querySelector("[data-project-id]");
    return header ? "repotrackr-phases:" + header.getAttribute("data-project-id") : null;
  }
  function load() {
    var key = storageKey();
    if (!key) { return {}; }
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function save(state) {
    var key = storageKey();
    if (!key) { return; }
    try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode: not remembered */ }
  }
  function remember(phase) {
    var state = load();
    state[phase.getAttribute("data-phase-key")] = phase.open;
    save(state);
  }
  function setOpen(phase, open) {
    if (phase.open !== open) { phase.open = open; }  // a large phase loads its tasks on "toggle"
  }
  function restore(root) {
    var state = load();
    root.querySelectorAll("details.phase[data-phase-key]").forEach(function (phase) {
      var saved = state[phase.getAttribute("data-phase-key")];
      if (saved === true || saved === false) { setOpen(phase, saved); }
      if (!phase.dataset.watched) {
        phase.dataset.watched = "1";
        phase.addEventListener("toggle", function () { remember(phase); });
      }
    });
    root.querySelectorAll(".phase-tools").forEach(function (tools) { tools.hidden = false; });
  }
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.matches("details.phase")) { setOpen(target, true); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-phases]");
    if (button) {
      var open = button.getAttribute("data-phases") === "open";
      document.querySelectorAll("details.phase").forEach(function (phase) { setOpen(phase, open); });
      return;
    }
    var link = event.target.closest(".phase-jump a[href^='#phase-']");
    if (link) {
      var phase = document.getElementById(link.getAttribute("href").slice(1));
      if (phase) { setOpen(phase, true); }
    }
  });
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", function () { restore(document); openTarget(); });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail.elt && event.detail.elt.querySelectorAll) { restore(event.detail.elt); }
  });
})();
