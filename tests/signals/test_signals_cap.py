"""CAP 1.2: parsing spec-shaped examples, writing, structural checks, area -> location mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.signals.signal_builders import make_hazard

from outagelens.errors import SignalError
from outagelens.signals.cap import (
    CAP_NAMESPACE,
    area_rule,
    haversine_km,
    hazard_area_matches,
    hazard_locations,
    parse_cap,
    polygon_contains,
    to_cap_xml,
)
from outagelens.signals.types import CapArea, CapCircle

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Site:
    """A minimal catalog location satisfying cap.LocationRecord."""

    id: str
    lat: float
    lon: float
    geocodes: Mapping[str, str] = field(default_factory=dict)


def test_parse_thunderstorm_warning() -> None:
    hazard = parse_cap((DATA / "cap_thunderstorm.xml").read_bytes(), source="storm.xml")
    assert hazard.identifier == "KSTO1055887203"
    assert hazard.sent == datetime(2003, 6, 17, 21, 57, tzinfo=UTC)
    assert (hazard.status, hazard.msg_type, hazard.scope) == ("Actual", "Alert", "Public")
    info = hazard.infos[0]
    assert info.categories == ("Met",)
    assert info.event == "SEVERE THUNDERSTORM"
    assert (info.urgency, info.severity, info.certainty) == ("Immediate", "Severe", "Observed")
    assert info.response_types == ("Shelter",)
    assert info.event_codes == (("SAME", "SVR"),)
    assert info.expires == datetime(2003, 6, 17, 23, 0, tzinfo=UTC)
    area = info.areas[0]
    assert area.polygons[0][0] == (38.47, -120.14)
    assert len(area.polygons[0]) == 5
    assert area.geocodes == (("SAME", "006109"), ("SAME", "006009"))
    assert hazard.onset == hazard.sent  # no onset/effective: falls back to sent
    assert hazard.expires == datetime(2003, 6, 17, 23, 0, tzinfo=UTC)


def test_parse_earthquake_update_with_circle_and_signature() -> None:
    hazard = parse_cap((DATA / "cap_earthquake.xml").read_text(), source="quake.xml")
    assert hazard.msg_type == "Update"
    assert hazard.references == "trinet@caltech.usgs.gov,TRI13970876.1,2003-06-11T20:30:00-07:00"
    info = hazard.infos[0]
    assert info.parameters == (("EventID", "13970876"), ("Magnitude", "3.4 Ml"))
    assert info.areas[0].circles == (CapCircle(lat=32.9525, lon=-115.5527, radius_km=0),)
    assert info.areas[0].altitude == -13.7
    assert hazard.expires is None


@pytest.mark.parametrize(
    "name", ["cap_thunderstorm.xml", "cap_earthquake.xml"], ids=["storm", "quake"]
)
def test_write_then_parse_round_trips(name: str) -> None:
    hazard = parse_cap((DATA / name).read_bytes())
    text = to_cap_xml(hazard)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="' + CAP_NAMESPACE)
    assert parse_cap(text) == hazard
    assert to_cap_xml(parse_cap(text)) == text


def test_writer_uses_cap_datetime_without_z() -> None:
    text = to_cap_xml(make_hazard())
    assert "<sent>2026-03-14T08:05:00+00:00</sent>" in text
    assert "Z<" not in text


def _storm() -> str:
    return (DATA / "cap_thunderstorm.xml").read_text()


BAD_DOCS = [
    (lambda t: t.replace("<status>Actual</status>\n  <msgType>Alert</msgType>",
                         "<msgType>Alert</msgType>\n  <status>Actual</status>"),
     r"alert/status' occurs 0"),
    (lambda t: t.replace("<category>Met</category>", ""), r"alert/info/category' occurs 0"),
    (lambda t: t.replace("<scope>Public</scope>", "<scope>Public</scope><colour>red</colour>"),
     r"alert/colour' is unexpected"),
    (lambda t: t.replace("2003-06-17T14:57:00-07:00", "2003-06-17T21:57:00Z"),
     r"alert/sent'.*not a CAP dateTime"),
    (lambda t: t.replace("<severity>Severe</severity>", "<severity>Bad</severity>"),
     r"field 'infos\.0\.severity'"),
    (lambda t: t.replace(" 38.47,-120.14</polygon>", "</polygon>").replace(
        "38.52,-119.74 38.62,-119.89", "38.52,-119.74"), r"polygon': needs at least 4"),
    (lambda t: t.replace("<areaDesc>", "<circle>38.5,-120</circle><areaDesc>"),
     r"area/areaDesc' occurs 0"),
    (lambda t: t.replace(CAP_NAMESPACE, "urn:oasis:names:tc:emergency:cap:1.1"), r"namespace"),
    (lambda t: t.replace("</alert>", ""), r"not well-formed"),
    (lambda t: t.replace("<scope>Public</scope>", "<scope>Private</scope>"), r"addresses"),
    (lambda t: t.replace("<identifier>KSTO1055887203", "<identifier>KSTO 1055887203"),
     r"field 'identifier'"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "pattern"),
    BAD_DOCS,
    ids=[
        "out-of-order", "no-category", "unknown-element", "z-datetime", "bad-severity",
        "short-polygon", "areadesc-not-first", "cap-1.1-namespace", "not-xml",
        "private-without-addresses", "identifier-with-space",
    ],
)  # fmt: skip
def test_bad_cap_document_is_rejected(edit: object, pattern: str) -> None:
    text = edit(_storm())  # type: ignore[operator]
    with pytest.raises(SignalError, match=pattern) as info:
        parse_cap(text, source="hazards/storm.xml")
    assert info.value.source == "hazards/storm.xml"


# --------------------------------------------------------------------------- area mapping

SQUARE = ((50.0, 8.0), (50.0, 9.0), (51.0, 9.0), (51.0, 8.0), (50.0, 8.0))


@pytest.mark.parametrize(
    ("lat", "lon", "inside"),
    [(50.5, 8.5, True), (49.9, 8.5, False), (50.5, 9.01, False), (50.0, 8.5, True),
     (51.0, 9.0, True)],
    ids=["centre", "south-of", "east-of", "on-edge", "on-vertex"],
)  # fmt: skip
def test_polygon_contains(lat: float, lon: float, inside: bool) -> None:
    assert polygon_contains(SQUARE, lat, lon) is inside


def test_polygon_contains_concave_shape() -> None:
    # A "U": the notch between the arms is outside.
    u_shape = ((0, 0), (0, 3), (3, 3), (3, 2), (1, 2), (1, 1), (3, 1), (3, 0), (0, 0))
    assert polygon_contains(u_shape, 0.5, 1.5)
    assert not polygon_contains(u_shape, 1.5, 1.5)
    assert polygon_contains(u_shape, 2.5, 2.5)


def test_haversine_known_distance() -> None:
    # Frankfurt (50.1109, 8.6821) to Berlin (52.5200, 13.4050) is about 424 km.
    assert haversine_km(50.1109, 8.6821, 52.52, 13.405) == pytest.approx(424, abs=2)


@pytest.mark.parametrize(
    ("site", "rule"),
    [
        (Site("in-polygon", 50.5, 8.5), "polygon"),
        (Site("in-circle", 52.52, 13.49), "circle"),  # ~5.7 km east of the centre
        (Site("outside-circle", 52.52, 13.60), None),  # ~13 km east: beyond 10 km
        (Site("by-geocode", 0.0, 0.0, {"AGS": "06412000"}), "geocode"),
        (Site("other-geocode", 0.0, 0.0, {"AGS": "11000000"}), None),
        (Site("other-code-name", 0.0, 0.0, {"NUTS3": "06412000"}), None),
    ],
    ids=lambda v: v.id if isinstance(v, Site) else str(v),
)
def test_area_rule(site: Site, rule: str | None) -> None:
    area = CapArea(
        area_desc="test area",
        polygons=(SQUARE,),
        circles=(CapCircle(lat=52.52, lon=13.405, radius_km=10),),
        geocodes=(("AGS", "06412000"),),
    )
    assert area_rule(area, site) == rule


def test_hazard_locations_and_matches() -> None:
    hazard = make_hazard()  # Frankfurt polygon + 12.5 km circle + AGS geocode
    sites = [
        Site("fra1", 50.11, 8.68),
        Site("fra2-offenbach", 50.095, 8.776),
        Site("ber1", 52.52, 13.405),
        Site("fra-by-code", 0.0, 0.0, {"AGS": "06412000"}),
    ]
    assert hazard_locations(hazard, sites) == ["fra-by-code", "fra1", "fra2-offenbach"]
    matches = {m.location: m.rule for m in hazard_area_matches(hazard, sites)}
    assert matches == {"fra1": "polygon", "fra2-offenbach": "polygon", "fra-by-code": "geocode"}
    thunder = parse_cap(_storm())
    tuolumne = Site("sonora", 38.0, -120.4, {"SAME": "006109"})
    assert [
        (m.location, m.rule, m.area_desc) for m in hazard_area_matches(thunder, [tuolumne])
    ] == [("sonora", "geocode", "EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA")]
