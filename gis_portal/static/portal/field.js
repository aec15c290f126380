// Field pages: the −/+ buttons of the counters (the numbers can also be typed).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button[data-step]");
    if (!b) { return; }
    ev.preventDefault();
    var input = document.getElementById(b.dataset.for);
    var v = parseInt(input.value || "0", 10) + parseInt(b.dataset.step, 10);
    input.value = Math.max(0, isNaN(v) ? 0 : v);
    input.dispatchEvent(new Event("change", {bubbles: true}));
  });
})();
