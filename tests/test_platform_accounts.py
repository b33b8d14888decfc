"""Accounts on every platform: their settings blocks, secrets and how decisions fit them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.capabilities import CAPABILITIES, MATRIX, matrix_markdown
from bot.decide import decide, fit_to_platform
from bot.domain import ActionKind
from bot.secrets import resolve_secrets
from bot.settings import ConfigError, ModerationSettings, load_settings
from moderation_rules.types import Assessment
from tests.conftest import FAKE_ENV, settings_dict

ACCOUNTS: dict[str, dict[str, Any]] = {
    "oakfield-ig": {"platform": "instagram", "instagram": {
        "ig_user_id": "1784", "access_token": {"env": "IG_TOKEN"},
        "app_secret": {"env": "IG_SECRET"}, "verify_token": {"env": "IG_VERIFY"}}},
    "oakfield-x": {"platform": "twitter", "twitter": {
        "user_id": "42", "access_token": {"env": "X_TOKEN"}, "mute_authors": True}},
    "oakfield-dc": {"platform": "discord", "discord": {
        "guild_id": "9", "channel_ids": ["10", "11"], "bot_token": {"env": "DC_TOKEN"},
        "timeout_minutes": 60}},
}
ENV = {**FAKE_ENV, "IG_TOKEN": "ig", "IG_SECRET": "igs", "IG_VERIFY": "igv", "X_TOKEN": "x",
       "DC_TOKEN": "dc"}


def _config(tmp_path: Path, **changes: dict[str, Any]) -> Path:
    data = settings_dict("sqlite:///x.db")
    accounts = data["academies"]["oakfield"]["accounts"]
    for key, block in {**ACCOUNTS, **changes}.items():
        accounts[key] = {"mode": "enforce", "monitors": ["alice", "bob"], **block}
    path = tmp_path / "modbot.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class TestSettings:
    def test_all_four_platforms_load_and_resolve_their_secrets(self, tmp_path: Path) -> None:
        """Each platform's block validates and each of its credentials is resolved by key path."""
        s = load_settings(_config(tmp_path))
        found = resolve_secrets(s, "modbot.yaml", ENV)
        base = "academies.oakfield.accounts"
        assert found[f"{base}.oakfield-x.twitter.access_token"] == "x"
        assert found[f"{base}.oakfield-dc.discord.bot_token"] == "dc"
        assert found[f"{base}.oakfield-ig.instagram.verify_token"] == "igv"
        assert s.academies["oakfield"].accounts["oakfield-dc"].discord.channel_ids == ("10", "11")

    def test_missing_block_is_named(self, tmp_path: Path) -> None:
        """A Discord account without its 'discord' block is refused with what it needs."""
        path = _config(tmp_path, **{"oakfield-dc": {"platform": "discord"}})
        with pytest.raises(ConfigError, match=r"oakfield-dc: .*needs a 'discord' block "
                                              r"\(guild_id, channel_ids, bot_token\)"):
            load_settings(path)

    def test_block_of_another_platform_is_refused(self, tmp_path: Path) -> None:
        """A twitter block on an Instagram account is a mistake, not something to ignore."""
        ig = dict(ACCOUNTS["oakfield-ig"], twitter=ACCOUNTS["oakfield-x"]["twitter"])
        with pytest.raises(ConfigError, match="instagram account cannot carry a 'twitter'"):
            load_settings(_config(tmp_path, **{"oakfield-ig": ig}))

    def test_missing_token_is_named(self, tmp_path: Path) -> None:
        """An unset bot token stops start-up, named by its key path."""
        s = load_settings(_config(tmp_path))
        env = {k: v for k, v in ENV.items() if k != "DC_TOKEN"}
        with pytest.raises(ConfigError, match=r"oakfield-dc\.discord\.bot_token: environment "
                                              "variable DC_TOKEN is not set"):
            resolve_secrets(s, "modbot.yaml", env)

    def test_timeout_longer_than_discord_allows_is_refused(self, tmp_path: Path) -> None:
        """Discord caps timeouts at 28 days."""
        dc = {"platform": "discord", "discord": {**ACCOUNTS["oakfield-dc"]["discord"],
                                                 "timeout_minutes": 29 * 24 * 60}}
        with pytest.raises(ConfigError, match=r"discord\.timeout_minutes"):
            load_settings(_config(tmp_path, **{"oakfield-dc": dc}))


def _hide(label: str) -> Any:
    return decide(Assessment(label=label, scores={label: 0.95}), ModerationSettings())


class TestFitToPlatform:
    def test_discord_deletes_what_it_cannot_hide_and_times_out_abusers(self) -> None:
        """No hiding on Discord: the message is deleted; an opted-in timeout follows abuse."""
        d = fit_to_platform(_hide("abuse"), CAPABILITIES["discord"], timeout=True)
        assert d.effects == (ActionKind.DELETE, ActionKind.TIMEOUT) and d.explain
        plain = fit_to_platform(_hide("profanity"), CAPABILITIES["discord"], timeout=True)
        assert plain.effects == (ActionKind.DELETE,)  # swearing alone is no reason to silence

    def test_x_hides_personal_data_it_cannot_delete_and_tells_the_monitors(self) -> None:
        """X cannot delete other people's posts: hide it and have a person report it."""
        d = fit_to_platform(_hide("personal_data"), CAPABILITIES["twitter"], "reply")
        assert d.effects == (ActionKind.HIDE,) and "monitors" in d.alerts
        assert any("report it to the platform" in r for r in d.reasons)

    def test_x_mention_outside_own_conversation_is_left_and_reported(self) -> None:
        """A mention in someone else's thread cannot be hidden: no effects, monitors told."""
        d = fit_to_platform(_hide("abuse"), CAPABILITIES["twitter"], "mention", mute=True)
        assert d.effects == () and not d.explain and d.outcome == "hide"
        assert "monitors" in d.alerts and any("mention" in r for r in d.reasons)

    def test_x_reply_is_hidden_and_author_muted_when_chosen(self) -> None:
        """In the account's own conversation a reply is hidden; muting only when opted in."""
        assert fit_to_platform(_hide("hate"), CAPABILITIES["twitter"], "reply",
                               mute=True).effects == (ActionKind.HIDE, ActionKind.MUTE)
        assert fit_to_platform(_hide("hate"), CAPABILITIES["twitter"],
                               "reply").effects == (ActionKind.HIDE,)

    def test_facebook_is_unchanged(self) -> None:
        """Facebook can do everything the default table asks."""
        for label in ("abuse", "personal_data", "spam"):
            assert fit_to_platform(_hide(label), CAPABILITIES["facebook"]) == _hide(label)


def test_matrix_covers_every_platform_and_is_in_the_readme() -> None:
    """The README's capability table is exactly the one the code uses."""
    assert len(MATRIX) == len(CAPABILITIES) == 4
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert matrix_markdown() in readme


@pytest.mark.parametrize("labels", [["abuse"], ["spam", "spam"], ["safeguarding"],
                                    ["hate", "safeguarding", "profanity"], ["personal_data"]])
def test_discord_notices_speak_of_messages_removed_from_the_channel(labels: list[str]) -> None:
    """Discord deletes rather than hides, and has channels, not posts: the notice says so."""
    from moderation_rules.explain import batch_explanation

    for variant in range(27):
        text = batch_explanation(labels, "discord", variant)
        assert "hidden" not in text and "this post" not in text and "thread" not in text, text
        assert "message" in text and len(text) <= 2000
        assert batch_explanation(labels, "facebook", variant) != text


class TestSchoolGroupLists:
    def _config(self, tmp_path: Path, groups: str) -> Path:
        (tmp_path / "groups.yaml").write_text(groups, encoding="utf-8")
        data = settings_dict("sqlite:///x.db")
        data["academies"]["oakfield"]["moderation"]["people_groups"] = [
            str(tmp_path / "groups.yaml")]
        path = tmp_path / "modbot.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return path

    def test_a_school_list_makes_abuse_of_its_groups_abuse(self, tmp_path: Path) -> None:
        """A school adds the nickname of its houses; insults aimed at them are hidden."""
        from bot.checking import Checker

        text = "The Kestrels are vermin"
        # without the list the school model may send it to review, never hide it
        assert Checker.from_config(None, None).label_and_action(text)[1] != "hide"
        config = self._config(tmp_path, "groups:\n  - id: houses\n    clause: P-ABUSE\n"
                                        "    words: [kestrels, the kestrels]\n")
        assert Checker.from_config(config, None).label_and_action(text) == ("abuse", "hide")

    def test_a_list_without_a_clause_names_its_key(self, tmp_path: Path) -> None:
        """Every entry must cite a policy clause; the error names the file and key path."""
        from bot.checking import Checker

        config = self._config(tmp_path, "groups:\n  - id: houses\n    words: [kestrels]\n")
        with pytest.raises(ConfigError, match=r"academies\.oakfield\.moderation\.people_groups:"
                                              r" .*needs a clause"):
            Checker.from_config(config, None)
