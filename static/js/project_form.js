// Add-project form: the name follows the repository URL (its last path segment, without
// ".git") until the user types a name of their own.
(function () {
  function nameFrom(url) {
    var text = url.trim().replace(/[?#].*$/, "").replace(/[\/\\]+$/, "");
    var last = text.split(/[\/\\:]/).pop() || "";
    last = last.replace(/\.git$/i, "");
    // A bare repository's directory ("app.git") or a working copy's ".git" folder.
    if (!last || last === ".git") {
      var parts = text.replace(/[\/\\]\.git$/i, "").split(/[\/\\:]/);
      last = parts.pop() || "";
    }
    return last;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var name = document.querySelector("input[data-derive-from]");
    if (!name) { return; }
    var url = document.getElementById(name.getAttribute("data-derive-from"));
    if (!url) { return; }
    var derived = name.value === "" || name.value === nameFrom(url.value);
    var deriving = false;
    name.addEventListener("input", function () { if (!deriving) { derived = name.value === ""; } });
    url.addEventListener("input", function () {
      if (!derived) { return; }
      name.value = nameFrom(url.value);
      // Let the live check (htmx, on "input") see the new name too.
      deriving = true;
      name.dispatchEvent(new Event("input", { bubbles: true }));
      deriving = false;
    });
  });
})();
