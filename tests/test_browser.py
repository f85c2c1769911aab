"""An exported report opened in headless Chromium: no console error, no network request.

The HTML is mailed to people who open it on office PCs, often without internet; a CDN
script or font link would show as a broken page there. Chromium is driven over the
DevTools protocol through --remote-debugging-pipe (no TCP port, no extra client library).
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import new_code_cell, new_output  # noqa: E402
from test_export_helpers import notebook  # noqa: E402

from shequ_kit import export  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe"]


def _chart_png() -> str:
    plt.rcParams["font.family"] = ["Noto Sans CJK SC"]
    fig, ax = plt.subplots(figsize=(4, 2.5), dpi=100)
    ax.bar(["龙柏社区", "苏眼井社区"], [36, 48])
    ax.set_title("各社区活动场次")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nb = notebook([])
    parts = [
        "<h2>一、各社区主要指标</h2><table><thead><tr><th>社区</th><th>活动场次</th></tr>"
        "</thead><tbody><tr><td>龙柏社区</td><td>36</td></tr><tr><td>苏眼井社区</td>"
        "<td>48</td></tr></tbody></table>",
        None,
        "<h2>二、目标完成情况</h2><p>两个社区均完成年度目标。</p>",
        # a 目录 is printed from three entries on (test_form_front_matter.py)
        "<h2>三、下一步工作打算</h2><p>继续推进各项工作。</p>",
    ]
    for part in parts:
        data = {"image/png": _chart_png()} if part is None else {"text/html": part}
        nb.cells.append(new_code_cell("show()", outputs=[new_output("display_data", data=data)]))
    export.set_cover(nb, {"title": "闸弄口街道2024年度社区工作汇总", "street": "闸弄口街道",
                          "period": ["2024-01-01", "2024-12-31"], "as_of": "2024-12-31",
                          "kind": "overview"})
    path = tmp_path_factory.mktemp("browser") / "汇总.html"
    path.write_text(export.to_html(nb), encoding="utf-8")
    return path


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe (fd 3 in, fd 4 out, each
    message a JSON object ended by a NUL byte)."""

    def __init__(self, profile: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # runs in the child before exec
            # Move both ends above 9 first so that placing them on 3 and 4 cannot
            # overwrite one with the other.
            high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=wire, pass_fds=(3, 4),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 20) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        wanted = self._next
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for reply in self._read(deadline - time.monotonic()):
                if reply.get("id") == wanted:
                    assert "error" not in reply, reply
                    return reply.get("result", {})
        raise AssertionError(f"Chromium 没有回应 {method}")

    def wait_for(self, method: str, timeout: float = 20) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if event.get("method") == method:
                    return event
            self._read(deadline - time.monotonic())
        raise AssertionError(f"等待 {method} 超时")

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(deadline - time.monotonic())

    def _read(self, timeout: float) -> list[dict[str, Any]]:
        ready, _, _ = select.select([self._from_chrome], [], [], max(timeout, 0))
        if not ready:
            return []
        chunk = os.read(self._from_chrome, 1 << 16)
        if not chunk:
            raise AssertionError("Chromium 意外退出：" + self._stderr())
        self._buf += chunk
        out = []
        while b"\0" in self._buf:
            raw, self._buf = self._buf.split(b"\0", 1)
            msg = json.loads(raw)
            if "method" in msg:
                self.events.append(msg)
            out.append(msg)
        return out

    def _stderr(self) -> str:
        self.proc.kill()
        return (self.proc.communicate(timeout=5)[1] or b"").decode(errors="replace")[-2000:]

    def close(self) -> None:
        try:
            os.write(self._to_chrome, json.dumps(
                {"id": self._next + 1, "method": "Browser.close"}).encode() + b"\0")
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(timeout=10)
        finally:
            os.close(self._to_chrome)
            os.close(self._from_chrome)


def test_chromium_is_installed() -> None:
    assert Path(CHROMIUM).exists(), "缺少 /usr/bin/chromium，请先运行 make setup"


def test_report_opens_offline_without_errors(report: Path, tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "缺少 /usr/bin/chromium，请先运行 make setup"
    tools = DevTools(tmp_path / "profile")
    try:
        target = tools.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = tools.send("Target.attachToTarget",
                             {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Runtime", "Log", "Page"):
            tools.send(f"{domain}.enable", session=session)
        tools.send("Page.navigate", {"url": report.as_uri()}, session=session)
        tools.wait_for("Page.loadEventFired")
        tools.drain(0.5)  # late requests (fonts, lazy images) would come now
        state = tools.send("Runtime.evaluate", {"returnByValue": True, "expression": (
            "JSON.stringify({lang: document.documentElement.lang,"
            " title: document.title,"
            " images: [...document.images].map(i => i.complete && i.naturalWidth > 0),"
            " toc: document.querySelectorAll('nav.toc a').length})")}, session=session)
    finally:
        tools.close()

    page = json.loads(state["result"]["value"])
    assert page["lang"] == "zh-CN"
    assert page["title"] == "闸弄口街道2024年度社区工作汇总"
    assert page["images"] == [True]  # the chart decoded from its data URI
    assert page["toc"] == 3

    requests = [e["params"]["request"]["url"] for e in tools.events
                if e["method"] == "Network.requestWillBeSent"]
    assert requests, "the page itself must have been requested"
    network = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert network == []
    errors = [e["params"] for e in tools.events
              if (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
              or e["method"] == "Runtime.exceptionThrown"
              or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    assert errors == []
