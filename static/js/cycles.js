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
    var leftLabel = box.querySelector('[data-role="left-label"]');
    var overHint = box.querySelector('[data-role="over-hint"]');
    var boxes = fieldset.querySelectorAll('input[type="checkbox"][data-cost]');
    function update() {
      var total = 0;
      boxes.forEach(function (b) { if (b.checked) { total += parseInt(b.getAttribute("data-cost"), 10) || 0; } });
      totalEl.textContent = baht(total);
      var over = total > budget;
      // Over the budget: "over by ฿X", never a minus sign the eye can miss.
      leftEl.textContent = baht(Math.abs(budget - total));
      leftLabel.textContent = box.getAttribute(over ? "data-over-label" : "data-left-label");
      overHint.hidden = !over;
      box.classList.toggle("over", over);
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    box.hidden = false;
    update();
  });
})();
