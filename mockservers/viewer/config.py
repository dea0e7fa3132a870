"""The app-config.js the mock gives OHIF at /viewer/app-config.js (in place of the build's own, which points at
OHIF's public demo server): two DICOMweb data sources, msdicom's face and the read-only view over every vendor's
stored DICOM at /__admin/dicomweb, and OHIF's router under /viewer."""

from __future__ import annotations

import json
from typing import Any

from mockservers.viewer import PREFIX

DICOMWEB = "@ohif/extension-default.dataSourcesModule.dicomweb"
MSDICOM = "msdicom"  # the data sources' names: /viewer/viewer/NAME?StudyInstanceUIDs=... opens a study in NAME
ALL_VENDORS = "all-vendors"
ROOTS = ("qidoRoot", "wadoRoot", "wadoUriRoot")


def _source(name: str, title: str, root: str, **switches: Any) -> dict[str, Any]:
    return {
        "namespace": DICOMWEB,
        "sourceName": name,
        "configuration": {
            "friendlyName": title,
            "name": name,
            **dict.fromkeys(ROOTS, root),
            "qidoSupportsIncludeField": True,
            "imageRendering": "wadors",
            "thumbnailRendering": "wadors",
            "enableStudyLazyLoad": True,
            "supportsWildcard": False,
            "staticWado": False,
            "omitQuotationForMultipartRequest": True,
            **switches,
        },
    }


def source_names(vendor_keys: list[str]) -> list[str]:
    return [s["sourceName"] for s in app_config(vendor_keys)["dataSources"]]


def app_config(vendor_keys: list[str]) -> dict[str, Any]:
    """OHIF's window.config. The roots are paths here; the script makes them URLs of the page's own origin."""
    sources = []
    if MSDICOM in vendor_keys:
        # msdicom's QIDO: no wildcards; fuzzymatching=true matches a name's components by prefix (docs/msdicom.md)
        sources.append(
            _source(
                MSDICOM, "msdicom (Medical Imaging Server for DICOM, v2)", "/msdicom/v2", supportsFuzzyMatching=True
            )
        )
    sources.append(
        _source(ALL_VENDORS, "Every vendor's DICOM (read-only)", "/__admin/dicomweb", supportsFuzzyMatching=False)
    )
    return {
        "name": "mockservers",
        "routerBasename": PREFIX.rstrip("/"),
        "extensions": [],
        "modes": [],
        "customizationService": {"ohif.tours": {"$set": []}},  # no guided tour over the first study
        "showStudyList": True,
        "maxNumberOfWebWorkers": 3,
        "showWarningMessageForCrossOrigin": False,
        "showCPUFallbackMessage": True,
        "showLoadingIndicator": True,
        "strictZSpacingForVolumeViewport": True,
        "investigationalUseDialog": {"option": "never"},
        "maxNumRequests": {"interaction": 100, "thumbnail": 5, "prefetch": 25},
        "showErrorDetails": "always",
        "defaultDataSourceName": sources[0]["sourceName"],
        "dataSources": sources,
    }


# OHIF writes over a finding's region only its measurements (TID 1500 NUMs: "AI score: 0.87 1"), not what was found.
# The reports (dicom/reports.py) name each finding in its tracking identifier: that name leads the text, followed by
# the scores without their unit ("1", UCUM's "no units"). Measurements of other SRs, without a tracking identifier or
# with Cornerstone's ("Cornerstone3DTools@^0.1.0:Length", OHIF's own reports), are left as OHIF writes them. OHIF
# 3.13 adds a report's regions after the image's last render and draws them only at the next one (a mouse move):
# the viewports are rendered again after they are added (three times: the image may still be loading).
NAMED_FINDINGS = """({measurement}) => {
  const name = measurement.TrackingIdentifier;
  const labels = measurement.labels || [];
  if (name && !/@[^:]*:/.test(name) && !(labels.length === 1 && labels[0].label === name)) {
    measurement.labels = [{label: name, value: labels.map(({value}) => value.replace(/ 1$/, "")).join(", ")}];
  }
  const render = () => (window.cornerstone?.getRenderingEngines() || []).forEach((engine) => engine.render());
  for (const ms of [0, 500, 2000]) setTimeout(render, ms);
  return measurement;
}"""


def script(vendor_keys: list[str]) -> str:
    config = json.dumps(app_config(vendor_keys), indent=2, ensure_ascii=False)
    roots = json.dumps(list(ROOTS))
    return (
        "/* OHIF's configuration, from mockservers (mockservers/viewer/config.py): the data sources are this\n"
        "   server's msdicom face and its read-only DICOMweb view over every vendor (/__admin/dicomweb). */\n"
        f"window.config = {config};\n"
        "window.config.dataSources.forEach(({configuration}) => {\n"
        f"  for (const root of {roots}) configuration[root] = window.location.origin + configuration[root];\n"
        "});\n"
        f"window.config.customizationService.onBeforeSRAddMeasurement = {{$set: {NAMED_FINDINGS}}};\n"
    )
