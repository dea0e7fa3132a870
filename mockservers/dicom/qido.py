"""QIDO-RS: query parameters to SQL on the index, index rows to DICOM JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import undefer
from werkzeug.datastructures import MultiDict

from mockservers.dicom import dicomjson
from mockservers.dicom.archive import normalize_name
from mockservers.dicom.attributes import BY_KEYWORD, LEVELS, Attr
from mockservers.dicom.errors import bad_request
from mockservers.dicom.face import Face
from mockservers.dicom.models import DicomInstance, DicomSeries, DicomStudy
from mockservers.dicom.uids import is_valid_uid

SQL_INT_MAX = 2**31 - 1  # the largest offset or limit every database takes (PostgreSQL's INTEGER is 32 bits)
MODELS: dict[str, type[DicomStudy] | type[DicomSeries] | type[DicomInstance]] = {
    "study": DicomStudy,
    "series": DicomSeries,
    "instance": DicomInstance,
}
# PS3.18 Tables 6.7.1-2: "shall be present if known"
PRESENT_IF_KNOWN = {
    "TimezoneOffsetFromUTC",
    "SeriesDescription",
    "PerformedProcedureStepStartDate",
    "PerformedProcedureStepStartTime",
    "Rows",
    "Columns",
    "BitsAllocated",
    "NumberOfFrames",
}


@dataclass
class Query:
    level: str
    study: str | None = None
    series: str | None = None
    filters: list[tuple[Attr, str]] = field(default_factory=list)
    fuzzy: bool = False
    include: set[str] = field(default_factory=set)
    include_all: bool = False
    limit: int | None = None
    offset: int = 0


def levels_in_answer(query: Query) -> list[str]:
    """A query below the study level without a fixed study also answers the study's attributes, and so on."""
    chain = LEVELS[: LEVELS.index(query.level) + 1]
    fixed = {"study": query.study is not None, "series": query.series is not None}
    return [lvl for lvl in chain if lvl == query.level or not fixed.get(lvl)]


def queryable(face: Face, query: Query) -> dict[str, Attr]:
    """The filters a query at this level may name (the face lists them per level, of any DICOM level)."""
    return {kw: BY_KEYWORD[kw] for kw in face.queryable.get(query.level, ())}


def _int_param(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"The value '{value}' of the query parameter '{name}' is not an integer.") from None
    if number < 0:
        raise bad_request(f"The value '{value}' of the query parameter '{name}' must not be negative.")
    if number > SQL_INT_MAX:
        raise bad_request(f"The value '{value}' of the query parameter '{name}' must not exceed {SQL_INT_MAX}.")
    return number


def parse(face: Face, level: str, study: str | None, series: str | None, args: MultiDict) -> Query:
    query = Query(level, study, series, limit=face.default_limit)
    allowed = queryable(face, query)
    for name in args:
        values = args.getlist(name)
        lname = name.lower()
        if lname == "includefield":
            for value in values:
                for item in filter(None, (v.strip() for v in value.split(","))):
                    if item.lower() == "all":
                        query.include_all = True
                        continue
                    tag = dicomjson.resolve(item)
                    if tag is None:
                        raise bad_request(f"The field '{item}' in includefield is not a DICOM keyword or tag.")
                    query.include.add(dicomjson.keyword(tag))
            continue
        if len(values) > 1:
            raise bad_request(f"The query parameter '{name}' is given more than once.")
        value = values[0]
        if lname == "limit":
            query.limit = _int_param(name, value)
            if face.max_limit is not None and not 1 <= query.limit <= face.max_limit:
                raise bad_request(f"The limit must be between 1 and {face.max_limit}.")
        elif lname == "offset":
            query.offset = _int_param(name, value)
        elif lname == "fuzzymatching":
            if value.lower() not in ("true", "false"):
                raise bad_request(f"The value '{value}' of fuzzymatching must be true or false.")
            query.fuzzy = value.lower() == "true"
        else:
            tag = dicomjson.resolve(name)
            attr = allowed.get(dicomjson.keyword(tag)) if tag is not None else None
            if attr is None:
                raise bad_request(
                    f"The query parameter '{name}' is not supported: it is not a searchable "
                    f"attribute at the {level} level."
                )
            if value == "":
                if face.empty_filter_error:
                    raise bad_request(f"The query parameter '{name}' has an empty value.")
                continue  # universal matching
            if any(a.keyword == attr.keyword for a, _ in query.filters):
                raise bad_request(f"The attribute '{attr.keyword}' is given more than once.")
            query.filters.append((attr, value))
    return query


# ---- matching -------------------------------------------------------------------------------


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _has_wildcard(face: Face, value: str) -> bool:
    return face.wildcards and ("*" in value or "?" in value)


def _check_date(attr: Attr, value: str) -> None:
    if not (len(value) == 8 and value.isdigit()):
        raise bad_request(f"The value '{value}' of {attr.keyword} is not a valid date (YYYYMMDD).")


def _date_condition(column, attr: Attr, value: str):
    if "-" in value:
        start, _, end = value.partition("-")
        if (not start and not end) or "-" in end:
            raise bad_request(f"The date range '{value}' of {attr.keyword} is invalid.")
        for part in (start, end):
            if part:
                _check_date(attr, part)
        if start and end and start > end:
            raise bad_request(
                f"The date range '{value}' of {attr.keyword} is invalid: the start date is after the end date."
            )
        conditions = []
        if start:
            conditions.append(column >= start)
        if end:
            conditions.append(column <= end)
        return and_(*conditions)
    _check_date(attr, value)
    return column == value


def condition(face: Face, query: Query, attr: Attr, value: str):
    model = MODELS[attr.level]
    if attr.kind == "modalities":
        values = _split_list(face, value)
        return exists().where(
            DicomSeries.face == face.key,
            DicomSeries.study_uid == DicomStudy.study_uid,
            DicomSeries.modality.in_(values),
        )
    assert attr.column is not None  # of the attributes of a level, only ModalitiesInStudy has no column
    column = getattr(model, attr.column)
    if attr.kind == "uid":
        values = _split_list(face, value)
        for uid in values:
            if not is_valid_uid(uid):
                raise bad_request(f"The value '{uid}' of {attr.keyword} is not a valid UID.")
        return column.in_(values) if len(values) > 1 else column == values[0]
    if attr.kind == "date":
        return _date_condition(column, attr, value)
    if attr.kind == "int":
        try:
            return column == int(value)
        except ValueError:
            raise bad_request(f"The value '{value}' of {attr.keyword} is not an integer.") from None
    if attr.kind == "name":
        norm = getattr(model, attr.column + "_norm")
        target = normalize_name(value)
        if query.fuzzy:  # any name component starting with the value
            like = _like(target) if face.wildcards else target.replace("%", "\\%").replace("_", "\\_")
            return or_(norm.like(like + "%", escape="\\"), norm.like("% " + like + "%", escape="\\"))
        if _has_wildcard(face, value):
            return norm.like(_like(target), escape="\\")
        return norm == target
    if _has_wildcard(face, value):
        return column.like(_like(value), escape="\\")
    return column == value


def _split_list(face: Face, value: str) -> list[str]:
    if not face.uid_lists:
        return [value]
    return [v for v in value.replace("\\", ",").split(",") if v] or [value]


def search(db, face: Face, query: Query) -> list[dict]:
    model = MODELS[query.level]
    stmt = select(*[MODELS[lvl] for lvl in LEVELS[: LEVELS.index(query.level) + 1]])
    stmt = stmt.select_from(model).where(model.face == face.key)
    if query.level in ("series", "instance"):
        stmt = stmt.join(DicomStudy, and_(DicomStudy.face == model.face, DicomStudy.study_uid == model.study_uid))
    if query.level == "instance":
        stmt = stmt.join(
            DicomSeries,
            and_(
                DicomSeries.face == DicomInstance.face,
                DicomSeries.study_uid == DicomInstance.study_uid,
                DicomSeries.series_uid == DicomInstance.series_uid,
            ),
        )
    if query.study is not None:
        stmt = stmt.where(model.study_uid == query.study)
    if query.series is not None:
        # a series is given only below the series level
        stmt = stmt.where(cast(type[DicomSeries] | type[DicomInstance], model).series_uid == query.series)
    for attr, value in query.filters:
        stmt = stmt.where(condition(face, query, attr, value))
    stmt = stmt.order_by(model.seq.desc() if face.newest_first else model.seq.asc(), model.id)
    if query.offset:
        stmt = stmt.offset(query.offset)
    if query.limit is not None:
        stmt = stmt.limit(query.limit)
    if query.level == "instance" and _needs_metadata(face, query):
        stmt = stmt.options(undefer(DicomInstance.metadata_json))
    rows = db.execute(stmt).all()
    return [render(db, face, query, row) for row in rows]


# ---- answering ------------------------------------------------------------------------------


def _needs_metadata(face: Face, query: Query) -> bool:
    return bool(_extra_fields(face, query))


def _return_keywords(face: Face, query: Query) -> list[str]:
    keywords: list[str] = []
    for lvl in levels_in_answer(query):
        keywords += face.defaults.get(lvl, ())
        if query.include_all:
            keywords += [a.keyword for a in BY_KEYWORD.values() if a.level == lvl]
    keywords += [kw for kw in query.include if kw in BY_KEYWORD and _level_ok(BY_KEYWORD[kw], query)]
    seen, ordered = set(), []
    for kw in keywords:
        if kw not in seen:
            seen.add(kw)
            ordered.append(kw)
    return ordered


def _level_ok(attr: Attr, query: Query) -> bool:
    return attr.level == "any" or LEVELS.index(attr.level) <= LEVELS.index(query.level)


def _extra_fields(face: Face, query: Query) -> list[str]:
    """includefield names the index does not hold: answered from the instance's stored metadata."""
    return [kw for kw in sorted(query.include) if kw not in BY_KEYWORD or not _level_ok(BY_KEYWORD[kw], query)]


def _value(face: Face, attr: Attr, rows: dict, query: Query):
    if attr.keyword == "InstanceAvailability":
        return "ONLINE"
    if attr.keyword == "RetrieveURL":
        study = rows["study"].study_uid
        series = rows["series"].series_uid if "series" in rows and query.level != "study" else None
        sop = rows["instance"].sop_uid if "instance" in rows else None
        return face.retrieve_url(study, series, sop)
    if attr.keyword == "ModalitiesInStudy":
        return [m for m in rows["study"].modalities.split("\\") if m]
    if attr.keyword == "TimezoneOffsetFromUTC":
        return rows[query.level].timezone_offset
    assert attr.column is not None  # every attribute but the ones answered above has its column
    value = getattr(rows[attr.level], attr.column)
    if attr.kind in ("text", "name") and isinstance(value, str) and "\\" in value:
        return value.split("\\")
    return value


def render(db, face: Face, query: Query, row) -> dict:
    rows = dict(zip(LEVELS, row, strict=False))
    out: dict[str, dict] = {}
    for kw in _return_keywords(face, query):
        attr = BY_KEYWORD[kw]
        tag = dicomjson.tag_of(kw)
        vr = "UR" if kw == "RetrieveURL" else None
        value = _value(face, attr, rows, query)
        if value is None and kw in PRESENT_IF_KNOWN:
            continue
        out[dicomjson.tag_key(tag)] = dicomjson.element(tag, value, vr)
    extra = _extra_fields(face, query)
    if extra:
        meta = _representative_metadata(db, face, query, rows)
        if face.bulk_data_uris and meta:
            uid = {
                k: (meta.get(t) or {}).get("Value", [None])[0]
                for k, t in (("st", "0020000D"), ("se", "0020000E"), ("sop", "00080018"))
            }
            dicomjson.with_bulk_urls(meta, face.retrieve_url(uid["st"], uid["se"], uid["sop"]))
        else:
            dicomjson.without_bulk(meta)
        for kw in extra:
            key = dicomjson.tag_key(dicomjson.tag_of(kw))
            if key in meta:
                out[key] = meta[key]
    return dict(sorted(out.items()))


def _representative_metadata(db, face: Face, query: Query, rows: dict) -> dict:
    if query.level == "instance":
        return json.loads(rows["instance"].metadata_json)
    stmt = select(DicomInstance.metadata_json).where(
        DicomInstance.face == face.key, DicomInstance.study_uid == rows["study"].study_uid
    )
    if query.level == "series":
        stmt = stmt.where(DicomInstance.series_uid == rows["series"].series_uid)
    text = db.scalar(stmt.order_by(DicomInstance.seq).limit(1))
    return json.loads(text) if text else {}
