"""The packet's QGIS project (.qgz), written without QGIS: the XML that QGIS 3.22 itself writes,
reduced to what the packet needs. Paths are relative, so the folder can be copied to a phone.

Forms: coded fields get a value list (ValueMap) labelled in Thai and English, photo fields QField's
attachment widget (files under DCIM/, relative to the project), register fields are read-only, and
required values are not-null constraints. The map opens on the village over the offline basemap.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from pyproj import CRS

from .schema import BASEMAP_SRID, PACKET_SRID, PHOTO_DIR, LayerSpec

QGIS_VERSION = "3.22.16-Białowieża"
STYLES = {
    # layer: (fill "r,g,b,a", outline "r,g,b,a", outline width mm)
    "parcels": ("255,255,255,0", "255,221,0,255", "0.5"),
    "buildings": ("227,26,28,90", "120,0,0,255", "0.4"),
}
POINT_STYLE = ("31,120,180,255", "255,255,255,255", "2.6")
LABELS = {"parcels": "parcel_code", "households": "house_number"}


@dataclass
class ProjectLayer:
    spec: LayerSpec
    source: str  # relative to the project, e.g. "./x.gpkg|layername=buildings"


def _option(
    parent: ET.Element, name: str | None = None, value: Any = None, type_: str | None = None
) -> ET.Element:
    attrs = {}
    if name is not None:
        attrs["name"] = name
    if value is not None:
        attrs["value"] = str(value)
    if type_ is not None:
        attrs["type"] = type_
    return ET.SubElement(parent, "Option", attrs)


def _srs(parent: ET.Element, epsg: int) -> None:
    crs = CRS.from_epsg(epsg)
    ref = ET.SubElement(parent, "spatialrefsys")
    for tag, text in (
        ("wkt", crs.to_wkt()),
        ("srid", str(epsg)),
        ("authid", f"EPSG:{epsg}"),
        ("description", crs.name),
        ("geographicflag", "true" if crs.is_geographic else "false"),
    ):
        ET.SubElement(ref, tag).text = text


def _text(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _widget(field_el: ET.Element, column: Any) -> None:
    if column.value_list:
        widget = ET.SubElement(field_el, "editWidget", type="ValueMap")
        config = _option(ET.SubElement(widget, "config"), type_="Map")
        entries = _option(config, "map", type_="List")
        for value, label in column.value_list:
            _option(_option(entries, type_="Map"), label, value, "QString")
    elif column.photo:
        widget = ET.SubElement(field_el, "editWidget", type="ExternalResource")
        config = _option(ET.SubElement(widget, "config"), type_="Map")
        for name, value, kind in (
            ("DocumentViewer", 1, "int"),  # show the image
            ("DocumentViewerHeight", 0, "int"),
            ("DocumentViewerWidth", 0, "int"),
            ("FileWidget", "true", "bool"),
            ("FileWidgetButton", "true", "bool"),
            ("FullUrl", "false", "bool"),
            ("RelativeStorage", 1, "int"),  # relative to the project
            ("StorageMode", 0, "int"),  # files
            ("UseLink", "false", "bool"),
            ("DefaultRoot", f"@project_folder/{PHOTO_DIR}", "QString"),
        ):
            _option(config, name, value, kind)
    else:
        widget = ET.SubElement(field_el, "editWidget", type="TextEdit" if column.kind == "text" else "Range")
        config = _option(ET.SubElement(widget, "config"), type_="Map")
        if column.kind == "text":
            _option(config, "IsMultiline", "true" if column.name == "note" else "false", "bool")
            _option(config, "UseHtml", "false", "bool")
        else:
            _option(config, "AllowNull", "true", "bool")
            _option(config, "Style", "SpinBox", "QString")
            _option(config, "Min", 0, "int" if column.kind == "int" else "double")
            _option(
                config,
                "Max",
                2147483647 if column.kind == "int" else 1e9,
                "int" if column.kind == "int" else "double",
            )
            _option(config, "Step", 1, "int" if column.kind == "int" else "double")
            if column.kind == "float":
                _option(config, "Precision", 2, "int")


def _symbol(parent: ET.Element, spec: LayerSpec) -> None:
    renderer = ET.SubElement(
        parent, "renderer-v2", type="singleSymbol", symbollevels="0", forceraster="0", enableorderby="0"
    )
    symbols = ET.SubElement(renderer, "symbols")
    if spec.geometry == "Point":
        symbol = ET.SubElement(symbols, "symbol", type="marker", name="0", alpha="1", clip_to_extent="1")
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"}
        )
        fill, outline, size = POINT_STYLE
        props = {
            "name": "circle",
            "color": fill,
            "outline_color": outline,
            "outline_width": "0.4",
            "size": size,
            "size_unit": "MM",
            "outline_width_unit": "MM",
            "outline_style": "solid",
        }
    else:
        symbol = ET.SubElement(symbols, "symbol", type="fill", name="0", alpha="1", clip_to_extent="1")
        layer = ET.SubElement(
            symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"}
        )
        fill, outline, width = STYLES.get(spec.name, ("255,255,255,0", "0,0,0,255", "0.4"))
        props = {
            "color": fill,
            "outline_color": outline,
            "outline_width": width,
            "outline_width_unit": "MM",
            "outline_style": "solid",
            "style": "solid",
            "joinstyle": "bevel",
        }
    options = _option(layer, type_="Map")
    for key, value in props.items():
        _option(options, key, value, "QString")
    ET.SubElement(renderer, "rotation")
    ET.SubElement(renderer, "sizescale")


def _labels(maplayer: ET.Element, field_name: str) -> None:
    labeling = ET.SubElement(maplayer, "labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    style = ET.SubElement(
        settings,
        "text-style",
        fieldName=field_name,
        isExpression="0",
        fontSize="9",
        fontSizeUnit="Point",
        textColor="0,0,0,255",
        textOpacity="1",
    )
    buffer = ET.SubElement(
        style,
        "text-buffer",
        bufferDraw="1",
        bufferSize="1",
        bufferSizeUnits="MM",
        bufferColor="255,255,255,255",
        bufferOpacity="1",
    )
    buffer.text = None
    ET.SubElement(settings, "text-format", wrapChar="", multilineAlign="3")
    ET.SubElement(
        settings, "placement", placement="1" if field_name == "parcel_code" else "6", dist="0", priority="5"
    )
    ET.SubElement(
        settings,
        "rendering",
        scaleVisibility="1",
        scaleMin="0",
        scaleMax="5000",
        obstacle="1",
        displayAll="0",
        upsidedownLabels="0",
    )


def _vector_layer(parent: ET.Element, layer: ProjectLayer, layer_id: str) -> None:
    spec = layer.spec
    maplayer = ET.SubElement(
        parent,
        "maplayer",
        type="vector",
        geometry="Point" if spec.geometry == "Point" else "Polygon",
        wkbType=spec.geometry or "NoGeometry",
        readOnly="0",
        labelsEnabled="1" if spec.name in LABELS else "0",
        styleCategories="AllStyleCategories",
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
    )
    _text(maplayer, "id", layer_id)
    _text(maplayer, "datasource", layer.source)
    _text(maplayer, "layername", spec.title)
    _srs(ET.SubElement(maplayer, "srs"), PACKET_SRID)
    _text(maplayer, "provider", "ogr", encoding="UTF-8")
    flags = ET.SubElement(maplayer, "flags")
    for tag, value in (("Identifiable", "1"), ("Removable", "1"), ("Searchable", "1"), ("Private", "0")):
        _text(flags, tag, value)
    _symbol(maplayer, spec)
    if spec.name in LABELS:
        _labels(maplayer, LABELS[spec.name])
    fields = ET.SubElement(maplayer, "fieldConfiguration")
    fid = ET.SubElement(fields, "field", name="fid", configurationFlags="None")
    ET.SubElement(ET.SubElement(fid, "editWidget", type="Hidden"), "config").append(ET.Element("Option"))
    for column in spec.columns:
        _widget(ET.SubElement(fields, "field", name=column.name, configurationFlags="None"), column)
    aliases = ET.SubElement(maplayer, "aliases")
    ET.SubElement(aliases, "alias", field="fid", index="0", name="")
    for i, column in enumerate(spec.columns, start=1):
        ET.SubElement(aliases, "alias", field=column.name, index=str(i), name=column.alias)
    defaults = ET.SubElement(maplayer, "defaults")
    for column in spec.columns:
        expression = "1" if column.name == "storeys" else ""
        ET.SubElement(defaults, "default", field=column.name, expression=expression, applyOnUpdate="0")
    constraints = ET.SubElement(maplayer, "constraints")
    for column in spec.columns:
        required = not column.allow_null
        ET.SubElement(
            constraints,
            "constraint",
            field=column.name,
            constraints="1" if required else "0",
            notnull_strength="1" if required else "0",
            unique_strength="0",
            exp_strength="0",
        )
    _text(maplayer, "editform", "", tolerant="1")
    _text(maplayer, "editorlayout", "generatedlayout")
    editable = ET.SubElement(maplayer, "editable")
    for column in spec.columns:
        ET.SubElement(editable, "field", name=column.name, editable="1" if column.editable else "0")
    _text(maplayer, "previewExpression", f'"{LABELS.get(spec.name, "src_id")}"')


def _raster_layer(parent: ET.Element, source: str, layer_id: str, title: str) -> None:
    maplayer = ET.SubElement(
        parent,
        "maplayer",
        type="raster",
        styleCategories="AllStyleCategories",
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
    )
    _text(maplayer, "id", layer_id)
    _text(maplayer, "datasource", source)
    _text(maplayer, "layername", title)
    _srs(ET.SubElement(maplayer, "srs"), BASEMAP_SRID)
    _text(maplayer, "provider", "gdal")
    pipe = ET.SubElement(maplayer, "pipe")
    renderer = ET.SubElement(
        pipe,
        "rasterrenderer",
        type="multibandcolor",
        redBand="1",
        greenBand="2",
        blueBand="3",
        alphaBand="4",
        opacity="1",
        nodataColor="",
    )
    ET.SubElement(renderer, "rasterTransparency")
    for colour in ("red", "green", "blue"):
        enhancement = ET.SubElement(renderer, f"{colour}ContrastEnhancement")
        _text(enhancement, "minValue", "0")
        _text(enhancement, "maxValue", "255")
        _text(enhancement, "algorithm", "NoEnhancement")
    ET.SubElement(pipe, "brightnesscontrast", brightness="0", contrast="0", gamma="1")
    ET.SubElement(pipe, "rasterresampler", maxOversampling="2")


def project_xml(
    *,
    title: str,
    layers: list[ProjectLayer],
    basemap_source: str | None,
    basemap_title: str,
    extent_3857: tuple[float, float, float, float],
) -> bytes:
    root = ET.Element("qgis", projectname=title, version=QGIS_VERSION)
    ET.SubElement(root, "homePath", path="")
    _text(root, "title", title)
    ET.SubElement(root, "autotransaction", active="0")
    ET.SubElement(root, "evaluateDefaultValues", active="1")
    _srs(ET.SubElement(root, "projectCrs"), BASEMAP_SRID)
    ids = [(f"{layer.spec.name}_packet", layer) for layer in layers]
    tree = ET.SubElement(root, "layer-tree-group")
    ET.SubElement(ET.SubElement(tree, "customproperties"), "Option")
    order = list(reversed(ids))  # the legend lists the top layer first
    for layer_id, layer in order:
        ET.SubElement(
            tree,
            "layer-tree-layer",
            id=layer_id,
            name=layer.spec.title,
            source=layer.source,
            providerKey="ogr",
            checked="Qt::Checked",
            expanded="1",
        )
    if basemap_source:
        ET.SubElement(
            tree,
            "layer-tree-layer",
            id="basemap_packet",
            name=basemap_title,
            source=basemap_source,
            providerKey="gdal",
            checked="Qt::Checked",
            expanded="0",
        )
    snapping = ET.SubElement(
        root,
        "snapping-settings",
        enabled="1",
        mode="2",
        type="1",
        tolerance="12",
        unit="1",
        **{"intersection-snapping": "0", "self-snapping": "0"},
    )
    individual = ET.SubElement(snapping, "individual-layer-settings")
    for layer_id, _layer in ids:
        ET.SubElement(
            individual, "layer-setting", id=layer_id, enabled="1", type="1", tolerance="12", units="1"
        )
    canvas = ET.SubElement(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    _text(canvas, "units", "meters")
    extent = ET.SubElement(canvas, "extent")
    for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), extent_3857, strict=True):
        _text(extent, tag, repr(float(value)))
    _text(canvas, "rotation", "0")
    _srs(ET.SubElement(canvas, "destinationsrs"), BASEMAP_SRID)
    projectlayers = ET.SubElement(root, "projectlayers")
    if basemap_source:
        _raster_layer(projectlayers, basemap_source, "basemap_packet", basemap_title)
    for layer_id, layer in ids:
        _vector_layer(projectlayers, layer, layer_id)
    layerorder = ET.SubElement(root, "layerorder")
    for layer_id, _layer in order:
        ET.SubElement(layerorder, "layer", id=layer_id)
    if basemap_source:
        ET.SubElement(layerorder, "layer", id="basemap_packet")
    properties = ET.SubElement(root, "properties")
    _text(ET.SubElement(properties, "Paths"), "Absolute", "false", type="bool")
    _text(ET.SubElement(properties, "SpatialRefSys"), "ProjectionsEnabled", "1", type="int")
    measurement = ET.SubElement(properties, "Measurement")
    _text(measurement, "DistanceUnits", "meters", type="QString")
    _text(measurement, "AreaUnits", "m2", type="QString")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n").encode("utf-8")


def write_qgz(path: Path, xml: bytes) -> None:
    """A .qgz is a zip holding the .qgs of the same name."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{path.stem}.qgs", xml)
