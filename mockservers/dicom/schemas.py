"""The marshmallow schemas the DICOMweb faces document (OpenAPI and the fidelity ledger): DICOM JSON answers, the
STOW answer, QIDO query schemas built from a face's filter lists, the rendered query. They document only: QIDO's
keys are free-form, so dicom/qido.py reads the query itself."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

from mockservers.dicom.dicomjson import tag_key, tag_of


class DicomJsonDataset(Schema):
    """One dataset in DICOM JSON (PS3.18 F.2): keys are tags ("0020000D"), each {"vr", "Value" | "BulkDataURI" |
    "InlineBinary"}."""

    class Meta:
        unknown = INCLUDE


class DicomJsonArray(DicomJsonDataset):
    """A JSON array of DICOM JSON datasets."""

    def __init__(self, *args, **kwargs):
        kwargs["many"] = True
        super().__init__(*args, **kwargs)


class StowAnswer(Schema):
    """The STOW-RS answer (PS3.18 Table 10.5.3-1): a DICOM JSON dataset; empty sequences are left out."""

    class Meta:
        unknown = INCLUDE

    RetrieveURL = fields.Dict(
        data_key="00081190",
        metadata={
            "description": "(0008,1190) UR: the study's URL; only with the study in the path (msdicom: and once an "
            "instance was stored)"
        },
    )
    FailedSOPSequence = fields.Dict(
        data_key="00081198",
        metadata={
            "description": "(0008,1198) SQ: per failed part ReferencedSOPClassUID, ReferencedSOPInstanceUID and "
            "FailureReason (0008,1197): 272, 43264, 43265 (sphere), 45070, 45071; msdicom adds to a 43264 its "
            "FailedAttributesSequence (0074,1048) of ErrorComments (0000,0902)"
        },
    )
    ReferencedSOPSequence = fields.Dict(
        data_key="00081199",
        metadata={
            "description": "(0008,1199) SQ: per stored instance the two UIDs, RetrieveURL and, if it was stored with a "
            "warning, WarningReason (0008,1196) 45063 (or 1 on msdicom v2, whose items always carry a "
            "FailedAttributesSequence (0074,1048) of the warnings' ErrorComments)"
        },
    )


def stow_answer(source: str, inferred: dict[str, str]) -> type[Schema]:
    """The face's StowAnswer, with where its fields are documented."""
    return type("StowAnswer", (StowAnswer,), {"__source__": source, "__inferred__": inferred})


def query_schema(
    name: str, keywords: tuple[str, ...], source: str, inferred: dict[str, str], fuzzymatching: bool = True
) -> type[Schema]:
    """A QIDO query: one string field per searchable keyword (its tag, e.g. 00100020, works alike), then the
    paging and include parameters. `inferred`: field -> why, for what the document does not show."""
    attrs: dict = {
        "__source__": source,
        "__inferred__": inferred,
        "__doc__": "QIDO-RS filters. Each attribute may also be named by its tag number (8 hex digits, "
        "e.g. 00100020 for PatientID): the same filter.",
    }
    for keyword in keywords:
        attrs[keyword] = fields.String(metadata={"description": f"{keyword} (or its tag {tag_key(tag_of(keyword))})"})
    attrs["limit"] = fields.Integer(metadata={"description": "how many results at most"})
    attrs["offset"] = fields.Integer(metadata={"description": "how many results to skip"})
    attrs["includefield"] = fields.String(
        metadata={"description": "more attributes to return: keywords or tags, comma-separated, or all"}
    )
    if fuzzymatching:
        attrs["fuzzymatching"] = fields.Boolean(metadata={"description": "names match any component by prefix"})
    return type(name, (Schema,), attrs)


def rendered_query(name: str, inferred_why: str) -> type[Schema]:
    why = inferred_why.split(":", 1)[1].strip()
    return type(
        name,
        (Schema,),
        {
            "__source__": "",
            "__inferred__": {"quality": why},
            "quality": fields.Integer(metadata={"description": "JPEG quality, 1-100 (90)"}),
        },
    )
