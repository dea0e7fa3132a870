"""Medical Imaging Server for DICOM (the DICOMweb standard API, /v1 and /v2)."""
