// Knapsack ballot: a running total and the budget left as projects are ticked.
// Progressive enhancement only: the server checks every ballot, with or without this file.
(function () {
  "use strict";
  function baht(n) {
    var sign = n < 0 ? "-" : "";
    return sign + "\u0E3F" + Math.abs(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  document.querySelectorAll('fieldset.ballot[data-kind="knapsack"]').forEach(function (fieldset) {
    var budget = parseInt(fieldset.getAttribute("data-budget"), 10) || 0;
    var box = fieldset.querySelector(".knapsack-total");
    if (!box) { return; }
    var totalEl = box.querySelector('[data-role="total"]');
    var leftEl = box.querySelector('[data-role="left"]');
    var boxes = fieldset.querySelectorAll('input[type="checkbox"][data-cost]');
    function update() {
      var total = 0;
      boxes.forEach(function (b) { if (b.checked) { total += parseInt(b.getAttribute("data-cost"), 10) || 0; } });
      totalEl.textContent = baht(total);
      leftEl.textContent = baht(budget - total);
      box.classList.toggle("over", total > budget);
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    box.hidden = false;
    update();
  });
})();
