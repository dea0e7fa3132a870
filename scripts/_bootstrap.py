"""Lets `python scripts/<demo>.py` work with any python: re-run under the project's .venv when needed."""

import importlib.util
import os
import sys

_VENV = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, ".venv"))
_VENV_PYTHON = os.path.join(_VENV, "bin", "python")

try:
    import pydicom  # noqa: F401
    import requests  # noqa: F401

    import mockservers  # noqa: F401
except ImportError:
    if os.path.exists(_VENV_PYTHON) and os.path.normpath(sys.prefix) != _VENV:
        os.execv(_VENV_PYTHON, [_VENV_PYTHON, *sys.argv])
    sys.exit("Run `make run` once first: it creates .venv with the package.")

# The demos that drive a vendor's own SDK: the `demo` extra installs them (`make run` installs serving only).
_SDKS = {"aliyun_demo.py": "oss2", "dicomweb_demo.py": "dicomweb_client"}
_sdk = _SDKS.get(os.path.basename(sys.argv[0]))
if _sdk and importlib.util.find_spec(_sdk) is None:
    sys.exit(f"This demo uses {_sdk}: install the demo extra once, .venv/bin/pip install -e '.[demo]'")
