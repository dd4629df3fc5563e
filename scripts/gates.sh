#!/usr/bin/env bash
# Run every quality gate, print each result, exit non-zero if any failed.
#   ruff check · ruff format --check · mypy --strict (pydantic plugin) · lint-imports
# Config: pyproject.toml ([tool.ruff], [tool.mypy], [tool.importlinter]). Tools: pip install -e '.[dev]'.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
run_gate() {
  local name="$1"; shift
  echo "== ${name}: $*"
  if "$@"; then
    echo "-- ${name}: PASS"
  else
    echo "-- ${name}: FAIL"
    failed+=("${name}")
  fi
  echo
}

run_gate "ruff check" ruff check .
run_gate "ruff format" ruff format --check --output-format concise .
run_gate "mypy" mypy
run_gate "import contracts" lint-imports

if ((${#failed[@]})); then
  echo "gates failed: ${failed[*]}"
  exit 1
fi
echo "all gates passed"
