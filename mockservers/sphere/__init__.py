"""Sphere DicomWeb: QIDO-RS under /qidors, WADO-RS under /wadors, STOW-RS under /stowrs."""
