"""A demo-seeded state on disk, as `mockservers seed --scenario demo` writes it, for the tests that read one."""

from __future__ import annotations

from mockservers.cli import main


def seeded_state(tmp_path, name: str, seed: int = 0, studies: int = 5, *extra: str) -> str:
    """Seeds a virtual-clock SQLite state under tmp_path/name and returns its URL; `extra` are more seed options."""
    state = f"sqlite:///{tmp_path}/{name}/state.db"
    command = ["seed", "--scenario", "demo", "--studies", str(studies), "--state", state, "--seed", str(seed)]
    assert main([*command, "--clock", "virtual", *extra]) == 0
    return state
