"""Counties and municipalities (the 2024 county structure) and distances between them.

A municipality number's first two digits are its county. Distances are great-circle distances
between municipality centres; a municipality without a stored centre uses its county's centre.
This is reference data from Statistics Norway's classifications, not business logic.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Place(NamedTuple):
    name: str
    lat: float
    lon: float


COUNTIES: dict[str, Place] = {
    "03": Place("Oslo", 59.913, 10.752),
    "11": Place("Rogaland", 58.970, 5.733),
    "15": Place("Møre og Romsdal", 62.737, 7.160),
    "18": Place("Nordland", 67.280, 14.405),
    "31": Place("Østfold", 59.284, 11.109),
    "32": Place("Akershus", 59.956, 11.050),
    "33": Place("Buskerud", 59.744, 10.204),
    "34": Place("Innlandet", 60.795, 11.068),
    "39": Place("Vestfold", 59.267, 10.407),
    "40": Place("Telemark", 59.209, 9.609),
    "42": Place("Agder", 58.146, 7.996),
    "46": Place("Vestland", 60.392, 5.324),
    "50": Place("Trøndelag", 63.430, 10.395),
    "55": Place("Troms", 69.649, 18.956),
    "56": Place("Finnmark", 69.969, 23.272),
}

MUNICIPALITIES: dict[str, Place] = {
    "0301": Place("Oslo", 59.913, 10.752),
    "1103": Place("Stavanger", 58.970, 5.733),
    "1106": Place("Haugesund", 59.413, 5.268),
    "1108": Place("Sandnes", 58.852, 5.735),
    "1506": Place("Molde", 62.737, 7.160),
    "1508": Place("Ålesund", 62.472, 6.155),
    "1804": Place("Bodø", 67.280, 14.405),
    "1806": Place("Narvik", 68.438, 17.427),
    "3101": Place("Halden", 59.123, 11.387),
    "3103": Place("Moss", 59.434, 10.658),
    "3105": Place("Sarpsborg", 59.284, 11.109),
    "3107": Place("Fredrikstad", 59.218, 10.929),
    "3201": Place("Bærum", 59.894, 10.546),
    "3203": Place("Asker", 59.833, 10.435),
    "3205": Place("Lillestrøm", 59.956, 11.050),
    "3301": Place("Drammen", 59.744, 10.204),
    "3303": Place("Kongsberg", 59.668, 9.650),
    "3305": Place("Ringerike", 60.168, 10.258),
    "3403": Place("Hamar", 60.795, 11.068),
    "3405": Place("Lillehammer", 61.115, 10.466),
    "3407": Place("Gjøvik", 60.795, 10.692),
    "3905": Place("Tønsberg", 59.267, 10.407),
    "3907": Place("Sandefjord", 59.131, 10.216),
    "3909": Place("Larvik", 59.053, 10.027),
    "4001": Place("Porsgrunn", 59.140, 9.656),
    "4003": Place("Skien", 59.209, 9.609),
    "4203": Place("Arendal", 58.461, 8.772),
    "4204": Place("Kristiansand", 58.146, 7.996),
    "4601": Place("Bergen", 60.392, 5.324),
    "5001": Place("Trondheim", 63.430, 10.395),
    "5501": Place("Tromsø", 69.649, 18.956),
    "5601": Place("Alta", 69.969, 23.272),
    "5603": Place("Hammerfest", 70.663, 23.682),
}


def county_of(municipality: str) -> str:
    return municipality[:2]


def county_name(county: str) -> str:
    place = COUNTIES.get(county)
    return place.name if place else county


def municipality_name(municipality: str) -> str:
    place = MUNICIPALITIES.get(municipality)
    return place.name if place else municipality


def _centre(municipality: str) -> Place | None:
    return MUNICIPALITIES.get(municipality) or COUNTIES.get(county_of(municipality))


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two municipalities' centres, in kilometres."""
    if a == b:
        return 0.0
    pa, pb = _centre(a), _centre(b)
    if pa is None or pb is None:
        return 1000.0
    lat1, lon1, lat2, lon2 = map(math.radians, (pa.lat, pa.lon, pb.lat, pb.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def travel_minutes(a: str, b: str) -> int:
    """A conservative travel buffer between two places: 15 min plus 1 min per km by road,
    rounded up to 15 minutes."""
    if a == b:
        return 15
    minutes = 15 + distance_km(a, b) * 1.0
    return int(math.ceil(minutes / 15.0) * 15)
