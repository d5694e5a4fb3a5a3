# backend_cpu.sh — a PostgreSQL session's own backend CPU, measured from inside a psql script: sourced by
# tests/bench/run.sh (the COPY ceilings' backends) and tools/outbox_mark_cost.sh (the relay's mark). The
# script saves its backend's /proc/<pid>/stat before and after the work it measures (two shell escapes, a few
# ms), which works only where psql runs on PostgreSQL's machine; the caller sums utime + stime between them.

# backend_cpu_probe PREFIX start|end: the psql lines that save the session's backend's /proc/<pid>/stat to
# PREFIX-start.stat or PREFIX-end.stat (start: right after it connected; end: after the work, while the
# backend is alive). A probe that cannot read the file leaves none (backend_cpu_seconds then says 0).
backend_cpu_probe() {
    if [ "$2" = start ]; then
        echo "SELECT pg_backend_pid() AS famins_backend_pid \\gset"
        echo "\\setenv FAMINS_BACKEND_PID :famins_backend_pid"
    fi
    echo "\\! cat /proc/\$FAMINS_BACKEND_PID/stat >'$1-$2.stat' 2>/dev/null || true"
}

# backend_cpu_seconds PREFIX [DECIMALS]: the CPU seconds (utime + stime) the session used between its two
# probes, with DECIMALS (2) decimals; 0 when a probe is missing.
backend_cpu_seconds() {
    cat "$1-start.stat" "$1-end.stat" 2>/dev/null | sed 's/^.*) //' |
        awk -v hz="$(getconf CLK_TCK)" -v d="${2:-2}" \
            '{ t[NR] = $12 + $13 } END { printf "%.*f", d, NR == 2 ? (t[2] - t[1]) / hz : 0 }'
}
