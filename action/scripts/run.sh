#!/usr/bin/env bash
# Runs tfdrift for the composite action (action.yml), in the job's working
# directory (the checkout), with the action's inputs:
#
#   INPUT_MODE                 check (default) or revert
#   INPUT_WORKING_DIRECTORY    root modules, one per line (globs allowed)
#   INPUT_CONFIG               the tfdrift config (drift_rules)
#   INPUT_FAIL_ON              none|info|low|medium|high|critical
#   INPUT_TERRAFORM_BINARY     terraform or tofu, on PATH
#   INPUT_SARIF                where to write SARIF; empty: no SARIF
#   INPUT_OPEN_ISSUES          true or false
#   INPUT_ADDRESS              revert mode: resource addresses, one per line
#   GITHUB_TOKEN               the github-token input, for open-issues only
#                              (tfdrift check --open-issues writes the issues)
#
# check: tfdrift check writes the step outputs (has-drift, drift-count,
# max-severity, report-json, report-sarif) itself; its exit status is the
# step's: 0 no drift at or above fail-on, 2 drift at or above it, 1 error.
# revert: tfdrift revert, the guarded targeted apply, on one root module.
#
# No set -u: bash before 4.4 (macOS runners may have 3.2) calls an empty
# array unset.
set -eo pipefail

# Workflow commands are read from stdout.
fail() {
	echo "::error title=tfdrift action::$*"
	exit 1
}

# lines prints a multi-line input's non-blank lines, trimmed. (Plain
# loops, not mapfile or namerefs: macOS runners may run bash 3.2.)
lines() {
	local line
	while IFS= read -r line || [[ -n "$line" ]]; do
		line="${line#"${line%%[![:space:]]*}"}"
		line="${line%"${line##*[![:space:]]}"}"
		if [[ -n "$line" ]]; then printf '%s\n' "$line"; fi
	done <<<"$1"
}

binary=${INPUT_TERRAFORM_BINARY:-terraform}
case "$binary" in
terraform | tofu) ;;
*) fail "terraform-binary: '$binary' is not terraform or tofu" ;;
esac
command -v "$binary" >/dev/null || fail "terraform-binary: no $binary on PATH (use hashicorp/setup-terraform or opentofu/setup-opentofu first)"

open_issues=${INPUT_OPEN_ISSUES:-false}
case "$open_issues" in
true | false) ;;
*) fail "open-issues: '$open_issues' is not true or false" ;;
esac
if [[ "$open_issues" != true ]]; then
	# The token is for opening issues; nothing else gets it.
	unset GITHUB_TOKEN
fi

dirs=()
while IFS= read -r d; do dirs+=("$d"); done < <(lines "${INPUT_WORKING_DIRECTORY:-}")
common=(--binary "$binary")
if [[ -n "${INPUT_CONFIG:-}" ]]; then common+=(--config "$INPUT_CONFIG"); fi

case "${INPUT_MODE:-check}" in
check)
	args=(check "${common[@]}" --fail-on "${INPUT_FAIL_ON:-high}" --json "${RUNNER_TEMP:?RUNNER_TEMP is not set}/tfdrift-report.ndjson")
	for d in "${dirs[@]}"; do args+=(--dir "$d"); done
	if [[ -n "${INPUT_SARIF:-}" ]]; then args+=(--sarif "$INPUT_SARIF"); fi
	if [[ "$open_issues" == true ]]; then
		# tfdrift reads GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL,
		# GITHUB_SERVER_URL and GITHUB_SHA, all set by the runner.
		[[ -n "${GITHUB_TOKEN:-}" ]] || fail "open-issues: true needs github-token"
		args+=(--open-issues)
	fi
	exec tfdrift "${args[@]}"
	;;
revert)
	[[ ${#dirs[@]} -le 1 ]] || fail "revert mode works on one root module: give one working-directory, not ${#dirs[@]}"
	[[ "$open_issues" != true ]] || fail "open-issues applies to mode: check"
	addrs=()
	while IFS= read -r a; do addrs+=("$a"); done < <(lines "${INPUT_ADDRESS:-}")
	[[ ${#addrs[@]} -gt 0 ]] || fail "revert mode needs address: the resource addresses to revert, one per line"
	args=(revert "${common[@]}" --repo .)
	if [[ ${#dirs[@]} -eq 1 ]]; then args+=(--dir "${dirs[0]}"); fi
	exec tfdrift "${args[@]}" -- "${addrs[@]}"
	;;
*)
	fail "mode: '${INPUT_MODE}' is not check or revert"
	;;
esac
