// Staff request map: OpenLayers (vendored, local) with the filtered requests as points; no remote tiles.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("queue-map");
    if (!el || !window.ol) { return; }
    var source = new ol.source.Vector({url: el.dataset.src, format: new ol.format.GeoJSON({featureProjection: "EPSG:3857"})});
    var styles = {};
    function style(f) {
      var key = f.get("overdue") ? "o" : "n";
      if (!styles[key]) {
        styles[key] = new ol.style.Style({image: new ol.style.Circle({radius: 7,
          fill: new ol.style.Fill({color: key === "o" ? "#d32f2f" : "#1565c0"}),
          stroke: new ol.style.Stroke({color: "#fff", width: 2})})});
      }
      return styles[key];
    }
    var layer = new ol.layer.Vector({source: source, style: style});
    var map = new ol.Map({target: el, layers: [layer], view: new ol.View({center: ol.proj.fromLonLat([97.96, 19.33]), zoom: 12})});
    source.once("featuresloadend", function () {
      if (source.getFeatures().length) { map.getView().fit(source.getExtent(), {padding: [40, 40, 40, 40], maxZoom: 17}); }
    });
    var popup = document.getElementById("queue-popup");
    var overlay = new ol.Overlay({element: popup, autoPan: true});
    map.addOverlay(overlay);
    map.on("singleclick", function (ev) {
      var f = map.forEachFeatureAtPixel(ev.pixel, function (x) { return x; });
      if (!f) { popup.hidden = true; return; }
      popup.textContent = "";
      var a = document.createElement("a");
      a.href = f.get("url");
      a.textContent = f.get("ref") + " " + f.get("name") + " — " + f.get("status") + " (" + f.get("house") + ")";
      popup.appendChild(a);
      popup.hidden = false;
      overlay.setPosition(ev.coordinate);
    });
    el.dataset.ready = "1";
    source.on("featuresloadend", function () { el.dataset.count = String(source.getFeatures().length); });
  });
})();
