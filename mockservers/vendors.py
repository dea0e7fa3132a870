"""The vendor registry: one line per vendor. Nothing in core/ changes when a vendor is added."""

from __future__ import annotations

import importlib

from mockservers.core.vendor import VendorSpec

REGISTRY: dict[str, str] = {
    "sigma": "mockservers.sigma.vendor:SigmaVendor",
    "msdicom": "mockservers.msdicom.vendor:MsDicomVendor",
    "sphere": "mockservers.sphere.vendor:SphereVendor",
    "aliyun": "mockservers.aliyun.vendor:AliyunVendor",
    "cad4tb": "mockservers.cad4tb.vendor:Cad4tbVendor",
}


def load_vendor(key: str) -> VendorSpec:
    module_name, _, attr = REGISTRY[key].partition(":")
    return getattr(importlib.import_module(module_name), attr)()


def load_vendors(keys: list[str] | None = None) -> list[VendorSpec]:
    keys = list(keys or REGISTRY)
    unknown = [k for k in keys if k not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown vendor(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}")
    return [load_vendor(k) for k in keys]
