"""What differs between two DICOMweb servers built on this machinery: one Face per request."""

from __future__ import annotations

from dataclasses import dataclass, field

EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"
IMPLICIT_VR_LE = "1.2.840.10008.1.2"


@dataclass
class Face:
    key: str  # the vendor key: the archive's partition
    base_url: str  # where WADO-RS resources live, for RetrieveURL (e.g. http://host/msdicom/v2)
    queryable: dict[str, tuple[str, ...]]  # level -> keywords a QIDO filter may name
    defaults: dict[str, tuple[str, ...]]  # level -> keywords every QIDO result carries
    wildcards: bool = True  # '*' and '?' in string filters
    uid_lists: bool = True  # 'uid1,uid2' (or backslash) matches any of them
    empty_filter_error: bool = False  # 'PatientID=' is a 400 (else universal matching)
    default_limit: int | None = None
    max_limit: int | None = None
    no_match_status: int = 200  # 204 (empty body) or 200 ([])
    newest_first: bool = False
    required: tuple[str, ...] = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID")
    searchable_invalid_fails: bool = True  # else stored with WarningReason 45063
    implicit_vr_warns: bool = False
    default_transfer_syntax: str | None = EXPLICIT_VR_LE  # None: always as stored (no transcoding)
    retrieve_transfer_syntaxes: tuple[str, ...] | None = None  # what a WADO Accept may name, "*" too; None: any
    multi_instance_transcoding: bool = False
    frame_number_ignored: bool = False
    decompress_pixels: bool = False
    xml_in_development: bool = False  # answer application/dicom+xml with the text "En cours de développement"
    single_part_upload: bool = False  # STOW of a bare application/dicom body
    metadata_upload: bool = False  # STOW of DICOM JSON metadata and bulk data (type="application/dicom+json")
    single_part_retrieve: bool = False  # WADO of one instance as a bare application/dicom body
    rendered: bool = False
    instance_metadata_as_object: bool = False
    bulk_data_uris: bool = True  # metadata gives bulk values as BulkDataURIs (PS3.18 F.2.6), else leaves them out
    binary_in_metadata: bool = True  # False: every OB, OD, OF, OL, OV, OW, UN attribute left out, whatever its size
    metadata_etag: bool = False  # metadata carries an ETag; an If-None-Match equal to it is a 304
    path_uid_trailing_spaces: bool = False  # trailing spaces of a UID in the path are dropped (else it is invalid)
    delete_refused: str | None = None  # a server that refuses DELETE: the message of its 405
    # STOW checks as the Microsoft server's code makes them (dicom/validation.py): "index" (v1) or "lenient" (v2);
    # None: the face's `required`, strict UIDs, 43265 for another study than the URL's, searchable_invalid_fails
    validation: str | None = None
    warning_status: int = 202  # the status of a STOW whose instances were all stored, some with a WarningReason
    empty_multipart_no_content: bool = False  # a multipart STOW without a single part: 204 (else 400)
    study_url_needs_stored: bool = False  # the STOW answer's study RetrieveURL only when something was stored
    latest_wins: bool = False  # a study's or series' indexed values follow its newest instance's non-empty ones
    # QIDO built as the Microsoft server builds it (dicom/qido.py, server_answers); None/False/{}: the plain way
    index_results: dict[str, tuple[str, ...]] | None = None  # level -> what its index row answers; set: an answer is
    # the newest instance's stored attributes merged with these, cut to the asked and filtered ones, none empty
    include_all: dict[str, tuple[str, ...]] | None = None  # level -> includefield=all's list, in place of the defaults
    filters_by_resource: bool = False  # only the filters of the levels a resource answers (none of the study's under
    # /studies/{study}/series)
    filter_trailing_nulls_ignored: bool = False  # 'X%00' filters as 'X' (SQL Server's collation weighs no null)
    text_ignores_case: bool = False  # strings other than names match ignoring case (ASCII letters)
    uid_filters_checked: bool = True  # a UID filter that is no valid UID is a 400 (else it matches nothing)
    qido_messages: dict[str, str] = field(default_factory=dict)  # QIDO's 400 reasons that differ from qido.MESSAGES

    def retrieve_url(self, study: str, series: str | None = None, sop: str | None = None) -> str:
        url = f"{self.base_url}/studies/{study}"
        if series:
            url += f"/series/{series}"
            if sop:
                url += f"/instances/{sop}"
        return url
