#!/usr/bin/env bash
# Installs what the tests need beyond node_modules, when missing: Debian's Chromium (browser and end-to-end
# tests, WebGPU via SwiftShader), xmllint (manifest validation against the Office XSDs) and Python's venv (the
# model pipeline's tests), and a CJK font for legible screenshots. Needs root (or sudo) for apt-get; otherwise says what to install.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# A CJK font, so the screenshots the end-to-end tests keep show Chinese text instead of boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo="sudo"; }
if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
  echo "tests need: apt-get install ${missing[*]} (run it as root, then npm test again)" >&2
  exit 1
fi
echo "installing test prerequisites: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
