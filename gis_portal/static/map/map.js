/* The staff map: the register's vector tiles over the drone imagery, search, feature panel,
 * measuring, and editing through the register's services (every save is checked on the server;
 * a refused save shows the server's reason next to the shape and the shapes are reloaded).
 * OpenLayers comes from /static/vendor/ol (the global `ol`); nothing loads from the internet. */
(function () {
  "use strict";

  const LANG = (document.documentElement.lang || "th").startsWith("en") ? "en" : "th";
  const TEXT = {
    th: {
      tax_layer: "สถานะภาษี ปี", tax_legend_not_assessed: "ยังไม่ประเมิน", tax_legend_draft: "ร่าง", tax_legend_issued_unpaid: "ยังไม่ชำระ", tax_legend_partly_paid: "ชำระบางส่วน", tax_legend_paid: "ชำระแล้ว", tax_legend_overdue: "ค้างชำระ", search: "ค้นหา", search_placeholder: "รหัสแปลง บ้านเลขที่ เลขเอกสาร ชื่อเจ้าของ", imagery: "ภาพถ่าย",
      compare: "เทียบกับ", none: "— ไม่มี —", no_imagery: "ยังไม่มีภาพถ่าย", measure_length: "วัดระยะ",
      measure_area: "วัดพื้นที่", reshape: "แก้รูปแปลง", new_parcel: "แปลงใหม่", new_building: "อาคารใหม่",
      new_household: "บ้านใหม่", split: "แบ่งแปลง", merge: "รวมแปลง", save: "บันทึก", cancel: "ยกเลิก",
      layers: "ชั้นข้อมูล", villages: "หมู่บ้าน", parcels: "แปลงที่ดิน", buildings: "อาคาร", households: "บ้าน",
      zoom_in_to_edit: "ซูมเข้าใกล้ขึ้นเพื่อแก้ไข (ระดับ 16 ขึ้นไป)", loading: "กำลังโหลด…", saved: "บันทึกแล้ว",
      no_results: "ไม่พบ", select_parcel_first: "เลือกแปลงก่อน", tax: "ภาษีที่ดินและสิ่งปลูกสร้าง", requests: "คำร้องบริการ", none_yet: "ยังไม่มี", reshape_building: "แก้รูปอาคาร", move_household: "ย้ายตำแหน่งบ้าน", move_help: "ลากจุดบ้านไปยังตำแหน่งใหม่ แล้วกดบันทึก", code: "รหัสแปลง", doc_type: "เอกสารสิทธิ์",
      doc_number: "เลขที่เอกสาร", codes: "รหัสแปลงใหม่ (คั่นด้วยจุลภาค)", house_number: "บ้านเลขที่",
      building_type: "ประเภทอาคาร", material: "วัสดุ", storeys: "จำนวนชั้น", retire: "ยกเลิกรายการนี้",
      confirm_retire: "ยืนยันการยกเลิก", undo: "ย้อนการบันทึกล่าสุด", owners: "ผู้ถือสิทธิ", history: "ประวัติ",
      attributes: "ข้อมูล", owners_hidden: "ไม่มีสิทธิ์ดูข้อมูลบุคคล", merge_pick: "คลิกแปลงที่ติดกันเพื่อรวม",
      draw_split: "ลากเส้นตัดผ่านแปลงที่เลือก ดับเบิลคลิกเพื่อจบ", draw_shape: "วาดรูป ดับเบิลคลิกเพื่อจบ",
      reshape_help: "ลากจุดยอดเพื่อแก้รูป จุดที่ใช้ร่วมกันจะย้ายไปด้วยกัน แล้วกดบันทึก", changed: "แก้ไขแล้ว",
      length: "ความยาว", area: "พื้นที่", rnw: "ไร่-งาน-ตร.ว.", selected: "เลือกแล้ว", predecessors: "มาจากแปลง",
      successors: "แทนที่โดย", panel_parcel: "แปลง", panel_building: "อาคาร", panel_household: "บ้านเลขที่",
      panel_village: "หมู่บ้าน", zoom: "ระดับซูม",
      reason: "เหตุผล", restore: "นำแปลงกลับมาใช้", retired_note: "ยกเลิกแล้ว", undo_preview: "การย้อนกลับจะทำสิ่งนี้",
      confirm_undo: "ยืนยันการย้อนกลับ",
    },
    en: {
      tax_layer: "Tax status, year", tax_legend_not_assessed: "not assessed", tax_legend_draft: "draft", tax_legend_issued_unpaid: "unpaid", tax_legend_partly_paid: "partly paid", tax_legend_paid: "paid", tax_legend_overdue: "overdue", search: "Search", search_placeholder: "parcel code, house no., document no., owner", imagery: "Imagery",
      compare: "Compare with", none: "— none —", no_imagery: "no imagery yet", measure_length: "Measure length",
      measure_area: "Measure area", reshape: "Reshape", new_parcel: "New parcel", new_building: "New building",
      new_household: "New household", split: "Split", merge: "Merge", save: "Save", cancel: "Cancel",
      layers: "Layers", villages: "Villages", parcels: "Parcels", buildings: "Buildings", households: "Households",
      zoom_in_to_edit: "Zoom in to edit (level 16 or more)", loading: "Loading…", saved: "Saved",
      no_results: "Nothing found", select_parcel_first: "Select a parcel first", tax: "Land and building tax", requests: "Service requests", none_yet: "none yet", reshape_building: "Reshape building", move_household: "Move house", move_help: "Drag the house point to its place, then Save", code: "Parcel code",
      doc_type: "Land document", doc_number: "Document no.", codes: "New parcel codes (comma separated)",
      house_number: "House no.", building_type: "Building type", material: "Material", storeys: "Storeys",
      retire: "Retire", confirm_retire: "Confirm retire", undo: "Undo last save", owners: "Holders",
      history: "History", attributes: "Attributes", owners_hidden: "Your role does not show personal data",
      merge_pick: "Click adjacent parcels to merge", draw_split: "Draw a line across the selected parcel; double-click to end",
      draw_shape: "Draw the shape; double-click to end", reshape_help: "Drag vertices; shared vertices move together; then Save",
      changed: "changed", length: "Length", area: "Area", rnw: "rai-ngan-wah", selected: "selected",
      predecessors: "From", successors: "Replaced by", panel_parcel: "Parcel", panel_building: "Building",
      panel_household: "House no.", panel_village: "Village", zoom: "Zoom",
      reason: "Reason", restore: "Restore parcel", retired_note: "Retired", undo_preview: "Undo will do this",
      confirm_undo: "Confirm undo",
    },
  };
  const ATTRIBUTE_LABELS = {
    th: {
      code: "รหัสแปลง", doc_type: "เอกสารสิทธิ์", doc_number: "เลขที่เอกสาร", village: "หมู่ที่", area_m2: "เนื้อที่ (ตร.ม.)",
      area_rnw: "เนื้อที่ (ไร่-งาน-ตร.ว.)", declared_rnw: "เนื้อที่ตามเอกสาร", land_use: "การใช้ประโยชน์", status: "สถานะ",
      building_type: "ประเภทอาคาร", material: "วัสดุ", storeys: "จำนวนชั้น", floor_area_m2: "พื้นที่ใช้สอย (ตร.ม.)",
      footprint_area_m2: "พื้นที่อาคาร (ตร.ม.)", year_built: "ปีที่สร้าง", house_number: "บ้านเลขที่", number: "หมู่ที่",
      name_th: "ชื่อ", name_en: "ชื่อภาษาอังกฤษ", geometry: "รูปแปลง",
    },
    en: {
      code: "Parcel code", doc_type: "Land document", doc_number: "Document no.", village: "Village", area_m2: "Area (m²)",
      area_rnw: "Area (rai-ngan-wah)", declared_rnw: "Declared area", land_use: "Land use", status: "Status",
      building_type: "Building type", material: "Material", storeys: "Storeys", floor_area_m2: "Floor area (m²)",
      footprint_area_m2: "Footprint (m²)", year_built: "Year built", house_number: "House no.", number: "Village no.",
      name_th: "Thai name", name_en: "English name",
    },
  };
  const t = (key) => TEXT[LANG][key] || key;
  const EDIT_MIN_ZOOM = 16;
  const LAYER_RANGES = {
    villages: [8, 16], parcels: [14, 18], buildings: [15, 18], households: [15, 18],
  };
  const DOC_TYPES = ["chanote", "ns3k", "ns3", "sk1", "spk401", "pbt5", "none", "other"];
  const BUILDING_TYPES = ["house", "row_house", "shophouse", "hut", "barn", "warehouse", "office", "religious", "school", "resort", "other"];
  const MATERIALS = ["concrete", "mixed", "wood", "steel", "bamboo", "other"];
  const LAND_USE_FILL = {
    agricultural: "rgba(120,170,60,0.28)", residential: "rgba(230,160,60,0.30)", other: "rgba(200,80,80,0.30)",
    vacant: "rgba(150,150,150,0.25)", exempt: "rgba(90,120,200,0.25)",
  };
  const BUILDING_FILL = {
    house: "#e07b39", row_house: "#c0553a", shophouse: "#b5443b", hut: "#b8925a", barn: "#8e7b4f",
    warehouse: "#6d6d7a", office: "#4b6fa5", religious: "#d4a017", school: "#3f8f6b", resort: "#9d5fa8", other: "#888",
  };

  const config = JSON.parse(document.getElementById("map-config").textContent);
  const csrfToken = document.querySelector("#csrf-form input[name=csrfmiddlewaretoken]").value;
  const geojson = new ol.format.GeoJSON();
  const el = (id) => document.getElementById(id);

  // --- i18n of the static page ----------------------------------------------------------------------
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  });

  // --- units and coordinates ------------------------------------------------------------------------
  function formatRnw(m2) {
    const wahTotal = Math.round((m2 / 4) * 10) / 10;
    const rai = Math.floor(wahTotal / 400);
    const ngan = Math.floor((wahTotal - rai * 400) / 100);
    const wah = (wahTotal - rai * 400 - ngan * 100).toFixed(1);
    return `${rai}-${ngan}-${wah}`;
  }

  function toUtm(lon, lat, zone) {
    // Transverse Mercator on WGS 84 (Snyder's series; well under a centimetre within a zone).
    const a = 6378137, f = 1 / 298.257223563, k0 = 0.9996;
    const e2 = f * (2 - f), ep2 = e2 / (1 - e2);
    const phi = (lat * Math.PI) / 180, lam = (lon * Math.PI) / 180;
    const lam0 = (((zone - 1) * 6 - 180 + 3) * Math.PI) / 180;
    const sin = Math.sin(phi), cos = Math.cos(phi), tan = Math.tan(phi);
    const N = a / Math.sqrt(1 - e2 * sin * sin);
    const T = tan * tan, C = ep2 * cos * cos, A = cos * (lam - lam0);
    const M = a * ((1 - e2 / 4 - (3 * e2 * e2) / 64 - (5 * e2 ** 3) / 256) * phi
      - ((3 * e2) / 8 + (3 * e2 * e2) / 32 + (45 * e2 ** 3) / 1024) * Math.sin(2 * phi)
      + ((15 * e2 * e2) / 256 + (45 * e2 ** 3) / 1024) * Math.sin(4 * phi)
      - ((35 * e2 ** 3) / 3072) * Math.sin(6 * phi));
    const x = k0 * N * (A + ((1 - T + C) * A ** 3) / 6 + ((5 - 18 * T + T * T + 72 * C - 58 * ep2) * A ** 5) / 120) + 500000;
    let y = k0 * (M + N * tan * ((A * A) / 2 + ((5 - T + 9 * C + 4 * C * C) * A ** 4) / 24
      + ((61 - 58 * T + T * T + 600 * C - 330 * ep2) * A ** 6) / 720));
    if (lat < 0) y += 10000000;
    return [x, y];
  }

  // --- organisation and view ------------------------------------------------------------------------
  const orgs = config.organisations || [];
  const editableOrgs = orgs.filter((o) => o.can_edit);
  let currentOrg = editableOrgs[0] || orgs[0] || null;
  const utmZone = () => ((currentOrg && currentOrg.utm_srid) || 32647) - 32600;

  // --- imagery: a date switch and a swipe between two dates ---------------------------------------------
  const imagery = config.imagery || [];
  const imageryLayers = imagery.map((item) => new ol.layer.Tile({
    source: new ol.source.XYZ({ url: item.tile_url_template, crossOrigin: null, maxZoom: 22 }),
    extent: item.bounds_4326 ? ol.proj.transformExtent(item.bounds_4326, "EPSG:4326", "EPSG:3857") : undefined,
    visible: false,
    properties: { imageryId: item.id },
  }));
  let compareLayer = null;

  // --- vector tiles ---------------------------------------------------------------------------------
  let selected = null; // {layer, id}
  const mergeSet = new Set();

  function isSelected(layer, feature) {
    const id = feature.getId();
    return (selected && selected.layer === layer && selected.id === id) || (layer === "parcels" && mergeSet.has(id));
  }

  function resolutionZoom(resolution) {
    return Math.log2(156543.03392804097 / resolution);
  }

  function parcelStyle(feature, resolution) {
    const on = isSelected("parcels", feature);
    const zoom = resolutionZoom(resolution);
    return new ol.style.Style({
      fill: new ol.style.Fill({ color: on ? "rgba(255,235,59,0.45)" : LAND_USE_FILL[feature.get("land_use")] || "rgba(255,255,255,0.12)" }),
      stroke: new ol.style.Stroke({ color: on ? "#d50000" : feature.get("doc_type") === "chanote" ? "#ffeb3b" : "#fff", width: on ? 3 : 1.2 }),
      text: zoom >= 16.5 && feature.get("label") ? new ol.style.Text({
        text: feature.get("code"), font: "12px Loma, Garuda, sans-serif", overflow: false,
        fill: new ol.style.Fill({ color: "#111" }), stroke: new ol.style.Stroke({ color: "#fff", width: 3 }),
      }) : undefined,
    });
  }

  function buildingStyle(feature) {
    const on = isSelected("buildings", feature);
    return new ol.style.Style({
      fill: new ol.style.Fill({ color: on ? "#ffeb3b" : BUILDING_FILL[feature.get("building_type")] || "#888" }),
      stroke: new ol.style.Stroke({ color: on ? "#d50000" : "#222", width: on ? 2.5 : 0.8 }),
    });
  }

  function householdStyle(feature, resolution) {
    const on = isSelected("households", feature);
    return new ol.style.Style({
      image: new ol.style.Circle({
        radius: on ? 7 : 5, fill: new ol.style.Fill({ color: on ? "#ffeb3b" : "#1565c0" }),
        stroke: new ol.style.Stroke({ color: "#fff", width: 1.5 }),
      }),
      text: resolutionZoom(resolution) >= 17 ? new ol.style.Text({
        text: feature.get("house_number"), offsetY: -12, font: "11px Loma, Garuda, sans-serif",
        fill: new ol.style.Fill({ color: "#0d2c54" }), stroke: new ol.style.Stroke({ color: "#fff", width: 3 }),
      }) : undefined,
    });
  }

  function villageStyle(feature) {
    const on = isSelected("villages", feature);
    const name = LANG === "en" && feature.get("name_en") ? feature.get("name_en") : feature.get("name_th");
    return new ol.style.Style({
      stroke: new ol.style.Stroke({ color: on ? "#d50000" : "#6a1b9a", width: on ? 3 : 2, lineDash: [8, 6] }),
      text: new ol.style.Text({
        text: `${LANG === "en" ? "Village" : "หมู่"} ${feature.get("number")} ${name || ""}`,
        font: "bold 13px Loma, Garuda, sans-serif", fill: new ol.style.Fill({ color: "#4a148c" }),
        stroke: new ol.style.Stroke({ color: "#fff", width: 3 }), overflow: true,
      }),
    });
  }

  const STYLES = { villages: villageStyle, parcels: parcelStyle, buildings: buildingStyle, households: householdStyle };
  const vectorLayers = {};
  ["villages", "parcels", "buildings", "households"].forEach((name) => {
    const [minZoom, maxZoom] = LAYER_RANGES[name];
    vectorLayers[name] = new ol.layer.VectorTile({
      source: new ol.source.VectorTile({
        format: new ol.format.MVT(),
        url: `/tiles/${name}/{z}/{x}/{y}.mvt`,
        minZoom, maxZoom,
      }),
      minZoom: minZoom - 0.01,
      style: STYLES[name],
      declutter: name === "households",
      properties: { register: name },
    });
  });

  // --- tax status: parcels coloured by the chosen year's tax status (roles that see tax data only) ------
  const taxYears = config.tax_years || [];
  const TAX_COLOURS = {
    not_assessed: "#bdbdbd", draft: "#90caf9", issued_unpaid: "#ffb74d",
    partly_paid: "#fff176", paid: "#66bb6a", overdue: "#e53935",
  };
  const taxStyles = {};
  Object.keys(TAX_COLOURS).forEach((k) => {
    taxStyles[k] = new ol.style.Style({
      fill: new ol.style.Fill({ color: TAX_COLOURS[k] + "b3" }),
      stroke: new ol.style.Stroke({ color: "#333", width: 0.6 }),
    });
  });
  const taxSource = (year) => new ol.source.VectorTile({
    format: new ol.format.MVT(), url: `/tiles/tax-status/${year}/{z}/{x}/{y}.mvt`, minZoom: 13, maxZoom: 20,
  });
  const taxLayer = taxYears.length ? new ol.layer.VectorTile({
    source: taxSource(taxYears[taxYears.length - 1].year),
    style: (feature) => taxStyles[feature.get("status")] || taxStyles.not_assessed,
    minZoom: 12.99, visible: false, properties: { tax: true },
  }) : null;

  function refreshTiles(...names) {
    (names.length ? names : Object.keys(vectorLayers)).forEach((name) => vectorLayers[name].getSource().refresh());
    if (taxLayer && !names.length) taxLayer.getSource().refresh();
  }

  // --- editing and measuring layers -------------------------------------------------------------------
  const editSource = new ol.source.Vector();
  const sketchSource = new ol.source.Vector();
  const editLayer = new ol.layer.Vector({
    source: editSource,
    style: (feature) => new ol.style.Style({
      fill: new ol.style.Fill({ color: feature.get("dirty") ? "rgba(255,152,0,0.35)" : "rgba(0,188,212,0.15)" }),
      stroke: new ol.style.Stroke({ color: feature.get("dirty") ? "#e65100" : "#00838f", width: 2 }),
      image: new ol.style.Circle({ radius: 5, fill: new ol.style.Fill({ color: "#00838f" }) }),
    }),
  });
  const sketchLayer = new ol.layer.Vector({
    source: sketchSource,
    style: new ol.style.Style({
      fill: new ol.style.Fill({ color: "rgba(213,0,0,0.15)" }),
      stroke: new ol.style.Stroke({ color: "#d50000", width: 2, lineDash: [6, 4] }),
      image: new ol.style.Circle({ radius: 6, fill: new ol.style.Fill({ color: "#d50000" }) }),
    }),
  });

  const messageOverlay = new ol.Overlay({ element: el("edit-message"), positioning: "bottom-center", offset: [0, -10], stopEvent: false });
  const measureOverlay = new ol.Overlay({ element: el("measure-tip"), positioning: "bottom-left", offset: [8, -8], stopEvent: false });

  const first = currentOrg ? currentOrg.extent : [97.9, 19.3, 98.0, 19.4];
  const map = new ol.Map({
    target: "map",
    layers: [...imageryLayers, vectorLayers.villages, ...(taxLayer ? [taxLayer] : []), vectorLayers.parcels,
      vectorLayers.buildings, vectorLayers.households, editLayer, sketchLayer],
    overlays: [messageOverlay, measureOverlay],
    controls: ol.control.defaults.defaults({ attribution: false }).extend([
      new ol.control.ScaleLine({ bar: true, text: true, minWidth: 100 }),
    ]),
    view: new ol.View({ maxZoom: 22 }),
  });
  map.getView().fit(ol.proj.transformExtent(first, "EPSG:4326", "EPSG:3857"), { padding: [20, 20, 20, 20] });

  // --- status and the message next to the shape -------------------------------------------------------
  function setStatus(text, kind) {
    const node = el("status");
    node.textContent = text || "";
    node.className = `status ${kind || ""}`;
  }

  function showError(error, coordinate) {
    const node = el("edit-message");
    node.replaceChildren();
    const main = document.createElement("strong");
    main.textContent = (LANG === "en" ? error.message_en : error.message_th) || error.message_en || String(error);
    const other = document.createElement("small");
    other.textContent = LANG === "en" ? error.message_th || "" : error.message_en || "";
    node.append(main, other);
    (error.problems || []).forEach((p) => {
      const line = document.createElement("small");
      line.textContent = `${p.item}: ${LANG === "en" ? p.message_en : p.message_th || p.message_en}`;
      node.append(line);
    });
    node.hidden = false;
    node.dataset.code = error.code || "";
    messageOverlay.setPosition(coordinate || map.getView().getCenter());
    setStatus(main.textContent, "error");
  }

  function clearError() {
    el("edit-message").hidden = true;
    messageOverlay.setPosition(undefined);
  }

  function interiorOf(geometry) {
    if (!geometry) return undefined;
    if (geometry.getType() === "Point") return geometry.getCoordinates();
    if (geometry.getType() === "Polygon") return geometry.getInteriorPoint().getCoordinates().slice(0, 2);
    if (geometry.getType() === "MultiPolygon") return geometry.getInteriorPoints().getCoordinates()[0].slice(0, 2);
    return ol.extent.getCenter(geometry.getExtent());
  }

  // --- server calls -----------------------------------------------------------------------------------
  async function api(url, body) {
    const options = body === undefined ? { credentials: "same-origin" } : {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
    };
    const response = await fetch(url, options);
    let data = {};
    try { data = await response.json(); } catch (e) { data = { code: "bad_response", message_en: response.statusText, message_th: response.statusText }; }
    if (!response.ok) { data.status = response.status; throw data; }
    return data;
  }

  const toGeoJSON = (geometry) => geojson.writeGeometryObject(geometry, {
    featureProjection: "EPSG:3857", dataProjection: "EPSG:4326", decimals: 10,
  });

  function viewBbox4326() {
    const extent = map.getView().calculateExtent(map.getSize());
    return ol.proj.transformExtent(extent, "EPSG:3857", "EPSG:4326").map((v) => v.toFixed(7)).join(",");
  }

  async function loadEditable(layer) {
    editSource.clear();
    const data = await api(`/map/api/features/${layer}/?bbox=${viewBbox4326()}`);
    const features = geojson.readFeatures(data, { featureProjection: "EPSG:3857", dataProjection: "EPSG:4326" });
    features.forEach((f) => f.set("layer", layer));
    editSource.addFeatures(features);
    return features;
  }

  // --- modes --------------------------------------------------------------------------------------------
  let mode = "browse";
  let interactions = [];
  let pendingSave = null; // the function the Save button runs

  function clearInteractions() {
    interactions.forEach((i) => map.removeInteraction(i));
    interactions = [];
  }

  function addInteractions(...list) {
    list.forEach((i) => { map.addInteraction(i); interactions.push(i); });
  }

  function setButtons() {
    document.querySelectorAll("[data-mode]").forEach((b) => b.classList.toggle("active", b.dataset.mode === mode));
    const editing = pendingSave !== null;
    el("save-edits").hidden = !editing;
    el("cancel-edits").hidden = mode === "browse";
  }

  function resetMode() {
    clearInteractions();
    editSource.clear();
    sketchSource.clear();
    mergeSet.clear();
    pendingSave = null;
    mode = "browse";
    el("form").replaceChildren();
    el("measure-tip").hidden = true;
    measureOverlay.setPosition(undefined);
    vectorLayers.parcels.changed();
    setButtons();
  }

  async function enterMode(next) {
    const wasSelected = selected;
    resetMode();
    clearError();
    mode = next;
    selected = wasSelected;
    setButtons();
    if (next.startsWith("measure")) return startMeasure(next === "measure-area" ? "Polygon" : "LineString");
    if (map.getView().getZoom() < EDIT_MIN_ZOOM - 0.01) {
      setStatus(t("zoom_in_to_edit"), "error");
      mode = "browse";
      setButtons();
      return;
    }
    if (next === "reshape") return startReshape();
    if (next === "draw-parcel") return startDraw("Polygon", parcelForm);
    if (next === "draw-building") {
      if (!selected || selected.layer !== "parcels") return refuseMode(t("select_parcel_first"));
      return startDraw("Polygon", buildingForm);
    }
    if (next === "draw-household") return startDraw("Point", householdForm);
    if (next === "split") {
      if (!selected || selected.layer !== "parcels") return refuseMode(t("select_parcel_first"));
      return startDraw("LineString", splitForm);
    }
    if (next === "merge") return startMerge();
  }

  function refuseMode(text) {
    setStatus(text, "error");
    mode = "browse";
    setButtons();
  }

  async function startReshape() {
    setStatus(t("loading"));
    await loadEditable("parcels");
    setStatus(t("reshape_help"));
    const modify = new ol.interaction.Modify({ source: editSource, pixelTolerance: 8 });
    modify.on("modifyend", (e) => { e.features.forEach((f) => f.set("dirty", true)); });
    addInteractions(modify, new ol.interaction.Snap({ source: editSource, pixelTolerance: 12 }));
    pendingSave = saveReshape;
    setButtons();
  }

  async function saveReshape() {
    const dirty = editSource.getFeatures().filter((f) => f.get("dirty"));
    if (!dirty.length) return;
    const where = interiorOf(dirty[0].getGeometry());
    try {
      const result = await api("/map/api/parcels/reshape/", {
        features: dirty.map((f) => ({ id: f.get("id"), version: f.get("version"), geometry: toGeoJSON(f.getGeometry()) })),
      });
      setStatus(`${t("saved")}: ${result.saved.map((p) => p.code).join(", ")}`, "ok");
      refreshTiles("parcels");
      await loadEditable("parcels");
      if (selected) openPanel(selected.layer, selected.id);
    } catch (error) {
      showError(error, where);
      await loadEditable("parcels"); // nothing was saved: show the register as it is
    }
  }

  // Reshape a building's footprint or move a house point: the one feature, in the sketch layer, snapping
  // to the parcels around it; saved through the same services (and checks) as every other edit.
  async function startShapeEdit(layer, id, data) {
    resetMode();
    mode = "edit-shape";
    setStatus(t("loading"));
    await loadEditable("parcels"); // what to snap to
    const feature = new ol.Feature(geojson.readGeometry(data.geometry, {
      featureProjection: "EPSG:3857", dataProjection: "EPSG:4326" }));
    feature.setProperties({ id, version: data.version });
    sketchSource.addFeature(feature);
    const modify = new ol.interaction.Modify({ source: sketchSource, pixelTolerance: 10 });
    modify.on("modifyend", () => feature.set("dirty", true));
    addInteractions(modify, new ol.interaction.Snap({ source: editSource, pixelTolerance: 12 }));
    setStatus(t(layer === "buildings" ? "reshape_help" : "move_help"));
    pendingSave = () => submitEdit(
      layer === "buildings" ? `/map/api/buildings/${id}/reshape/` : `/map/api/households/${id}/move/`,
      { version: data.version, geometry: toGeoJSON(feature.getGeometry()) },
      interiorOf(feature.getGeometry()), () => ({ layer, id }));
    setButtons();
  }

  function startDraw(type, onDrawn) {
    setStatus(t("draw_shape"));
    if (type === "LineString") setStatus(t("draw_split"));
    loadEditable("parcels").then(() => {
      const draw = new ol.interaction.Draw({ source: sketchSource, type });
      draw.on("drawend", (e) => {
        lastDrawEnd = performance.now();
        map.removeInteraction(draw);
        onDrawn(e.feature);
      });
      addInteractions(draw, new ol.interaction.Snap({ source: editSource, pixelTolerance: 12 }));
    });
  }

  // A small form in the panel (no browser dialogs: they would block and cannot be styled).
  function showForm(fields, onSave) {
    const form = document.createElement("form");
    form.className = "edit-form";
    fields.forEach((field) => {
      const label = document.createElement("label");
      label.textContent = t(field.name);
      label.htmlFor = `f-${field.name}`;
      let input;
      if (field.options) {
        input = document.createElement("select");
        field.options.forEach((value) => input.append(new Option(value, value)));
      } else {
        input = document.createElement("input");
        input.type = field.type || "text";
      }
      input.id = `f-${field.name}`;
      input.name = field.name;
      if (field.value !== undefined) input.value = field.value;
      form.append(label, input);
    });
    const actions = document.createElement("div");
    actions.className = "actions";
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "primary";
    save.textContent = t("save");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = t("cancel");
    cancel.addEventListener("click", () => resetMode());
    actions.append(save, cancel);
    form.append(actions);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = Object.fromEntries(new FormData(form).entries());
      save.disabled = true;
      await onSave(values);
      save.disabled = false;
    });
    el("form").replaceChildren(form);
    form.querySelector("input, select").focus();
  }

  async function submitEdit(url, body, where, after) {
    clearError();
    try {
      const result = await api(url, body);
      setStatus(t("saved"), "ok");
      const keep = after ? after(result) : null;
      resetMode();
      refreshTiles();
      if (keep) { selected = keep; openPanel(keep.layer, keep.id); }
      return result;
    } catch (error) {
      showError(error, where);
      // Nothing was saved: drop the sketch and show the register as the server has it.
      sketchSource.clear();
      el("form").replaceChildren();
      resetMode();
      refreshTiles();
      if (selected) openPanel(selected.layer, selected.id);
      return null;
    }
  }

  function parcelForm(feature) {
    showForm([{ name: "code" }, { name: "doc_type", options: DOC_TYPES, value: "none" }, { name: "doc_number" }], (v) =>
      submitEdit("/map/api/parcels/create/", {
        organisation: currentOrg && currentOrg.id, code: v.code, doc_type: v.doc_type, doc_number: v.doc_number,
        geometry: toGeoJSON(feature.getGeometry()),
      }, interiorOf(feature.getGeometry()), (r) => ({ layer: "parcels", id: r.id })));
  }

  function buildingForm(feature) {
    showForm([
      { name: "building_type", options: BUILDING_TYPES, value: "house" }, { name: "material", options: MATERIALS, value: "concrete" },
      { name: "storeys", type: "number", value: 1 },
    ], (v) => submitEdit("/map/api/buildings/create/", {
      parcel: selected.id, building_type: v.building_type, material: v.material, storeys: Number(v.storeys),
      geometry: toGeoJSON(feature.getGeometry()),
    }, interiorOf(feature.getGeometry()), (r) => ({ layer: "buildings", id: r.id })));
  }

  function householdForm(feature) {
    showForm([{ name: "house_number" }], (v) => submitEdit("/map/api/households/create/", {
      organisation: currentOrg && currentOrg.id, house_number: v.house_number, geometry: toGeoJSON(feature.getGeometry()),
    }, feature.getGeometry().getCoordinates(), (r) => ({ layer: "households", id: r.id })));
  }

  function splitForm(feature) {
    const target = editSource.getFeatureById(selected.id);
    const where = target ? interiorOf(target.getGeometry()) : feature.getGeometry().getFirstCoordinate();
    showForm([{ name: "codes" }], (v) => submitEdit(`/map/api/parcels/${selected.id}/split/`, {
      line: toGeoJSON(feature.getGeometry()), version: selected.version,
      codes: v.codes.split(/[,\s]+/).filter(Boolean),
    }, where, (r) => ({ layer: "parcels", id: r.created[0].id })));
  }

  function startMerge() {
    setStatus(t("merge_pick"));
    vectorLayers.parcels.changed();
    showMergeForm();
  }

  function showMergeForm() {
    showForm([{ name: "code" }], (v) => {
      const ids = [...mergeSet];
      const versions = Object.fromEntries(ids.map((id) => [id, versionOf.get(id)]).filter(([, ver]) => ver !== undefined));
      const where = lastMergeClick || map.getView().getCenter();
      return submitEdit("/map/api/parcels/merge/", { ids, code: v.code, versions }, where, (r) => ({ layer: "parcels", id: r.id }));
    });
    const list = document.createElement("p");
    list.className = "muted";
    list.id = "merge-list";
    list.textContent = `${t("selected")}: ${[...mergeSet].map((id) => codeOf.get(id) || id).join(", ")}`;
    el("form").prepend(list);
  }

  // Versions and codes seen in tiles, for merge (the panel gives the selected one).
  const versionOf = new Map();
  let lastMergeClick = null;
  const codeOf = new Map();

  // --- measuring ----------------------------------------------------------------------------------------
  function measureText(geometry) {
    if (geometry.getType() === "Polygon") {
      const m2 = ol.sphere.getArea(geometry);
      return `${t("area")}: ${m2.toLocaleString(undefined, { maximumFractionDigits: 1 })} m² · ${formatRnw(m2)} ${t("rnw")}`;
    }
    const m = ol.sphere.getLength(geometry);
    return `${t("length")}: ${m >= 1000 ? `${(m / 1000).toFixed(3)} km` : `${m.toFixed(2)} m`}`;
  }

  function startMeasure(type) {
    const draw = new ol.interaction.Draw({ source: sketchSource, type });
    draw.on("drawstart", (e) => {
      sketchSource.clear();
      e.feature.getGeometry().on("change", (ev) => {
        const geometry = ev.target;
        el("measure-tip").textContent = measureText(geometry);
        el("measure-tip").hidden = false;
        measureOverlay.setPosition(geometry.getLastCoordinate());
      });
    });
    draw.on("drawend", (e) => { lastDrawEnd = performance.now(); setStatus(measureText(e.feature.getGeometry()), "ok"); });
    addInteractions(draw);
  }

  // --- selecting and the panel -------------------------------------------------------------------------
  function featureAt(pixel) {
    let found = null;
    for (const name of ["households", "buildings", "parcels", "villages"]) {
      const layer = vectorLayers[name];
      if (!layer.getVisible()) continue;
      map.forEachFeatureAtPixel(pixel, (feature) => { found = { layer: name, feature }; return true; }, {
        layerFilter: (l) => l === layer, hitTolerance: 3,
      });
      if (found) return found;
    }
    return null;
  }

  // OpenLayers reports a single click 250 ms late; a click that was part of drawing must not act
  // once the map is back in browse mode.
  let lastDrawEnd = 0;
  map.on("singleclick", (e) => {
    if (mode !== "browse" && mode !== "merge") return;
    if (e.originalEvent && e.originalEvent.timeStamp <= lastDrawEnd) return;
    const hit = featureAt(e.pixel);
    if (mode === "merge") {
      if (hit && hit.layer === "parcels") {
        const id = hit.feature.getId();
        versionOf.set(id, hit.feature.get("version"));
        codeOf.set(id, hit.feature.get("code"));
        if (mergeSet.has(id)) mergeSet.delete(id); else mergeSet.add(id);
        lastMergeClick = e.coordinate;
        vectorLayers.parcels.changed();
        showMergeForm();
      }
      return;
    }
    clearError();
    if (!hit) { selected = null; el("details").replaceChildren(); Object.values(vectorLayers).forEach((l) => l.changed()); return; }
    const id = hit.feature.getId();
    if (hit.layer === "parcels") { versionOf.set(id, hit.feature.get("version")); codeOf.set(id, hit.feature.get("code")); }
    selected = { layer: hit.layer, id, version: hit.feature.get("version") };
    Object.values(vectorLayers).forEach((l) => l.changed());
    openPanel(hit.layer, id);
  });

  function table(rows) {
    const tbl = document.createElement("table");
    rows.forEach(([key, value]) => {
      const tr = tbl.insertRow();
      const th = document.createElement("th");
      th.textContent = key;
      tr.append(th);
      tr.insertCell().textContent = value === null || value === undefined || value === "" ? "–" : String(value);
    });
    return tbl;
  }

  function heading(text) {
    const h = document.createElement("h3");
    h.textContent = text;
    return h;
  }

  function button(text, onClick, id) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (id) b.id = id;
    b.addEventListener("click", onClick);
    return b;
  }

  const readGeometry = (geometry) => geojson.readGeometry(geometry, {
    featureProjection: "EPSG:3857", dataProjection: "EPSG:4326" });

  function drawOutline(geometry) {
    sketchSource.clear();
    if (geometry) sketchSource.addFeature(new ol.Feature(readGeometry(geometry)));
  }

  // Undo: first what it will do (from the server, nothing changed yet), then only on confirmation.
  async function previewUndo(id, data, where) {
    clearError();
    let plan;
    try {
      plan = await api(`/map/api/parcels/${id}/undo/`);
    } catch (error) {
      showError(error, where);  // e.g. nothing to undo: said next to the parcel, nothing changes
      return;
    }
    const box = document.createElement("div");
    box.className = "undo-preview";
    box.id = "undo-preview";
    const summary = document.createElement("p");
    summary.textContent = LANG === "en" ? plan.summary_en : plan.summary_th;
    box.append(heading(t("undo_preview")), summary);
    if (plan.changes.length) {
      box.append(table(plan.changes.map((c) => [ATTRIBUTE_LABELS[LANG][c.field] || c.field, `${c.now || "–"} → ${c.after || "–"}`])));
    }
    drawOutline(plan.geometry_after);
    const actions = document.createElement("div");
    actions.className = "actions";
    const confirm = button(t("confirm_undo"), () => submitEdit(`/map/api/parcels/${id}/undo/`,
      { version: data.version, token: plan.token }, where, (r) => ({ layer: "parcels", id: r.id })), "confirm-undo");
    confirm.className = "primary";
    actions.append(confirm, button(t("cancel"), () => { sketchSource.clear(); el("form").replaceChildren(); }, "cancel-undo"));
    box.append(actions);
    el("form").replaceChildren(box);
    box.scrollIntoView({ block: "nearest" });
  }

  async function openPanel(layer, id) {
    const details = el("details");
    let data;
    try {
      data = await api(`/map/api/panel/${layer}/${id}/`);
    } catch (error) {
      details.replaceChildren();
      setStatus(LANG === "en" ? error.message_en : error.message_th, "error");
      return;
    }
    if (selected && selected.layer === layer && selected.id === id) selected.version = data.version;
    if (layer === "parcels") { versionOf.set(id, data.version); codeOf.set(id, data.title); }
    const title = heading(`${t(`panel_${layer.replace(/s$/, "")}`)} ${data.title}`);
    title.id = "panel-title";
    const parts = [title, heading(t("attributes")), table(Object.entries(data.attributes).map(([k, v]) => [ATTRIBUTE_LABELS[LANG][k] || k, v]))];
    if (layer === "parcels") {
      parts.push(heading(t("owners")));
      if (data.owners_hidden) parts.push(document.createTextNode(t("owners_hidden")));
      else parts.push(table(data.owners.map((o) => [o.name, `${o.share} ${o.right} ${o.national_id}`])));
      parts.push(heading(t("buildings")), table(data.buildings.map((b) => [b.number, b.type])));
      parts.push(heading(t("households")), table(data.households.map((h) => [h.house_number, ""])));
      if (data.tax) {
        parts.push(heading(t("tax")));
        parts.push(data.tax.length ? table(data.tax.map((a) => [
          `${LANG === "en" ? a.year : a.year + 543} ${a.notice || ""}`, `${a.status} · ${a.paid} / ${a.total}`]))
          : document.createTextNode(t("none_yet")));
      }
      if (data.requests) {
        parts.push(heading(t("requests")));
        parts.push(data.requests.length ? table(data.requests.map((r) => [
          `${r.reference} (${r.house_number})`,
          `${LANG === "en" ? r.service_en : r.service_th}: ${LANG === "en" ? r.status_en : r.status_th} · ${r.created}`]))
          : document.createTextNode(t("none_yet")));
      }
      if (data.predecessors.length) parts.push(table([[t("predecessors"), data.predecessors.join(", ")]]));
      if (data.successors.length) parts.push(table([[t("successors"), data.successors.join(", ")]]));
    }
    if (data.history) {
      parts.push(heading(t("history")), table(data.history.map((h) => [
        new Date(h.date).toLocaleString(LANG === "th" ? "th-TH" : "en-GB"),
        `${h.version ? `v${h.version} ` : ""}${h.reason || h.type} ${h.user}`,
      ])));
    }
    const org = orgs.find((o) => o.id === data.organisation) || currentOrg;
    const where = data.geometry ? interiorOf(readGeometry(data.geometry)) : undefined;
    if (mode === "browse") sketchSource.clear();
    if (data.status === "retired") {
      // Not in the tiles any more: drawn dashed, with when and why it was retired.
      drawOutline(data.geometry);
      const note = document.createElement("p");
      note.className = "retired-note";
      note.id = "retired-note";
      note.textContent = `${t("retired_note")} ${data.retired_at ? new Date(data.retired_at).toLocaleDateString(LANG === "th" ? "th-TH" : "en-GB") : ""} ${data.retire_reason || ""}`;
      parts.splice(1, 0, note);
    }
    const actions = document.createElement("div");
    actions.className = "actions";
    if (org && org.can_edit && data.version !== undefined && layer !== "villages" && data.status !== "retired") {
      // Retiring is on purpose: it asks the reason, which the history keeps.
      actions.append(button(t("retire"), () => showForm([{ name: "reason" }], (v) =>
        submitEdit(`/map/api/${layer}/${id}/retire/`, { version: data.version, reason: v.reason }, where)), "retire"));
      if (layer === "buildings" || layer === "households") {
        actions.append(button(t(layer === "buildings" ? "reshape_building" : "move_household"),
          () => startShapeEdit(layer, id, data), "edit-shape"));
      }
      if (layer === "parcels") actions.append(button(t("undo"), () => previewUndo(id, data, where), "undo"));
    }
    if (layer === "parcels" && data.can_restore) {
      actions.append(button(t("restore"), () => showForm([{ name: "reason" }], (v) =>
        submitEdit(`/map/api/parcels/${id}/restore/`, { version: data.version, reason: v.reason }, where,
          (r) => ({ layer: "parcels", id: r.id }))), "restore"));
    }
    if (actions.childElementCount) parts.push(actions);
    details.replaceChildren(...parts);
  }

  // --- search -------------------------------------------------------------------------------------------
  el("search-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = el("search").value.trim();
    const box = el("results");
    if (!q) { box.replaceChildren(); return; }
    const data = await api(`/map/api/search/?q=${encodeURIComponent(q)}`);
    const list = document.createElement("ul");
    data.results.forEach((r) => {
      const li = document.createElement("li");
      li.append(button(`${t(r.layer)} ${r.label}`, () => goTo(r), undefined));
      list.append(li);
    });
    box.replaceChildren(data.results.length ? list : document.createTextNode(t("no_results")));
    if (data.results.length === 1) goTo(data.results[0]);
  });

  function goTo(result) {
    const extent = ol.proj.transformExtent(result.extent, "EPSG:4326", "EPSG:3857");
    map.getView().fit(extent, { padding: [60, 60, 60, 60], maxZoom: 18.5 });
    selected = { layer: result.layer, id: result.id };
    Object.values(vectorLayers).forEach((l) => l.changed());
    openPanel(result.layer, result.id);
  }

  // --- toolbar ------------------------------------------------------------------------------------------
  document.querySelectorAll("[data-mode]").forEach((b) => b.addEventListener("click", () => {
    if (mode === b.dataset.mode) { resetMode(); setStatus(""); return; }
    enterMode(b.dataset.mode);
  }));
  el("save-edits").addEventListener("click", () => pendingSave && pendingSave());
  el("cancel-edits").addEventListener("click", () => { resetMode(); setStatus(""); });
  document.querySelectorAll("[data-layer]").forEach((box) => box.addEventListener("change", () => {
    vectorLayers[box.dataset.layer].setVisible(box.checked);
  }));
  if (taxLayer) {
    const taxBox = el("tax-layer");
    const taxYear = el("tax-year");
    el("tax-tools").hidden = false;
    taxYears.forEach((y) => taxYear.append(new Option(LANG === "en" ? String(y.year) : String(y.year_be), String(y.year))));
    taxYear.value = String(taxYears[taxYears.length - 1].year);
    const legend = el("tax-legend");
    Object.keys(TAX_COLOURS).forEach((k) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = TAX_COLOURS[k];
      item.append(swatch, " " + t("tax_legend_" + k));
      legend.append(item);
    });
    const showTax = () => { taxLayer.setVisible(taxBox.checked); legend.hidden = !taxBox.checked; };
    taxBox.addEventListener("change", showTax);
    taxYear.addEventListener("change", () => { taxLayer.setSource(taxSource(taxYear.value)); });
    // The statuses drawn in view (a parcel cut by tile edges counts once): for people and for tests.
    map.on("rendercomplete", () => {
      if (!taxLayer.getVisible()) return;
      const byParcel = {};
      taxLayer.getFeaturesInExtent(map.getView().calculateExtent()).forEach((f) => { byParcel[f.get("code")] = f.get("status"); });
      const seen = {};
      Object.values(byParcel).forEach((st) => { seen[st] = (seen[st] || 0) + 1; });
      legend.dataset.statuses = JSON.stringify(seen);
    });
    showTax();
  }
  if (editableOrgs.length) {
    el("edit-tools").hidden = false;
    const select = el("org-select");
    editableOrgs.forEach((o) => select.append(new Option(LANG === "en" && o.name_en ? o.name_en : o.name_th, o.id)));
    select.hidden = editableOrgs.length < 2;
    select.addEventListener("change", () => { currentOrg = editableOrgs.find((o) => String(o.id) === select.value); });
  }

  // Imagery date switch and swipe compare.
  const dateSelect = el("imagery-date");
  const compareSelect = el("compare-date");
  const swipe = el("swipe");
  function dateLabel(item) {
    const d = item.captured ? new Date(item.captured) : null;
    const date = d ? d.toLocaleDateString(LANG === "th" ? "th-TH" : "en-GB", { year: "numeric", month: "short", day: "numeric" }) : "";
    return `${date} ${item.title || ""}`.trim();
  }
  if (!imagery.length) {
    dateSelect.append(new Option(t("no_imagery"), ""));
    dateSelect.disabled = true;
  }
  imagery.forEach((item, i) => dateSelect.append(new Option(dateLabel(item), String(i))));
  compareSelect.append(new Option(t("none"), ""));
  imagery.forEach((item, i) => compareSelect.append(new Option(dateLabel(item), String(i))));
  compareSelect.disabled = imagery.length < 2;
  swipe.hidden = true;

  function clipCompare(event) {
    const ctx = event.context;
    const size = map.getSize();
    const x = (size[0] * Number(swipe.value)) / 100;
    const tl = ol.render.getRenderPixel(event, [x, 0]);
    const tr = ol.render.getRenderPixel(event, [size[0], 0]);
    const bl = ol.render.getRenderPixel(event, [x, size[1]]);
    const br = ol.render.getRenderPixel(event, size);
    ctx.save();
    ctx.beginPath();
    ctx.moveTo(tl[0], tl[1]);
    ctx.lineTo(bl[0], bl[1]);
    ctx.lineTo(br[0], br[1]);
    ctx.lineTo(tr[0], tr[1]);
    ctx.closePath();
    ctx.clip();
  }
  const unclip = (event) => event.context.restore();

  function applyImagery() {
    const base = dateSelect.value === "" ? -1 : Number(dateSelect.value);
    const other = compareSelect.value === "" ? -1 : Number(compareSelect.value);
    if (compareLayer) {
      compareLayer.un("prerender", clipCompare);
      compareLayer.un("postrender", unclip);
      compareLayer = null;
    }
    imageryLayers.forEach((layer, i) => { layer.setVisible(i === base || (i === other && other !== base)); layer.setZIndex(0); });
    if (other >= 0 && other !== base) {
      compareLayer = imageryLayers[other];
      compareLayer.setZIndex(1);
      compareLayer.on("prerender", clipCompare);
      compareLayer.on("postrender", unclip);
    }
    swipe.hidden = !compareLayer;
    map.render();
  }
  dateSelect.addEventListener("change", applyImagery);
  compareSelect.addEventListener("change", applyImagery);
  swipe.addEventListener("input", () => map.render());
  if (imagery.length) {
    dateSelect.value = String(imagery.length - 1); // the newest capture
    applyImagery();
  }

  // --- coordinates and zoom -----------------------------------------------------------------------------
  map.on("pointermove", (e) => {
    const [lon, lat] = ol.proj.toLonLat(e.coordinate);
    el("coords-latlon").textContent = `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
    const [x, y] = toUtm(lon, lat, utmZone());
    el("coords-utm").textContent = `UTM ${utmZone()}N ${x.toFixed(1)} E ${y.toFixed(1)} N`;
  });
  map.getView().on("change:resolution", () => {
    el("zoom-level").textContent = `${t("zoom")} ${map.getView().getZoom().toFixed(1)}`;
  });
  el("zoom-level").textContent = `${t("zoom")} ${map.getView().getZoom().toFixed(1)}`;

  // For the browser tests and for staff tools that script the map.
  window.pangmuMap = {
    map, vectorLayers, editSource, imageryLayers, formatRnw, toUtm,
    pixelOf: (lon, lat) => map.getPixelFromCoordinate(ol.proj.fromLonLat([lon, lat])),
    mode: () => mode,
    selected: () => selected,
    openPanel: (layer, id) => { selected = { layer, id }; return openPanel(layer, id); },
  };
})();
