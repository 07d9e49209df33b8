# sanitizers/env.sh - export the sanitizer options every runner uses.
# Sourced (POSIX sh) by ./mdt and by test scripts: `. sanitizers/env.sh ROOT`.
# The options live in sanitizers/<name>.options, one per line, # comments;
# a user's own *SAN_OPTIONS come last and win.
md_sanitizer_env() {
	for s in tsan asan ubsan lsan; do
		f="$1/sanitizers/$s.options"
		[ -f "$f" ] || continue
		opts=$(grep -v '^[[:space:]]*#' "$f" | grep -v '^[[:space:]]*$' | tr '\n' ':' | sed 's/:$//')
		case $s in
		tsan) TSAN_OPTIONS="$opts${TSAN_OPTIONS:+:$TSAN_OPTIONS}"; export TSAN_OPTIONS ;;
		asan) ASAN_OPTIONS="$opts${ASAN_OPTIONS:+:$ASAN_OPTIONS}"; export ASAN_OPTIONS ;;
		ubsan) UBSAN_OPTIONS="$opts${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"; export UBSAN_OPTIONS ;;
		lsan) LSAN_OPTIONS="$opts${LSAN_OPTIONS:+:$LSAN_OPTIONS}"; export LSAN_OPTIONS ;;
		esac
	done
}
