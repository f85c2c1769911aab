#!/usr/bin/env bash
# Installs the system packages shequ-kit needs on Debian/Ubuntu, only those missing,
# and records what it installed in .venv/system-installed.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

# libreoffice-writer-nogui: the tests open the Word file in another reader (headless
# LibreOffice converts it to PDF) to check it as a reader would.
PKGS=(fonts-noto-cjk fontconfig libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
      poppler-utils chromium libreoffice-writer-nogui)
# Python's venv module: Debian's system Python needs python3.X-venv; others ship it.
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  ver=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  PKGS+=("python${ver}-venv")
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "系统依赖已齐全。"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统依赖：${missing[*]}。本机没有 apt-get，请用本系统的包管理器安装相应的软件包后重试。" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    echo "缺少系统依赖：${missing[*]}。" >&2
    echo "请以 root 身份运行：apt-get update && apt-get install -y ${missing[*]}，然后重新执行 make。" >&2
    exit 1
  fi
fi

echo "正在安装系统依赖：${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
mkdir -p .venv
printf '%s\n' "${missing[@]}" >> .venv/system-installed.txt
fc-cache -f >/dev/null 2>&1 || true
echo "已安装：${missing[*]}（记录于 .venv/system-installed.txt）"
