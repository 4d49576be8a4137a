// Progressive enhancement of a table page: click-to-sort headers (the vendored
// tablesort) and a row filter. Without scripts the page shows the whole table,
// in the order of the data, and nothing is lost.
(function () {
  "use strict";
  var table = document.querySelector("table.data");
  if (!table || !table.tBodies.length) return;
  if (window.Tablesort) new window.Tablesort(table);

  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  // The page's language picks the words (the Chinese twins have lang="zh-CN").
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var words = zh
    ? {label: "筛选行 ", placeholder: "任一单元格中的文字", of: function (n, all) { return " 显示 " + n + " / " + all + " 行"; }}
    : {label: "Filter rows ", placeholder: "text in any cell", of: function (n, all) { return " " + n + " of " + all + " rows"; }};
  var box = document.createElement("p");
  box.className = "filter";
  var label = document.createElement("label");
  label.textContent = words.label;
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = words.placeholder;
  input.setAttribute("aria-controls", table.id);
  var count = document.createElement("span");
  count.className = "filter-count";
  count.setAttribute("aria-live", "polite");
  label.appendChild(input);
  box.appendChild(label);
  box.appendChild(count);
  var wrap = table.closest(".table-wrap") || table;
  wrap.parentNode.insertBefore(box, wrap);
  document.documentElement.classList.add("tables-enhanced");

  input.addEventListener("input", function () {
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1;
      row.hidden = !hit;
      if (hit) shown += 1;
    });
    count.textContent = needle ? words.of(shown, rows.length) : "";
  });
})();
