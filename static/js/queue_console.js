// Queue console: replace the live part of the page every few seconds.
// Pauses while the tab is hidden; on a failed fetch keeps the last view and says so.
(function () {
  "use strict";
  var box = document.getElementById("queue-console");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.dataset.bodyUrl;
  var every = (parseInt(box.dataset.refreshSeconds, 10) || 5) * 1000;
  var busy = false;

  function refresh() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
      })
      .catch(function (error) {
        var note = document.createElement("p");
        note.className = "errornote";
        note.textContent = "Could not update (" + error.message + "); retrying.";
        var old = box.querySelector(".console-fetch-error");
        if (old) {
          old.remove();
        }
        note.classList.add("console-fetch-error");
        box.prepend(note);
      })
      .finally(function () {
        busy = false;
      });
  }

  setInterval(refresh, every);
  document.addEventListener("visibilitychange", refresh);
})();
