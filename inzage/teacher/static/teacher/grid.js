// The grade grid works like a spreadsheet column: Enter / arrow down go to the next student, Shift+Enter / arrow up
// to the previous one; Enter on the last student moves to the save button. Pasting several lines (a column copied
// from a spreadsheet) fills down from the current cell. Leaving the page (a link, reload, closing the tab) while the
// grid holds unsaved input asks first. No inline scripts (CSP): this file is loaded with defer.
(function () {
  "use strict";
  var form = document.getElementById("grade-grid");
  if (!form) { return; }
  var cells = Array.prototype.slice.call(form.querySelectorAll("input[data-grid-cell]"));
  var save = document.getElementById("save-grid");

  function focusCell(index) {
    if (index < 0) { return; }
    if (index >= cells.length) { if (save) { save.focus(); } return; }
    cells[index].focus();
    cells[index].select();
  }

  cells.forEach(function (cell, index) {
    cell.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var up = event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey);
        focusCell(up ? index - 1 : index + 1);
      }
    });
    cell.addEventListener("paste", function (event) {
      var data = (event.clipboardData || window.clipboardData).getData("text");
      if (!data || (data.indexOf("\n") === -1 && data.indexOf("\r") === -1)) { return; }
      event.preventDefault();
      var lines = data.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
      lines.forEach(function (line, offset) {
        var target = cells[index + offset];
        if (target) { target.value = line.split("\t")[0].trim(); }
      });
      focusCell(Math.min(index + lines.length, cells.length) - 1);
    });
  });

  // Unsaved: a cell typed into since the page loaded, or a cell the server sent back refused (a mistake or a
  // conflict: aria-invalid), whose text was never stored. Saving the grid itself is of course no reason to ask.
  function unsaved() {
    return cells.some(function (cell) {
      return cell.value !== cell.defaultValue || cell.getAttribute("aria-invalid") === "true";
    });
  }
  var saving = false;
  form.addEventListener("submit", function () { saving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (saving || !unsaved()) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers need it set; every browser shows its own text
  });
})();
