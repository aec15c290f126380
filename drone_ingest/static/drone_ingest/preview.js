/* Preview of one orthomosaic: its XYZ tiles over an OpenLayers map, the footprint outlined. */
(function () {
  "use strict";

  function start() {
    const target = document.getElementById("ortho-map");
    if (!target || !window.ol) return;
    const bounds = target.dataset.bounds.split(",").map(Number);
    const footprintNode = document.getElementById("ortho-footprint");
    const layers = [
      new ol.layer.Tile({
        className: "ortho-tiles",
        source: new ol.source.XYZ({ url: target.dataset.tileUrl, tileSize: 256, crossOrigin: null }),
      }),
    ];
    if (footprintNode) {
      const geometry = new ol.format.GeoJSON().readGeometry(JSON.parse(footprintNode.textContent), {
        dataProjection: "EPSG:4326",
        featureProjection: "EPSG:3857",
      });
      layers.push(new ol.layer.Vector({
        source: new ol.source.Vector({ features: [new ol.Feature(geometry)] }),
        style: new ol.style.Style({ stroke: new ol.style.Stroke({ color: "#ff0", width: 2 }) }),
      }));
    }
    const map = new ol.Map({ target: target, layers: layers, view: new ol.View() });
    map.getView().fit(ol.proj.transformExtent(bounds, "EPSG:4326", "EPSG:3857"), { padding: [10, 10, 10, 10] });
    target.dataset.ready = "1";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
