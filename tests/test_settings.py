"""Settings are validated once, and every error names the file, the key path and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.secrets import resolve_secrets
from bot.settings import ConfigError, load_settings
from tests.conftest import FAKE_ENV, settings_dict


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "modbot.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class TestLoadSettings:
    def test_valid_file_loads(self, tmp_path: Path) -> None:
        """A complete configuration validates and keeps the account's mode."""
        s = load_settings(_write(tmp_path, settings_dict("sqlite:///x.db", mode="shadow")))
        assert s.academies["oakfield"].accounts["oakfield-fb"].mode == "shadow"

    def test_one_monitor_is_refused_with_key_path(self, tmp_path: Path) -> None:
        """An account with one monitor is refused, naming the file, key and policy."""
        data = settings_dict("sqlite:///x.db")
        data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["monitors"] = ["alice"]
        path = _write(tmp_path, data)
        with pytest.raises(ConfigError) as err:
            load_settings(path)
        msg = str(err.value)
        assert str(path) in msg
        assert "academies.oakfield.accounts.oakfield-fb.monitors" in msg
        assert "two named monitors" in msg

    def test_unknown_platform_is_refused(self, tmp_path: Path) -> None:
        """A platform the service does not know is named in the error."""
        data = settings_dict("sqlite:///x.db")
        data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["platform"] = "myspace"
        with pytest.raises(ConfigError, match=r"accounts\.oakfield-fb\.platform: .*myspace"):
            load_settings(_write(tmp_path, data))

    def test_unknown_person_is_refused(self, tmp_path: Path) -> None:
        """A monitor who is not under 'people' is reported with the key path."""
        data = settings_dict("sqlite:///x.db")
        data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["monitors"] = ["alice", "zed"]
        with pytest.raises(ConfigError, match=r"oakfield-fb\.monitors: 'zed' is not a person"):
            load_settings(_write(tmp_path, data))

    def test_typo_in_key_is_refused(self, tmp_path: Path) -> None:
        """Unknown keys are errors, so a typo never silently falls back to a default."""
        data = settings_dict("sqlite:///x.db")
        data["academies"]["oakfield"]["moderation"]["hide_treshold"] = 0.9
        with pytest.raises(ConfigError, match=r"moderation\.hide_treshold"):
            load_settings(_write(tmp_path, data))

    def test_bad_yaml_names_the_file(self, tmp_path: Path) -> None:
        """Broken YAML is reported with the file name, not a traceback."""
        path = tmp_path / "broken.yaml"
        path.write_text("trust: [unclosed", encoding="utf-8")
        with pytest.raises(ConfigError, match="broken.yaml: not valid YAML"):
            load_settings(path)

    def test_new_account_starts_in_shadow(self, tmp_path: Path) -> None:
        """Without a mode an account starts in shadow mode."""
        data = settings_dict("sqlite:///x.db")
        del data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["mode"]
        s = load_settings(_write(tmp_path, data))
        assert s.academies["oakfield"].accounts["oakfield-fb"].mode == "shadow"


class TestSecrets:
    def test_missing_variable_is_named(self, tmp_path: Path) -> None:
        """A credential variable that is not set stops start-up and is named with its key."""
        s = load_settings(_write(tmp_path, settings_dict("sqlite:///x.db")))
        env = dict(FAKE_ENV)
        del env["FB_SECRET"]
        with pytest.raises(ConfigError) as err:
            resolve_secrets(s, "modbot.yaml", env)
        assert "oakfield-fb.facebook.app_secret: environment variable FB_SECRET is not set" in str(
            err.value)

    def test_secret_file_is_read(self, tmp_path: Path) -> None:
        """A credential can come from a secret file instead of a variable."""
        data = settings_dict("sqlite:///x.db")
        secret = tmp_path / "token"
        secret.write_text("from-file\n", encoding="utf-8")
        data["academies"]["oakfield"]["accounts"]["oakfield-fb"]["facebook"]["page_token"] = {
            "file": str(secret)}
        s = load_settings(_write(tmp_path, data))
        found = resolve_secrets(s, "modbot.yaml", FAKE_ENV)
        assert found["academies.oakfield.accounts.oakfield-fb.facebook.page_token"] == "from-file"


class TestExampleConfig:
    def test_shipped_example_is_valid(self) -> None:
        """The annotated example in deploy/ validates, so the documentation matches the code."""
        from bot.calendar_config import CalendarBook

        path = Path(__file__).resolve().parents[1] / "deploy" / "modbot.example.yaml"
        settings = load_settings(path)
        CalendarBook(settings, str(path))
        assert settings.academies["oakfield"].accounts["oakfield-facebook"].mode == "shadow"

    def test_unquoted_yaml_times_and_dates(self, tmp_path: Path) -> None:
        """Unquoted 17:30 (YAML's base-60 integer) and bare dates mean what the IT lead wrote."""
        from datetime import time

        path = tmp_path / "c.yaml"
        text = yaml.safe_dump(settings_dict("sqlite:///x.db")).replace(
            "name: Oakfield Academy",
            "name: Oakfield Academy\n    calendar: {opens: 08:30, closes: 17:30, "
            "closures: [2027-01-04]}",
        )
        path.write_text(text, encoding="utf-8")
        cal = load_settings(path).academies["oakfield"].calendar
        assert cal.closes == time(17, 30) and cal.opens == time(8, 30)
        assert cal.closures == ("2027-01-04",)
