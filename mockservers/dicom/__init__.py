"""DICOM files and DICOMweb machinery shared by the vendors that take DICOM."""
