"""CAP 1.2 (OASIS Common Alerting Protocol) reader and writer, and hazard area -> location mapping.

Mapping table, CAP element -> canonical field (types.Hazard / CapInfo / CapArea):

| CAP 1.2 element            | canonical field                    |
|----------------------------|------------------------------------|
| alert/identifier           | Hazard.identifier                  |
| alert/sender               | Hazard.sender                      |
| alert/sent                 | Hazard.sent (UTC)                  |
| alert/status, msgType      | Hazard.status, Hazard.msg_type     |
| alert/scope                | Hazard.scope                       |
| alert/info/category (1..n) | CapInfo.categories                 |
| alert/info/event           | CapInfo.event                      |
| alert/info/urgency etc.    | CapInfo.urgency/severity/certainty |
| alert/info/onset, expires  | CapInfo.onset, CapInfo.expires     |
| alert/info/area/areaDesc   | CapArea.area_desc                  |
| alert/info/area/polygon    | CapArea.polygons ((lat, lon) ring) |
| alert/info/area/circle     | CapArea.circles (lat, lon, km)     |
| alert/info/area/geocode    | CapArea.geocodes (valueName, value)|
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from outagelens.errors import SignalError
from outagelens.signals.timefmt import parse_time, to_utc
from outagelens.signals.types import CapArea, CapCircle, Hazard

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
_NS = f"{{{CAP_NAMESPACE}}}"
EARTH_RADIUS_KM = 6371.0088

# (CAP element name, canonical field, kind) in CAP 1.2 schema order; kind says how to convert.
ALERT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("identifier", "identifier", "text"),
    ("sender", "sender", "text"),
    ("sent", "sent", "time"),
    ("status", "status", "text"),
    ("msgType", "msg_type", "text"),
    ("source", "source", "text"),
    ("scope", "scope", "text"),
    ("restriction", "restriction", "text"),
    ("addresses", "addresses", "text"),
    ("code", "codes", "list"),
    ("note", "note", "text"),
    ("references", "references", "text"),
    ("incidents", "incidents", "text"),
)
INFO_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("language", "language", "text"),
    ("category", "categories", "list"),
    ("event", "event", "text"),
    ("responseType", "response_types", "list"),
    ("urgency", "urgency", "text"),
    ("severity", "severity", "text"),
    ("certainty", "certainty", "text"),
    ("audience", "audience", "text"),
    ("eventCode", "event_codes", "pairs"),
    ("effective", "effective", "time"),
    ("onset", "onset", "time"),
    ("expires", "expires", "time"),
    ("senderName", "sender_name", "text"),
    ("headline", "headline", "text"),
    ("description", "description", "text"),
    ("instruction", "instruction", "text"),
    ("web", "web", "text"),
    ("contact", "contact", "text"),
    ("parameter", "parameters", "pairs"),
)


class LocationRecord(Protocol):
    """What the area mapping needs of a catalog location."""

    @property
    def id(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def geocodes(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class AreaMatch:
    """Why a location lies in a hazard's area: which info block, area and rule matched."""

    location: str
    hazard: str
    info_index: int
    area_desc: str
    rule: Literal["polygon", "circle", "geocode"]


# --------------------------------------------------------------------------- structure
# CAP 1.2 XML schema content models: (element, minOccurs, maxOccurs or None for unbounded),
# in the order the schema's <sequence> requires. Checked by hand because the official XSD
# is not shipped (see docs/signals.md).
ContentModel = tuple[tuple[str, int, int | None], ...]
_PAIR: ContentModel = (("valueName", 1, 1), ("value", 1, 1))
CONTENT_MODELS: dict[str, ContentModel] = {
    "alert": (
        ("identifier", 1, 1), ("sender", 1, 1), ("sent", 1, 1), ("status", 1, 1),
        ("msgType", 1, 1), ("source", 0, 1), ("scope", 1, 1), ("restriction", 0, 1),
        ("addresses", 0, 1), ("code", 0, None), ("note", 0, 1), ("references", 0, 1),
        ("incidents", 0, 1), ("info", 0, None),
    ),
    "info": (
        ("language", 0, 1), ("category", 1, None), ("event", 1, 1), ("responseType", 0, None),
        ("urgency", 1, 1), ("severity", 1, 1), ("certainty", 1, 1), ("audience", 0, 1),
        ("eventCode", 0, None), ("effective", 0, 1), ("onset", 0, 1), ("expires", 0, 1),
        ("senderName", 0, 1), ("headline", 0, 1), ("description", 0, 1),
        ("instruction", 0, 1), ("web", 0, 1), ("contact", 0, 1), ("parameter", 0, None),
        ("resource", 0, None), ("area", 0, None),
    ),
    "resource": (
        ("resourceDesc", 1, 1), ("mimeType", 1, 1), ("size", 0, 1), ("uri", 0, 1),
        ("derefUri", 0, 1), ("digest", 0, 1),
    ),
    "area": (
        ("areaDesc", 1, 1), ("polygon", 0, None), ("circle", 0, None), ("geocode", 0, None),
        ("altitude", 0, 1), ("ceiling", 0, 1),
    ),
    "eventCode": _PAIR,
    "parameter": _PAIR,
    "geocode": _PAIR,
}  # fmt: skip
_DSIG_NAMESPACE = "{http://www.w3.org/2000/09/xmldsig#}"
CAP_DATETIME = re.compile(r"^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
_TIME_ELEMENTS = frozenset({"sent", "effective", "onset", "expires"})


def check_structure(el: ET.Element, path: str, source: str) -> None:
    """Check an element's children against its CAP 1.2 content model, recursively."""
    name = el.tag.removeprefix(_NS)
    model = CONTENT_MODELS.get(name)
    if model is None:
        if len(el):
            raise SignalError(f"element '{path}' must hold text only", source=source)
        if name in _TIME_ELEMENTS and not CAP_DATETIME.match(_text(el)):
            raise SignalError(
                f"element '{path}': {_text(el)!r} is not a CAP dateTime "
                "(YYYY-MM-DDThh:mm:ss+hh:mm)",
                source=source,
            )
        return
    children = list(el)
    if name == "alert":  # the schema allows XML signatures after the last info
        while children and children[-1].tag.startswith(_DSIG_NAMESPACE):
            children.pop()
    pos = 0
    for tag, low, high in model:
        count = 0
        while pos < len(children) and children[pos].tag == f"{_NS}{tag}":
            check_structure(children[pos], f"{path}/{tag}", source)
            count, pos = count + 1, pos + 1
        if count < low or (high is not None and count > high):
            need = f"{low}..{'n' if high is None else high}"
            raise SignalError(
                f"element '{path}/{tag}' occurs {count} time(s), CAP 1.2 allows {need}",
                source=source,
            )
    if pos < len(children):
        extra = children[pos].tag.removeprefix(_NS)
        raise SignalError(
            f"element '{path}/{extra}' is unexpected here (unknown, repeated or out of order)",
            source=source,
        )


# --------------------------------------------------------------------------- parsing


def parse_cap(xml_text: str | bytes, *, source: str = "<cap>") -> Hazard:
    """Parse one CAP 1.2 <alert> document into a Hazard; SignalError names source and element."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        raise SignalError(
            f"not well-formed XML: {exc}", source=source, line=exc.position[0]
        ) from None
    if root.tag != f"{_NS}alert":
        raise SignalError(
            f"root element is {root.tag}, expected <alert> in namespace {CAP_NAMESPACE}",
            source=source,
        )
    check_structure(root, "alert", source)
    data = _read_fields(root, ALERT_FIELDS, "alert", source)
    infos = []
    for i, info_el in enumerate(root.findall(f"{_NS}info")):
        path = f"alert/info[{i}]"
        info = _read_fields(info_el, INFO_FIELDS, path, source)
        info["areas"] = [
            _read_area(area_el, f"{path}/area[{j}]", source)
            for j, area_el in enumerate(info_el.findall(f"{_NS}area"))
        ]
        infos.append(info)
    data["infos"] = infos
    try:
        return Hazard.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SignalError(f"field '{where}': {err['msg']}", source=source) from None


def _text(el: ET.Element) -> str:
    return (el.text or "").strip()


def _read_fields(
    parent: ET.Element, fields: Iterable[tuple[str, str, str]], path: str, source: str
) -> dict[str, Any]:
    """Read child elements per a field table into a dict keyed by canonical field name."""
    data: dict[str, Any] = {}
    for tag, name, kind in fields:
        found = parent.findall(f"{_NS}{tag}")
        if not found:
            continue
        if kind == "list":
            data[name] = [_text(el) for el in found]
        elif kind == "pairs":
            data[name] = [_pair(el, f"{path}/{tag}", source) for el in found]
        else:
            if len(found) > 1:
                raise SignalError(f"element '{path}/{tag}' appears more than once", source=source)
            value = _text(found[0])
            data[name] = _cap_time(value, f"{path}/{tag}", source) if kind == "time" else value
    return data


def _pair(el: ET.Element, path: str, source: str) -> tuple[str, str]:
    name_el, value_el = el.find(f"{_NS}valueName"), el.find(f"{_NS}value")
    if name_el is None or value_el is None:
        raise SignalError(f"element '{path}' needs <valueName> and <value>", source=source)
    return (_text(name_el), _text(value_el))


def _cap_time(value: str, path: str, source: str) -> datetime:
    try:
        return parse_time(value).replace(microsecond=0)
    except ValueError as exc:
        raise SignalError(f"element '{path}': {exc}", source=source) from None


def _read_area(el: ET.Element, path: str, source: str) -> dict[str, Any]:
    desc_el = el.find(f"{_NS}areaDesc")
    if desc_el is None:
        raise SignalError(f"element '{path}/areaDesc' is required", source=source)
    area: dict[str, Any] = {
        "area_desc": _text(desc_el),
        "polygons": [
            _parse_polygon(_text(p), f"{path}/polygon", source) for p in el.findall(f"{_NS}polygon")
        ],
        "circles": [
            _parse_circle(_text(c), f"{path}/circle", source) for c in el.findall(f"{_NS}circle")
        ],
        "geocodes": [_pair(g, f"{path}/geocode", source) for g in el.findall(f"{_NS}geocode")],
    }
    for tag in ("altitude", "ceiling"):
        found = el.find(f"{_NS}{tag}")
        if found is not None:
            area[tag] = _number(_text(found), f"{path}/{tag}", source)
    return area


def _number(text: str, path: str, source: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SignalError(f"element '{path}': {text!r} is not a number", source=source) from None
    if not math.isfinite(value):
        raise SignalError(f"element '{path}': {text!r} is not finite", source=source)
    return value


def _parse_point(text: str, path: str, source: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise SignalError(f"element '{path}': point {text!r} is not 'lat,lon'", source=source)
    return (_number(parts[0], path, source), _number(parts[1], path, source))


def _parse_polygon(text: str, path: str, source: str) -> list[tuple[float, float]]:
    """CAP polygon: whitespace-separated 'lat,lon' pairs, at least 4, first equal to last."""
    points = [_parse_point(p, path, source) for p in text.split()]
    if len(points) < 4 or points[0] != points[-1]:
        raise SignalError(
            f"element '{path}': needs at least 4 'lat,lon' pairs with the first equal to the last",
            source=source,
        )
    return points


def _parse_circle(text: str, path: str, source: str) -> CapCircle:
    """CAP circle: 'lat,lon radius' with radius in kilometres."""
    parts = text.split()
    if len(parts) != 2:
        raise SignalError(f"element '{path}': {text!r} is not 'lat,lon radius'", source=source)
    lat, lon = _parse_point(parts[0], path, source)
    radius = _number(parts[1], path, source)
    try:
        return CapCircle(lat=lat, lon=lon, radius_km=radius)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise SignalError(
            f"element '{path}': {err['loc'][0]}: {err['msg']}", source=source
        ) from None


# --------------------------------------------------------------------------- writing


def cap_time(value: datetime) -> str:
    """CAP 1.2 dateTime: whole seconds with an explicit offset; 'Z' is not allowed by the spec."""
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _format_number(value: float) -> str:
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(value)


def _add(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, f"{_NS}{tag}")
    el.text = text
    return el


def _write_fields(parent: ET.Element, model: Any, fields: Iterable[tuple[str, str, str]]) -> None:
    for tag, name, kind in fields:
        value = getattr(model, name)
        if value is None or value == ():
            continue
        if kind == "list":
            for item in value:
                _add(parent, tag, item)
        elif kind == "pairs":
            for value_name, item in value:
                pair = ET.SubElement(parent, f"{_NS}{tag}")
                _add(pair, "valueName", value_name)
                _add(pair, "value", item)
        else:
            _add(parent, tag, cap_time(value) if kind == "time" else str(value))


def _write_area(parent: ET.Element, area: CapArea) -> None:
    el = ET.SubElement(parent, f"{_NS}area")
    _add(el, "areaDesc", area.area_desc)
    for ring in area.polygons:
        _add(el, "polygon", " ".join(f"{_format_number(a)},{_format_number(b)}" for a, b in ring))
    for c in area.circles:
        _add(el, "circle", f"{_format_number(c.lat)},{_format_number(c.lon)} "
             f"{_format_number(c.radius_km)}")  # fmt: skip
    for value_name, value in area.geocodes:
        pair = ET.SubElement(el, f"{_NS}geocode")
        _add(pair, "valueName", value_name)
        _add(pair, "value", value)
    for tag in ("altitude", "ceiling"):
        number = getattr(area, tag)
        if number is not None:
            _add(el, tag, _format_number(number))


def to_cap_xml(hazard: Hazard) -> str:
    """Serialise a Hazard as a standalone CAP 1.2 XML document (UTF-8, 2-space indent)."""
    ET.register_namespace("", CAP_NAMESPACE)
    root = ET.Element(f"{_NS}alert")
    _write_fields(root, hazard, ALERT_FIELDS)
    for info in hazard.infos:
        info_el = ET.SubElement(root, f"{_NS}info")
        _write_fields(info_el, info, INFO_FIELDS)
        for area in info.areas:
            _write_area(info_el, area)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# --------------------------------------------------------------------------- area mapping


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS 84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def polygon_contains(ring: Iterable[tuple[float, float]], lat: float, lon: float) -> bool:
    """Point-in-polygon (even-odd rule) in the lat/lon plane; points on an edge count as inside."""
    pts = list(ring)
    inside = False
    for (y1, x1), (y2, x2) in itertools.pairwise(pts):
        if _on_segment(lat, lon, y1, x1, y2, x2):
            return True
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside


def _on_segment(lat: float, lon: float, y1: float, x1: float, y2: float, x2: float) -> bool:
    cross = (x2 - x1) * (lat - y1) - (y2 - y1) * (lon - x1)
    if abs(cross) > 1e-12:
        return False
    return min(x1, x2) <= lon <= max(x1, x2) and min(y1, y2) <= lat <= max(y1, y2)


def area_rule(
    area: CapArea, location: LocationRecord
) -> Literal["polygon", "circle", "geocode"] | None:
    """Which rule puts the location in the area (polygon, circle, geocode), or None."""
    if any(polygon_contains(ring, location.lat, location.lon) for ring in area.polygons):
        return "polygon"
    for c in area.circles:
        if haversine_km(c.lat, c.lon, location.lat, location.lon) <= c.radius_km:
            return "circle"
    codes = location.geocodes
    if any(codes.get(name) == value for name, value in area.geocodes):
        return "geocode"
    return None


def hazard_area_matches(hazard: Hazard, locations: Iterable[LocationRecord]) -> list[AreaMatch]:
    """Every (location, info, area) match of a hazard, sorted by location id then info index."""
    matches = []
    for location in locations:
        for i, info in enumerate(hazard.infos):
            for area in info.areas:
                rule = area_rule(area, location)
                if rule is not None:
                    matches.append(
                        AreaMatch(location.id, hazard.identifier, i, area.area_desc, rule)
                    )
                    break
    return sorted(matches, key=lambda m: (m.location, m.info_index))


def hazard_locations(hazard: Hazard, locations: Iterable[LocationRecord]) -> list[str]:
    """Sorted ids of the catalog locations inside any area of the hazard."""
    return sorted({m.location for m in hazard_area_matches(hazard, locations)})
