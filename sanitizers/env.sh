# sanitizers/env.sh - export the sanitizer options every runner uses.
# Sourced (POSIX sh) by ./mdt and by test scripts: `. sanitizers/env.sh ROOT`.
# The options live in sanitizers/<name>.options, one per line, # comments;
# a user's own *SAN_OPTIONS come last and win.  Only md_-prefixed variables
# are set, so a sourcing script's own variables survive.
# md_options_of FILE: its options, one line, colon-separated
md_options_of() {
	grep -v '^[[:space:]]*#' "$1" | grep -v '^[[:space:]]*$' | tr '\n' ':' | sed 's/:$//'
}

md_sanitizer_env() {
	for md_san in tsan asan ubsan lsan; do
		md_file="$1/sanitizers/$md_san.options"
		[ -f "$md_file" ] || continue
		md_opts=$(md_options_of "$md_file")
		case $md_san in
		tsan) TSAN_OPTIONS="$md_opts${TSAN_OPTIONS:+:$TSAN_OPTIONS}"; export TSAN_OPTIONS ;;
		asan) ASAN_OPTIONS="$md_opts${ASAN_OPTIONS:+:$ASAN_OPTIONS}"; export ASAN_OPTIONS ;;
		ubsan) UBSAN_OPTIONS="$md_opts${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"; export UBSAN_OPTIONS ;;
		lsan) LSAN_OPTIONS="$md_opts${LSAN_OPTIONS:+:$LSAN_OPTIONS}"; export LSAN_OPTIONS ;;
		esac
	done
}

# md_fuzz_asan_options ROOT: the options a libFuzzer run appends to
# ASAN_OPTIONS (sanitizers/fuzz-asan.options), one line
md_fuzz_asan_options() {
	md_options_of "$1/sanitizers/fuzz-asan.options"
}

# md_afl_sanitizer_env ROOT: the options afl-fuzz accepts for the afl build
# (sanitizers/afl-asan.options, afl-ubsan.options) in place of the others;
# afl-fuzz refuses options it did not expect, so TSAN_OPTIONS goes.
md_afl_sanitizer_env() {
	ASAN_OPTIONS=$(md_options_of "$1/sanitizers/afl-asan.options")
	UBSAN_OPTIONS=$(md_options_of "$1/sanitizers/afl-ubsan.options")
	export ASAN_OPTIONS UBSAN_OPTIONS
	unset TSAN_OPTIONS LSAN_OPTIONS
}
