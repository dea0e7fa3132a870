from mockservers.settings import Settings, load_settings


def test_defaults():
    s = load_settings({}, env={})
    assert s == Settings()
    assert s.state == "sqlite:///var/state.db" and s.port == 8080 and s.clock == "real"


def test_precedence_file_then_env_then_cli(tmp_path):
    config = tmp_path / "mock.yaml"
    config.write_text(
        "port: 9000\nseed: 7\nclock: virtual\nvendors: [sigma]\nvendor_config:\n  sigma:\n    run_seconds: 3\n"
    )
    s = load_settings({"config": str(config), "port": 9100}, env={"MOCKSERVERS_PORT": "9050", "MOCKSERVERS_SEED": "9"})
    assert s.port == 9100 and s.seed == 9 and s.clock == "virtual" and s.vendors == ["sigma"]
    assert s.for_vendor("sigma") == {"run_seconds": 3}


def test_env_types_and_config_from_env(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("journal_size: 5\n")
    s = load_settings(
        {},
        env={
            "MOCKSERVERS_CONFIG": str(config),
            "MOCKSERVERS_BACKGROUND": "false",
            "MOCKSERVERS_VENDORS": "sigma, aliyun",
            "MOCKSERVERS_CALLBACK_TIMEOUT": "1.5",
        },
    )
    assert s.journal_size == 5 and s.background is False and s.vendors == ["sigma", "aliyun"]
    assert s.callback_timeout == 1.5
