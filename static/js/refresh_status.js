// The refresh button's live status (templates/jobs/includes/refresh_status.html).
// 1. When a watched refresh ends, its status include carries [data-refresh-finished]:
//    tell the page, whose live parts listen for "refresh-finished" and reload themselves.
// 2. While refreshes are rate-limited the button is disabled and says when it can be
//    used again; this counts down each second and enables it at zero.
(function () {
  function countdownText(seconds) {
    if (seconds >= 60) {
      var s = seconds % 60;
      return Math.floor(seconds / 60) + ":" + (s < 10 ? "0" : "") + s;
    }
    return seconds + " s";
  }
  function startCountdown(button) {
    if (button.dataset.counting) { return; }
    button.dataset.counting = "1";
    var endsAt = Date.now() + parseInt(button.dataset.retryAfter, 10) * 1000;
    var shown = button.querySelector("[data-countdown]");
    var timer = window.setInterval(function () {
      if (!button.isConnected) { window.clearInterval(timer); return; }
      var left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
      if (left > 0) {
        if (shown) { shown.textContent = countdownText(left); }
        return;
      }
      window.clearInterval(timer);
      button.disabled = false;
      button.textContent = "Refresh";
      var box = button.closest(".refresh-box");
      var notice = box && box.querySelector("[data-rate-limit-notice]");
      if (notice) { notice.textContent = "You can refresh again."; notice.classList.remove("error-text"); notice.classList.add("muted"); }
    }, 1000);
  }
  function scan(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("button[data-retry-after]").forEach(startCountdown);
    var finished = (root.matches && root.matches("[data-refresh-finished]")) ||
      root.querySelector("[data-refresh-finished]");
    if (finished && window.htmx) { window.htmx.trigger(document.body, "refresh-finished"); }
  }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  // htmx:load fires for each piece of content htmx puts into the page.
  document.addEventListener("htmx:load", function (event) { scan(event.detail.elt); });
})();
