/* Conflict and draft pages: the office's and the field's versions side by side on two maps that
 * move together, over the newest imagery; the packet's version is drawn dashed on both. */
(function () {
  "use strict";

  const holder = document.getElementById("compare");
  const data = JSON.parse(document.getElementById("item-shapes").textContent);
  const geojson = new ol.format.GeoJSON({ dataProjection: "EPSG:4326", featureProjection: "EPSG:3857" });
  const tiles = holder.dataset.tiles.replace("/0/0/0.", "/{z}/{x}/{y}.");
  const view = new ol.View({ center: [0, 0], zoom: 2, maxZoom: 22 });
  const STYLE = {
    packet: new ol.style.Style({
      stroke: new ol.style.Stroke({ color: "#555", width: 2, lineDash: [6, 4] }),
      image: new ol.style.Circle({ radius: 6, stroke: new ol.style.Stroke({ color: "#555", width: 2 }) }),
    }),
    office: new ol.style.Style({
      stroke: new ol.style.Stroke({ color: "#1f78b4", width: 3 }),
      fill: new ol.style.Fill({ color: "rgba(31,120,180,0.25)" }),
      image: new ol.style.Circle({ radius: 7, fill: new ol.style.Fill({ color: "#1f78b4" }) }),
    }),
    field: new ol.style.Style({
      stroke: new ol.style.Stroke({ color: "#e31a1c", width: 3 }),
      fill: new ol.style.Fill({ color: "rgba(227,26,28,0.25)" }),
      image: new ol.style.Circle({ radius: 7, fill: new ol.style.Fill({ color: "#e31a1c" }) }),
    }),
  };
  const extent = ol.extent.createEmpty();

  function layerOf(kind) {
    const source = new ol.source.Vector();
    if (data[kind]) {
      const feature = new ol.Feature(geojson.readGeometry(data[kind]));
      source.addFeature(feature);
      ol.extent.extend(extent, feature.getGeometry().getExtent());
    }
    return new ol.layer.Vector({ source: source, style: STYLE[kind] });
  }

  const maps = [];
  document.querySelectorAll(".compare-map").forEach(function (el) {
    const kind = el.dataset.shape;
    const map = new ol.Map({
      target: el,
      view: view,
      layers: [
        new ol.layer.Tile({ source: new ol.source.XYZ({ url: tiles, maxZoom: 22 }) }),
        layerOf("packet"),
        layerOf(kind),
      ],
    });
    maps.push(map);
  });
  if (!ol.extent.isEmpty(extent)) {
    view.fit(ol.extent.buffer(extent, 25), { maxZoom: 20, size: maps[0].getSize() || [400, 300] });
  }
  maps.forEach(function (map) {
    map.once("rendercomplete", function () {
      holder.dataset.ready = "1";
    });
  });
})();
