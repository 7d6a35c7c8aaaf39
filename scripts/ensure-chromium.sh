#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the real-browser tests (playwright-core drives it; Playwright's own
# browser download is not used). Run by `npm test` (pretest). Installs the `chromium` package when it is missing and
# this user may (root with apt-get); otherwise says what to do. CHROMIUM_PATH points at another build.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
[[ -x $CHROMIUM ]] && exit 0

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: installing Debian's chromium for the browser tests (once)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [[ -x $CHROMIUM ]] && exit 0
fi
echo "ensure-chromium: $CHROMIUM is missing; install Debian's chromium (sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
exit 1
