// Tax-status map of the executive report: parcels coloured by their tax status (tiles/tax_status.py).
(function () {
  "use strict";
  const target = document.getElementById("tax-map");
  const configEl = document.getElementById("tax-map-config");
  if (!target || !configEl || typeof ol === "undefined") return;
  const config = JSON.parse(configEl.textContent);
  const colours = {
    not_assessed: "#bdbdbd",
    draft: "#90caf9",
    issued_unpaid: "#ffb74d",
    partly_paid: "#fff176",
    paid: "#66bb6a",
    overdue: "#e53935",
  };
  const styles = {};
  Object.keys(colours).forEach((k) => {
    styles[k] = new ol.style.Style({
      fill: new ol.style.Fill({ color: colours[k] + "cc" }),
      stroke: new ol.style.Stroke({ color: "#333", width: 0.6 }),
    });
  });
  const source = new ol.source.VectorTile({
    format: new ol.format.MVT(),
    url: config.tiles + "/{z}/{x}/{y}.mvt",
    minZoom: 13,
    maxZoom: 20,
  });
  const layer = new ol.layer.VectorTile({
    source: source,
    style: (feature) => styles[feature.get("status")] || styles.not_assessed,
  });
  const map = new ol.Map({ target: target, layers: [layer], view: new ol.View({ zoom: 14, center: [0, 0] }) });
  const extent = ol.proj.transformExtent(config.extent, "EPSG:4326", "EPSG:3857");
  map.getView().fit(extent, { maxZoom: 16 });
  if (map.getView().getZoom() < 13) map.getView().setZoom(13);
  target.dataset.ready = "1";
  // Expose the statuses seen, for people (a tooltip) and for tests.
  map.on("pointermove", (evt) => {
    const f = map.getFeaturesAtPixel(evt.pixel)[0];
    target.title = f ? f.get("code") + ": " + f.get("status") : "";
  });
  map.on("rendercomplete", () => {
    const byParcel = {};
    layer.getFeaturesInExtent(map.getView().calculateExtent()).forEach((f) => {
      byParcel[f.get("code")] = f.get("status");  // a parcel cut by tile edges counts once
    });
    const seen = {};
    Object.values(byParcel).forEach((s) => { seen[s] = (seen[s] || 0) + 1; });
    target.dataset.statuses = JSON.stringify(seen);
  });
})();
