// Copy buttons: <button data-copy-target="ID" hidden> copies the text of element ID.
// The buttons stay hidden without JavaScript; the text itself can always be selected.
(function () {
  function say(button, text) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = text; }
  }
  function fallbackCopy(source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    return copied;
  }
  function copy(button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) { return; }
    var text = source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { say(button, "Copied."); },
        function () { say(button, fallbackCopy(source) ? "Copied." : "Select the text and copy it."); }
      );
    } else {
      say(button, fallbackCopy(source) ? "Copied." : "Select the text and copy it.");
    }
  }
  function reveal() {
    var buttons = document.querySelectorAll("button[data-copy-target][hidden]");
    for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = false; }
  }
  // Delegated, so that content swapped in by htmx works too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy-target]");
    if (button) { copy(button); }
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:load", reveal);
})();
