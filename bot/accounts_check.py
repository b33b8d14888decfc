"""``modbot accounts verify``: ask each platform what every configured account may do.

An IT lead runs it after granting permissions and before switching an account to enforce mode;
each line says in plain words what is missing and what to grant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.base import AdapterError, AuthExpired, Finding, PlatformAdapter, VerifiableAdapter
from bot.platforms import build_adapter
from bot.secrets import resolve_secrets
from bot.settings import Settings


@dataclass(frozen=True, slots=True)
class AccountReport:
    """What the platform said about one account."""

    academy: str
    account: str
    platform: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(f.ok for f in self.findings)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``modbot accounts verify --json``."""
        return {
            "academy": self.academy, "account": self.account, "platform": self.platform,
            "ok": self.ok,
            "findings": [{"check": f.check, "ok": f.ok, "detail": f.detail}
                         for f in self.findings],
        }


async def verify_adapter(adapter: PlatformAdapter) -> tuple[Finding, ...]:
    """Start one adapter, run its checks and close it; a refused login is a finding."""
    try:
        await adapter.start()
    except AuthExpired as exc:
        return (Finding("credentials", False,
                        f"the platform refused the credentials ({exc}); issue a new token"),)
    except AdapterError as exc:
        return (Finding("connection", False, f"could not reach the platform: {exc}"),)
    try:
        if not isinstance(adapter, VerifiableAdapter):
            return (Finding("checks", True, "this adapter has no self-checks"),)
        try:
            return tuple(await adapter.verify())
        except AdapterError as exc:
            return (Finding("checks", False, f"the platform did not answer the checks: {exc}"),)
    finally:
        await adapter.close()


async def verify_accounts(
    settings: Settings,
    source: str,
    environ: Mapping[str, str] | None = None,
    adapters: Mapping[str, PlatformAdapter] | None = None,
) -> list[AccountReport]:
    """Verify every configured account, one at a time, in file order."""
    secrets = resolve_secrets(settings, source, environ)
    reports: list[AccountReport] = []
    for academy_key, account_key, account in settings.accounts():
        path = f"academies.{academy_key}.accounts.{account_key}"
        adapter = (adapters or {}).get(account_key) or build_adapter(
            path, account_key, account, secrets)
        findings = await verify_adapter(adapter)
        reports.append(AccountReport(academy_key, account_key, account.platform, findings))
    return reports


def render_reports(reports: list[AccountReport]) -> str:
    """The readable form: one block per account, a tick or a cross per check."""
    lines: list[str] = []
    for report in reports:
        state = "ready" if report.ok else "NOT READY"
        lines.append(f"{report.academy} / {report.account} ({report.platform}): {state}")
        for f in report.findings:
            mark = "ok " if f.ok else "MISSING"
            lines.append(f"  [{mark}] {f.check}" + (f": {f.detail}" if f.detail else ""))
    return "\n".join(lines)
