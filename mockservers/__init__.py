"""mockservers: offline, faithful stand-ins for medical-imaging AI vendor APIs."""

__version__ = "0.1.0"
