#!/usr/bin/env bash
# Install the Debian packages the test suite needs when they are missing (idempotent).
#   redis-server  the Celery broker of tests/integration/test_celery_stack.py
#   chromium      the headless browser of tests/integration/test_governance_view.py (driven by Playwright,
#                 which cannot download its own browsers offline)
# Runs apt-get only as root (CI and these machines run as root); otherwise prints the command to run.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-system-packages: missing ${missing[*]}; install it with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "ensure-system-packages: installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update >/dev/null
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
}
# Where an init system runs, redis-server may also start a system redis on 6379: the tests use their own port.
for package in "${missing[@]}"; do
    case "$package" in
        redis-server) echo "ensure-system-packages: installed $(redis-server --version | head -1)" ;;
        chromium) echo "ensure-system-packages: installed $(chromium --version 2>/dev/null | tail -1)" ;;
    esac
done
