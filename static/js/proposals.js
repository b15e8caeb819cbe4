// Proposal form: the budget year fields follow the chosen plan item and fiscal year as they change.
// Without JavaScript the "show the budget years" button asks the server for the same thing.
(function () {
  "use strict";
  var box = document.querySelector("fieldset.budget-years[data-plan-years]");
  if (!box) { return; }
  var form = box.closest("form");
  var planYears = JSON.parse(box.getAttribute("data-plan-years") || "{}");
  var span = parseInt(box.getAttribute("data-span"), 10) || 5;
  var template = box.getAttribute("data-label") || "{year}";
  var select = form.querySelector("select[name=plan_item_id]");
  var fiscal = form.querySelector("input[name=fiscal_year]");
  var hidden = form.querySelector("input[name=budget_years]");
  var button = form.querySelector(".js-choose-years");
  if (!select || !hidden) { return; }
  if (button) { button.parentNode.hidden = true; }

  function inputs() {
    var list = [];
    for (var i = 0; i < span; i++) {
      var input = form.querySelector("input[name=budget_" + i + "]");
      if (input) { list.push(input); }
    }
    return list;
  }

  function shownYears() {
    return (hidden.value || "").split(",").filter(function (y) { return /^\d+$/.test(y); }).map(Number);
  }

  function wantedYears() {
    var years = planYears[select.value];
    if (years) { return years; }
    var digits = (fiscal && fiscal.value || "").replace(/[๐-๙]/g, function (d) { return "๐๑๒๓๔๕๖๗๘๙".indexOf(d); });
    var fy = parseInt(digits.replace(/\D/g, ""), 10);
    if (!(fy >= 2400 && fy <= 2800)) { return null; }
    var list = [];
    for (var i = 0; i < span; i++) { list.push(fy + i); }
    return list;
  }

  function update() {
    var years = wantedYears();
    var before = shownYears();
    if (!years || years.join(",") === before.join(",")) { return; }
    var fields = inputs();
    var typed = {};
    before.forEach(function (year, i) { if (fields[i]) { typed[year] = fields[i].value; } });
    fields.forEach(function (input, i) {
      var wrap = input.closest(".budget-year-spare") || null;
      var field = input.closest(".field");
      var label = form.querySelector("label[for=" + input.id + "]");
      if (i < years.length) {
        input.value = typed[years[i]] || "";
        if (label) { label.textContent = template.replace("{year}", years[i]); }
        if (wrap) { wrap.hidden = false; } else if (field) { field.hidden = false; }
      } else {
        input.value = "";
        if (wrap) { wrap.hidden = true; } else if (field) { field.hidden = true; }
      }
    });
    hidden.value = years.join(",");
  }

  select.addEventListener("change", update);
  if (fiscal) { fiscal.addEventListener("change", update); }
})();
