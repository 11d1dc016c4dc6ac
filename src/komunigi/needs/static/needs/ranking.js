// Priority-round ranking, made nicer with JavaScript: drag the needs into order (mouse or
// touch, through SortableJS) or move them with the Move up / Move down buttons (keyboard);
// the rank numbers follow. Without JavaScript the rank numbers are typed by hand.
(function () {
  "use strict";

  function inputs(list) {
    return Array.prototype.slice.call(list.querySelectorAll(".rank-item input.rank"));
  }

  // A move renumbers the needs 1, 2, 3… in their new order, unless the numbers typed say
  // more than an order (ties, or needs left blank on purpose): those are kept as typed.
  function renumber(list) {
    var values = inputs(list).map(function (input) { return input.value.trim(); });
    var allBlank = values.every(function (v) { return v === ""; });
    var strict = values.every(function (v) { return v !== ""; }) &&
      new Set(values).size === values.length;
    if (!allBlank && !strict) { return; }
    inputs(list).forEach(function (input, index) { input.value = String(index + 1); });
  }

  function button(label, text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "link-button rank-move";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function enhance(list) {
    // Needs already numbered by the person (a ballot being replaced) keep their order.
    var items = Array.prototype.slice.call(list.querySelectorAll(".rank-item"));
    items.sort(function (a, b) {
      var ra = parseInt(a.querySelector("input.rank").value, 10) || Infinity;
      var rb = parseInt(b.querySelector("input.rank").value, 10) || Infinity;
      return ra - rb;
    });
    items.forEach(function (item) { list.appendChild(item); });

    items.forEach(function (item) {
      var title = item.querySelector("label").textContent.trim();
      item.appendChild(button(list.dataset.upLabel + " — " + title, "↑", function () {
        var previous = item.previousElementSibling;
        if (previous) { list.insertBefore(item, previous); renumber(list); this.focus(); }
      }));
      item.appendChild(button(list.dataset.downLabel + " — " + title, "↓", function () {
        var next = item.nextElementSibling;
        if (next) { list.insertBefore(next, item); renumber(list); this.focus(); }
      }));
    });
    list.classList.add("enhanced");
    if (window.Sortable) {
      window.Sortable.create(list, { handle: ".rank-handle", animation: 150, onEnd: function () { renumber(list); } });
    }
  }

  document.querySelectorAll("[data-ranking]").forEach(enhance);
})();
