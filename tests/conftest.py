"""Suite-wide rule: a skipped test is a check that did not happen, so the run fails.

Every tool the suite needs (pdftotext, pdffonts, chromium, the CJK fonts) is installed by
`make setup`; when one is missing the tests that need it fail with a message saying so,
and a green run therefore means every check ran.
"""

from __future__ import annotations

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(f"有{skipped}个测试被跳过：跳过的检查不算通过", red=True)
