#!/usr/bin/env bash
# Installs what the tests need beyond node_modules, when missing: Debian's Chromium (browser and end-to-end
# tests, WebGPU via SwiftShader), xmllint (manifest validation against the Office XSDs) and Python's venv (the
# model pipeline's tests), and a CJK font for legible screenshots. Lists what it is about to install and why
# before it does; needs root (or sudo) for apt-get; LIUHEN_NO_APT=1 (or no apt-get) lists them and stops.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# A CJK font, so the screenshots the end-to-end tests keep show Chinese text instead of boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
# Say what is about to happen, and why, before anything is installed.
why() {
  case "$1" in
    chromium) echo "browser and end-to-end tests (headless, WebGPU on SwiftShader)" ;;
    libxml2-utils) echo "xmllint: manifest.xml checked against the Office XSDs" ;;
    python3-venv) echo "the Python venv for the model pipeline's tests (models/python)" ;;
    fonts-wqy-microhei) echo "a CJK font, so the tests' screenshots show Chinese" ;;
  esac
}
echo "npm test needs these Debian packages, which are missing:" >&2
for p in "${missing[@]}"; do printf '  %-20s %s\n' "$p" "$(why "$p")" >&2; done
if [ "${LIUHEN_NO_APT:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}), then run npm test again." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo="sudo"; }
if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
  echo "Installing them needs root: run apt-get install ${missing[*]} as root, then npm test again." >&2
  exit 1
fi
echo "Installing them now with ${sudo:+sudo }apt-get (LIUHEN_NO_APT=1 npm test stops here instead)…" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}" >&2
