// The reference page's operation filter. The page is complete without it:
// the filter box stays hidden unless this script runs.
"use strict";

(function () {
  var box = document.getElementById("operation-filter");
  var input = document.getElementById("operation-filter-text");
  var status = document.getElementById("operation-filter-status");
  if (!box || !input || !status) {
    return;
  }
  var operations = Array.prototype.slice.call(document.querySelectorAll("section.operation"));
  var tags = Array.prototype.slice.call(document.querySelectorAll("section.tag"));
  var entries = Array.prototype.slice.call(document.querySelectorAll(".toc-operation"));
  var texts = operations.map(function (section) {
    return section.textContent.toLowerCase();
  });

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    var visible = {};
    operations.forEach(function (section, index) {
      var match = words.every(function (word) {
        return texts[index].indexOf(word) !== -1;
      });
      section.hidden = !match;
      if (match) {
        shown += 1;
        visible[section.id] = true;
      }
    });
    tags.forEach(function (tag) {
      tag.hidden = !tag.querySelector("section.operation:not([hidden])");
    });
    entries.forEach(function (entry) {
      var link = entry.querySelector("a");
      entry.hidden = !visible[link.getAttribute("href").slice(1)];
    });
    status.textContent = words.length ? shown + " of " + operations.length + " operations match." : "";
  }

  box.hidden = false;
  input.addEventListener("input", apply);
})();
