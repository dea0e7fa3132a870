"""QIDO-RS: query parameters to SQL on the index, index rows to DICOM JSON (or, for a face with index_results, the
answer the Microsoft server builds: see server_answers)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime

from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement
from sqlalchemy import Integer, and_, bindparam, exists, false, func, literal, or_, select, tuple_
from werkzeug.datastructures import MultiDict

from mockservers.core import prepared
from mockservers.dicom import dicomjson
from mockservers.dicom.archive import normalize_name
from mockservers.dicom.attributes import BY_KEYWORD, LEVELS, Attr
from mockservers.dicom.errors import DicomWebError, bad_request
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
    "RequestAttributesSequence",
}
# QIDO's 400 reasons; a face may word them its own way (Face.qido_messages). Two refusals only some faces make, and
# only if they word them: "include_all_mixed" (includefield=all beside other fields) and "fuzzy_quote" (a '"' in a
# fuzzy-matched name)
MESSAGES = {
    "unknown": "The query parameter '{name}' is not supported: it is not a searchable attribute at the {level} level.",
    "not_queryable": "The query parameter '{name}' is not supported: it is not a searchable attribute at the {level} "
    "level.",
    "given_twice": "The query parameter '{name}' is given more than once.",
    "same_attribute": "The attribute '{keyword}' is given more than once.",
    "empty": "The query parameter '{name}' has an empty value.",
    "include_unknown": "The field '{item}' in includefield is not a DICOM keyword or tag.",
    "bad_date": "The value '{value}' of {keyword} is not a valid date (YYYYMMDD).",
    "empty_range": "The date range '{value}' of {keyword} is invalid.",
    "range_parts": "The date range '{value}' of {keyword} is invalid.",
    "reversed_range": "The date range '{value}' of {keyword} is invalid: the start date is after the end date.",
    "bad_uid": "The value '{value}' of {keyword} is not a valid UID.",
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
    """The filters a query at this level may name (the face lists them per level, of any DICOM level); with
    filters_by_resource, only those of the levels the resource answers."""
    answered = levels_in_answer(query)
    return {
        kw: BY_KEYWORD[kw]
        for kw in face.queryable.get(query.level, ())
        if not face.filters_by_resource or BY_KEYWORD[kw].level in answered
    }


def refusal(face: Face, key: str, **values: str) -> DicomWebError:
    return bad_request(face.qido_messages.get(key, MESSAGES.get(key, "")).format(**values))


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
    include: list[str] = []
    for name in args:
        values = args.getlist(name)
        lname = name.lower()
        if lname == "includefield":
            include += [item.strip() for value in values for item in value.split(",")]
            continue
        if len(values) > 1:
            raise refusal(face, "given_twice", name=name)
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
            if tag is None:
                raise refusal(face, "unknown", name=name, level=level)
            attr = allowed.get(dicomjson.keyword(tag))
            if attr is None:
                raise refusal(face, "not_queryable", name=name, level=level)
            if face.filter_trailing_nulls_ignored:
                value = value.rstrip("\0") or value  # nulls alone are a value that nothing holds
            if value == "":
                if face.empty_filter_error:
                    raise refusal(face, "empty", name=name)
                continue  # universal matching
            if any(a.keyword == attr.keyword for a, _ in query.filters):
                raise refusal(face, "same_attribute", name=name, keyword=attr.keyword)
            query.filters.append((attr, value))
    _read_include(face, query, [item for item in include if item])
    return query


def _read_include(face: Face, query: Query, items: list[str]) -> None:
    if any(item.lower() == "all" for item in items):
        if len(items) > 1 and "include_all_mixed" in face.qido_messages:
            raise refusal(face, "include_all_mixed")
        query.include_all = True
    for item in items:
        if item.lower() == "all":
            continue
        tag = dicomjson.resolve(item)
        if tag is None:
            raise refusal(face, "include_unknown", item=item)
        query.include.add(dicomjson.keyword(tag))


# ---- matching -------------------------------------------------------------------------------


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _has_wildcard(face: Face, value: str) -> bool:
    return face.wildcards and ("*" in value or "?" in value)


def _check_date(face: Face, attr: Attr, value: str) -> None:
    try:
        valid = len(value) == 8 and value.isdigit() and bool(datetime.strptime(value, "%Y%m%d"))
    except ValueError:
        valid = False
    if not valid:
        raise refusal(face, "bad_date", value=value, keyword=attr.keyword)


def _text_equals(face, column, param):
    if face.text_ignores_case:  # one lower() on both sides: the same folding whatever the database
        return func.lower(column) == func.lower(param)
    return column == param


def condition(face: Face, query: Query, attr: Attr, value: str):
    """The SQL condition of one filter, its values bound (see _plan)."""
    shape, values = _plan(face, query, attr, value)
    return _clause(face, attr, shape, [literal(v) for v in values])


def _plan(face: Face, query: Query, attr: Attr, value: str) -> tuple[tuple, tuple]:
    """(the shape of a filter's condition, its values): the filter checked (a 400 for a bad one), and what _clause
    builds, so that a query's statement is built once per shape (a cached prepared statement) and its values bound."""
    if "\0" in value and attr.kind not in ("date", "int"):
        return ("nothing",), ()  # matches nothing, whatever the database (PostgreSQL refuses a null in a string)
    if attr.kind == "modalities":
        values = _split_list(face, value)
        return ("modalities", len(values)), tuple(values)
    assert attr.column is not None  # of the attributes of a level, only ModalitiesInStudy has no column
    if attr.kind == "uid":
        values = _split_list(face, value)
        for uid in values:
            if face.uid_filters_checked and not is_valid_uid(uid):
                raise refusal(face, "bad_uid", value=uid, keyword=attr.keyword)
        return ("in", len(values)), tuple(values)
    if attr.kind == "date":
        return _date_plan(face, attr, value)
    if attr.kind == "int":
        try:
            return ("equals",), (int(value),)
        except ValueError:
            raise bad_request(f"The value '{value}' of {attr.keyword} is not an integer.") from None
    if attr.kind == "name":
        target = normalize_name(value)
        if query.fuzzy and '"' in value and "fuzzy_quote" in face.qido_messages:
            raise refusal(face, "fuzzy_quote", keyword=attr.keyword, value=value)
        if query.fuzzy:  # any name component starting with the value
            like = _like(target) if face.wildcards else target.replace("%", "\\%").replace("_", "\\_")
            return ("name_starts",), (like + "%", "% " + like + "%")
        if _has_wildcard(face, value):
            return ("name_like",), (_like(target),)
        return ("name_equals",), (target,)
    if _has_wildcard(face, value):
        return ("like",), (_like(value),)
    return ("text_equals",), (value,)


def _date_plan(face: Face, attr: Attr, value: str) -> tuple[tuple, tuple]:
    if "-" in value:
        start, _, end = value.partition("-")
        if not start and not end:
            raise refusal(face, "empty_range", value=value, keyword=attr.keyword)
        if "-" in end:
            raise refusal(face, "range_parts", value=value, keyword=attr.keyword)
        for part in (start, end):
            if part:
                _check_date(face, attr, part)
        if start and end and start > end:
            raise refusal(face, "reversed_range", value=value, keyword=attr.keyword, start=start, end=end)
        return ("range", bool(start), bool(end)), tuple(part for part in (start, end) if part)
    _check_date(face, attr, value)
    return ("equals",), (value,)


def _clause(face: Face | _ShapeFace, attr: Attr, shape: tuple, params: list, face_key=None):
    """The condition _plan's shape names, on the index's tables, with `params` (bind parameters) for its values.
    `face_key`: the face's key as a parameter (else its value)."""
    kind = shape[0]
    if kind == "nothing":
        return false()
    if kind == "modalities":
        series = DicomSeries.__table__.alias()  # not the outer query's series (an instance query joins one)
        return exists().where(
            series.c.face == (face.key if face_key is None else face_key),
            series.c.study_uid == _STUDIES.c.study_uid,
            or_(*(_text_equals(face, series.c.modality, p) for p in params))
            if face.text_ignores_case
            else series.c.modality.in_(params),
        )
    assert attr.column is not None  # as _plan said
    table = MODELS[attr.level].__table__
    column = table.c[attr.column]
    if kind == "in":
        return column.in_(params) if len(params) > 1 else column == params[0]
    if kind == "range":
        _, start, end = shape
        bounds = iter(params)
        return and_(*([column >= next(bounds)] if start else []), *([column <= next(bounds)] if end else []))
    if kind == "equals":
        return column == params[0]
    if kind.startswith("name"):
        norm = table.c[attr.column + "_norm"]
        if kind == "name_starts":
            return or_(norm.like(params[0], escape="\\"), norm.like(params[1], escape="\\"))
        if kind == "name_like":
            return norm.like(params[0], escape="\\")
        return norm == params[0]
    if kind == "like":
        return column.like(params[0], escape="\\")
    return _text_equals(face, column, params[0])


def _split_list(face: Face, value: str) -> list[str]:
    if not face.uid_lists:
        return [value]
    return [v for v in value.replace("\\", ",").split(",") if v] or [value]


def search(db, face: Face, query: Query) -> list[dict]:
    statement, values = prepared_search(db, face, query)
    found = [{_LEVEL_OF[table]: record for table, record in row.items()} for row in statement.records(db, values)]
    if face.index_results is not None:
        return server_answers(db, face, query, found)
    return [render(db, face, query, levels) for levels in found]


def prepared_search(db, face: Face, query: Query) -> tuple[prepared.Prepared, dict[str, object]]:
    """The query's statement, prepared once per shape of query (its level, the filters' kinds...), and its values."""
    with_metadata = query.level == "instance" and (face.index_results is not None or _needs_metadata(face, query))
    values: dict[str, object] = {"face": face.key}
    shapes = []
    for index, (attr, value) in enumerate(query.filters):
        shape, bound = _plan(face, query, attr, value)
        shapes.append((attr.keyword, shape))
        values.update((f"f{index}_{n}", v) for n, v in enumerate(bound))
    given = {"study": query.study, "series": query.series, "offset": query.offset or None, "limit": query.limit}
    values.update((name, value) for name, value in given.items() if value is not None)
    shape = (
        query.level,
        query.study is not None,
        query.series is not None,
        tuple(shapes),
        "offset" in values,
        "limit" in values,
        with_metadata,
        face.text_ignores_case,
        face.newest_first,
    )
    return _SEARCHES.get(db, shape), values


def _search_statement(shape: tuple):
    """The select of a search of this shape (search() says what it holds), its values as named bind parameters."""
    level, study, series, filters, offset, limit, with_metadata, ignores_case, newest_first = shape
    chain = LEVELS[: LEVELS.index(level) + 1]
    columns = [
        column
        for lvl in chain
        for column in MODELS[lvl].__table__.columns
        if with_metadata or column.name != "metadata_json"
    ]
    table = MODELS[level].__table__
    joined = table
    if level in ("series", "instance"):
        joined = joined.join(_STUDIES, and_(_STUDIES.c.face == table.c.face, _STUDIES.c.study_uid == table.c.study_uid))
    if level == "instance":
        joined = joined.join(
            _SERIES,
            and_(
                _SERIES.c.face == table.c.face,
                _SERIES.c.study_uid == table.c.study_uid,
                _SERIES.c.series_uid == table.c.series_uid,
            ),
        )
    face = _ShapeFace(ignores_case)
    stmt = select(*columns).select_from(joined).where(table.c.face == bindparam("face"))
    if study:
        stmt = stmt.where(table.c.study_uid == bindparam("study"))
    if series:
        stmt = stmt.where(table.c.series_uid == bindparam("series"))  # a series is given only below the series level
    for index, (keyword, filter_shape) in enumerate(filters):
        count = _values_of(filter_shape)
        params: list = [bindparam(f"f{index}_{n}") for n in range(count)]
        stmt = stmt.where(_clause(face, BY_KEYWORD[keyword], filter_shape, params, face_key=bindparam("face")))
    stmt = stmt.order_by(table.c.seq.desc() if newest_first else table.c.seq.asc(), table.c.id)
    if offset:
        stmt = stmt.offset(bindparam("offset", type_=Integer))
    if limit:
        stmt = stmt.limit(bindparam("limit", type_=Integer))
    return stmt, columns


def _values_of(shape: tuple) -> int:
    """How many values a condition of this shape binds."""
    kind = shape[0]
    if kind in ("modalities", "in"):
        return shape[1]
    if kind == "range":
        return int(shape[1]) + int(shape[2])
    if kind == "nothing":
        return 0
    return 2 if kind == "name_starts" else 1


@dataclass(frozen=True)
class _ShapeFace:
    """What _clause reads of a face besides its key, for a statement shared by every face of that shape."""

    text_ignores_case: bool
    key: str = ""


_LEVEL_OF = {model.__tablename__: level for level, model in MODELS.items()}
_STUDIES = DicomStudy.__table__
_SERIES = DicomSeries.__table__
_SEARCHES = prepared.Cache(_search_statement)


# ---- answering ------------------------------------------------------------------------------


def _needs_metadata(face: Face, query: Query) -> bool:
    return bool(_extra_fields(face, query))


def _return_keywords(face: Face, query: Query) -> list[str]:
    keywords: list[str] = []
    for lvl in levels_in_answer(query):
        keywords += [kw for kw in face.defaults.get(lvl, ()) if kw in BY_KEYWORD]
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
    """Defaults and includefield names the index does not hold: answered from the instance's stored metadata."""
    defaults = [kw for lvl in levels_in_answer(query) for kw in face.defaults.get(lvl, ()) if kw not in BY_KEYWORD]
    included = [kw for kw in sorted(query.include) if kw not in BY_KEYWORD or not _level_ok(BY_KEYWORD[kw], query)]
    return list(dict.fromkeys(defaults + included))


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


def render(db, face: Face, query: Query, rows: dict) -> dict:
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


# ---- answering as the Microsoft server does (a face with index_results) ---------------------------------------


def server_answers(db, face: Face, query: Query, found: list[dict]) -> list[dict]:
    """QueryService.cs: the attributes asked for (_asked_keys) are read from the newest instance's stored attributes
    (binary ones left out unless the face keeps them in metadata) when the index's study and series results do not
    hold them all; then those results are laid over them, the study's computed ones only at the study level, the
    series' at the series level. What is asked for and has a value is answered."""
    assert face.index_results is not None
    asked = _asked_keys(face, query)
    study_keys, series_keys = _keys(face.index_results["study"]), _keys(face.index_results["series"])
    from_metadata = bool(asked - study_keys - series_keys)
    if from_metadata:
        with_study = query.level == "study" and bool(asked & _computed_keys(face, "study"))
        with_series = query.level == "series" and bool(asked & _computed_keys(face, "series"))
    else:
        with_study, with_series = bool(asked & study_keys), bool(asked & series_keys)
    needs_newest = from_metadata or (with_series and query.level == "study")
    newest = _newest_instances(db, face, query, found, from_metadata) if needs_newest else [None] * len(found)
    series_rows = _series_rows(db, face, found, newest) if with_series else [None] * len(found)
    answers = []
    for levels, instance, series in zip(found, newest, series_rows, strict=True):
        attrs: dict[str, dict] = {}
        if from_metadata and instance is not None:
            text = instance.metadata_json
            attrs.update(json.loads(text if face.binary_in_metadata else dicomjson.text_without_binary(text)))
        if series is not None:
            attrs.update(_index_result(face, "series", series))
        if with_study:
            attrs.update(_index_result(face, "study", levels["study"]))
        answers.append({key: attrs[key] for key in sorted(attrs) if key in asked and _has_value(attrs[key])})
    return answers


def _keys(keywords) -> frozenset[str]:
    return _tag_keys(tuple(keywords))


@functools.lru_cache(maxsize=1024)
def _tag_keys(keywords: tuple[str, ...]) -> frozenset[str]:
    return frozenset(dicomjson.tag_key(dicomjson.tag_of(kw)) for kw in keywords)


def _computed_keys(face: Face, level: str) -> frozenset[str]:
    assert face.index_results is not None
    return _keys(kw for kw in face.index_results[level] if BY_KEYWORD[kw].kind in ("computed", "modalities"))


def _asked_keys(face: Face, query: Query) -> frozenset[str]:
    """QueryResponseBuilder.cs: the defaults (or includefield=all's list) of every level the resource answers, the
    included fields, the filtered attributes and the UIDs of the path."""
    lists = face.include_all if query.include_all and face.include_all is not None else face.defaults
    keywords = [kw for lvl in levels_in_answer(query) for kw in lists.get(lvl, ())]
    if not query.include_all:
        keywords += sorted(query.include)
    keywords += [attr.keyword for attr, _ in query.filters]
    keywords += ["StudyInstanceUID"] if query.study is not None else []
    keywords += ["SeriesInstanceUID"] if query.series is not None else []
    return _keys(keywords)


def _newest_instances(db, face: Face, query: Query, found: list[dict], with_metadata: bool) -> list:
    """Each result's newest instance (SqlQueryGenerator.cs: TOP 1 ... ORDER BY Watermark DESC), or the instance."""
    if query.level == "instance":
        return [levels["instance"] for levels in found]
    if not found:
        return []
    keyed = ("study_uid",) if query.level == "study" else ("study_uid", "series_uid")
    newest = select(func.max(DicomInstance.seq).label("seq")).where(
        DicomInstance.face == face.key, DicomInstance.study_uid.in_({levels["study"].study_uid for levels in found})
    )
    if query.level == "series":
        newest = newest.where(DicomInstance.series_uid.in_({levels["series"].series_uid for levels in found}))
    newest_seqs = newest.group_by(*(getattr(DicomInstance, c) for c in keyed)).subquery()
    columns = [DicomInstance.study_uid, DicomInstance.series_uid]
    stmt = select(*columns, *([DicomInstance.metadata_json] if with_metadata else [])).join(
        newest_seqs, and_(DicomInstance.face == face.key, DicomInstance.seq == newest_seqs.c.seq)
    )
    by_key = {tuple(getattr(row, c) for c in keyed): row for row in db.execute(stmt)}
    return [by_key.get(tuple(getattr(levels[query.level], c) for c in keyed)) for levels in found]


def _series_rows(db, face: Face, found: list[dict], newest: list) -> list:
    """Each result's series: its own, or (for a study) the newest instance's."""
    if all("series" in levels for levels in found):
        return [levels["series"] for levels in found]
    pairs = {(n.study_uid, n.series_uid) for n in newest if n is not None}
    rows = db.scalars(
        select(DicomSeries).where(
            DicomSeries.face == face.key, tuple_(DicomSeries.study_uid, DicomSeries.series_uid).in_(pairs)
        )
    )
    by_key = {(row.study_uid, row.series_uid): row for row in rows}
    return [by_key.get((n.study_uid, n.series_uid)) if n is not None else None for n in newest]


def _index_result(face: Face, level: str, row) -> dict[str, dict]:
    """StudyResult.cs / SeriesResult.cs: the index row's attributes that have a value, with the UIDs above it."""
    assert face.index_results is not None
    uids = ("StudyInstanceUID",) if level == "study" else ("StudyInstanceUID", "SeriesInstanceUID")
    out = {}
    for kw in uids + face.index_results[level]:
        attr = BY_KEYWORD[kw]
        if attr.kind == "modalities":
            value = [m for m in row.modalities.split("\\") if m]
        else:
            assert attr.column is not None  # every other attribute of an index result has its column
            value = getattr(row, attr.column)
        if value is None or (isinstance(value, (str, list)) and not value):
            continue
        if isinstance(value, str) and "\\" in value:
            value = value.split("\\")
        tag = dicomjson.tag_of(kw)
        out[dicomjson.tag_key(tag)] = json.loads(
            _index_element(tag, tuple(value) if isinstance(value, list) else value)
        )
    return out


@functools.lru_cache(maxsize=4096)
def _index_element(tag: int, value: str | int | float | tuple) -> str:
    """pydicom's DICOM JSON of an index value, as text (each answer decodes its own copy): the same values come back
    on every search of a study, and pydicom builds each element in about 50 µs."""
    element = DataElement(tag, dictionary_VR(tag), list(value) if isinstance(value, tuple) else value)
    return json.dumps(element.to_json_dict(None, 0))


def _has_value(element: dict) -> bool:
    return bool(element.get("Value"))
