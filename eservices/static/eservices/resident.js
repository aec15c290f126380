// Resident pages: pin picker on the server-drawn SVG map, phone GPS for emergencies, one submit per form.
(function () {
  "use strict";
  var R = 6378137;
  function toLonLat(x, y) {
    return [x / R * 180 / Math.PI, (2 * Math.atan(Math.exp(y / R)) - Math.PI / 2) * 180 / Math.PI];
  }
  function picker(svg) {
    var pin = svg.querySelector("#pin");
    var ox = parseFloat(svg.dataset.ox), oy = parseFloat(svg.dataset.oy);
    svg.addEventListener("click", function (ev) {
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      pin.setAttribute("cx", p.x.toFixed(1)); pin.setAttribute("cy", p.y.toFixed(1));
      var ll = toLonLat(ox + p.x, oy - p.y);
      document.getElementById("pin_lon").value = ll[0].toFixed(7);
      document.getElementById("pin_lat").value = ll[1].toFixed(7);
      var state = document.getElementById("pin-state");
      if (state) { state.hidden = false; }
    });
  }
  function gps(form) {
    var state = document.getElementById("gps-state");
    if (!navigator.geolocation) { return; }
    state.lastChild.textContent = " " + state.dataset.wait;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("gps_lon").value = pos.coords.longitude.toFixed(7);
      document.getElementById("gps_lat").value = pos.coords.latitude.toFixed(7);
      document.getElementById("gps_acc").value = Math.round(pos.coords.accuracy);
      state.lastChild.textContent = " " + state.dataset.ok;
      state.dataset.state = "ok";
    }, function () { /* no GPS: the house's point is sent */ }, {enableHighAccuracy: true, timeout: 8000, maximumAge: 60000});
  }
  function once(form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      if (b) { b.disabled = true; if (b.dataset.sending) { b.textContent = b.dataset.sending; } }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("svg.picker").forEach(picker);
    document.querySelectorAll("form[data-gps]").forEach(gps);
    document.querySelectorAll("form[data-once]").forEach(once);
    // A verification answer is said inside its card: bring it into view and to the screen reader.
    var said = document.getElementById("verify-message");
    if (said) { said.focus(); said.scrollIntoView({block: "center"}); }
  });
})();
