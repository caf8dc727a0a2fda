#!/usr/bin/env bash
# Install the Debian/Ubuntu packages manim-agent needs, when root or passwordless sudo is available.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

PACKAGES=(
  # Manim's cairo/pango build and runtime
  libcairo2-dev libpango1.0-dev pkg-config
  # MathTex/Tex: LaTeX and the DVI-to-SVG converter
  texlive-latex-extra texlive-latex-recommended texlive-fonts-recommended texlive-science cm-super dvisvgm
  # the sandbox (network-less namespaces)
  bubblewrap libseccomp2
  # video encoding helpers (ffmpeg also stitches long-form sections) and Python venv support
  ffmpeg python3-venv python3-dev
  # offline narration of long-form videos (--voice espeak|auto)
  espeak-ng
)
if [ -n "${MANIM_AGENT_EXTRA_APT:-}" ]; then
  # shellcheck disable=SC2206
  PACKAGES+=(${MANIM_AGENT_EXTRA_APT})
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "system packages missing: ${missing[*]}" >&2
  echo "run: sudo apt-get install -y ${missing[*]}" >&2
  echo "(continuing; 'manim-agent doctor' reports what still does not work)" >&2
  exit 0
fi

echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
