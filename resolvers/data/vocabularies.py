"""The controlled vocabularies the catalogue speaks: EU authority tables, IANA media types,
licences, and the names CKAN clients know them by.

DCAT-AP 3.0.0 §"Controlled vocabularies": file types (dct:format), frequencies
(dct:accrualPeriodicity), data themes (dcat:theme) and languages from the EU Publications
Office's authority tables; media types (dcat:mediaType) from IANA.
"""

from __future__ import annotations

from dataclasses import dataclass

EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPE = f"{EU}file-type/"
FREQUENCY = f"{EU}frequency/"
DATA_THEME = f"{EU}data-theme/"
LANGUAGE = f"{EU}language/"
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Licence:
    """A licence: its IRI (dct:license), CKAN's `license_id`, titles and its attribution rule."""

    iri: str
    ckan_id: str
    title: str
    eu_iri: str | None = None
    """The same licence in the EU licence authority table, if it is there (skos:exactMatch)."""


CC_BY_4_0 = Licence(
    "http://creativecommons.org/licenses/by/4.0/",
    "CC-BY-4.0",
    "Creative Commons Attribution 4.0 International",
    f"{EU}licence/CC_BY_4_0",
)
KOGL_TYPE_1 = Licence(
    "https://www.kogl.or.kr/info/licenseTypeEn.do#type1",
    "KOGL-Type1",
    "Korea Open Government License Type 1: Source Indication",
)
LICENCES: dict[str, Licence] = {licence.ckan_id: licence for licence in (CC_BY_4_0, KOGL_TYPE_1)}
"""By the `license` property of a Dataset node (seeds/generator.py LICENCES)."""

FILE_TYPES: dict[str, str] = {
    "CSV": "CSV",
    "JSON": "JSON",
    "XML": "XML",
    "XLSX": "XLSX",
    "SHP": "SHP",
    "GEOJSON": "GEOJSON",
}
"""A Dataset node's format -> its code in the EU file-type table; "API" (Seoul's Open API) has
none: that distribution has an access URL and no dct:format."""

MEDIA_TYPES: dict[str, str] = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XML": "application/xml",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "GEOJSON": "application/geo+json",
}
"""A format -> its IANA media type (dcat:mediaType; CKAN's resource `mimetype`)."""

FREQUENCIES: dict[str, str] = {
    "realtime": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "yearly": "ANNUAL",
}
"""`accrual_periodicity` -> its code in the EU frequency table ("realtime": continuously
updated)."""

THEMES: dict[str, tuple[str, str]] = {
    "transportation": ("TRAN", "Transport"),
    "environment": ("ENVI", "Environment"),
    "safety": ("JUST", "Justice, legal system and public safety"),
    "economy": ("ECON", "Economy and finance"),
    "culture": ("EDUC", "Education, culture and sport"),
    "health": ("HEAL", "Health"),
    "welfare": ("SOCI", "Population and society"),
    "urban-planning": ("REGI", "Regions and cities"),
    "administration": ("GOVE", "Government and public sector"),
}
"""A catalogue theme (graph/ontology.py DATASET_THEMES) -> the EU data theme (code, label)."""

LANGUAGES = {"ko": "KOR", "en": "ENG"}
"""Titles are given in Korean and English (BCP 47 tag -> EU language code)."""

SEOUL_GEONAMES = "https://sws.geonames.org/1835848/"
"""Seoul in GeoNames: the catalogue's and every dataset's dct:spatial."""
