#!/usr/bin/env bash
# Builds the large synthetic slide for scale tests and benchmarks (see tools/make_large_slide.py).
# Needs libvips (Debian: libvips42) and Python; installs pyvips into tools/.venv from tools/requirements-large-slide.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x tools/.venv/bin/python ]; then python3 -m venv tools/.venv; fi
tools/.venv/bin/pip install -q -r tools/requirements-large-slide.txt
mkdir -p out
exec tools/.venv/bin/python tools/make_large_slide.py "$@"
