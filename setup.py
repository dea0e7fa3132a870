"""setuptools reads setup.cfg; this file adds the one thing setup.cfg cannot say: the repository's fixtures/
folder ships inside the package as mockservers/_fixtures (mockservers/samples.py finds it either way)."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["mockservers", "mockservers.*"]), "mockservers._fixtures"],
    package_dir={"mockservers._fixtures": "fixtures"},
)
