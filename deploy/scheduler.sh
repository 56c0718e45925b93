#!/bin/sh
# The compose "scheduler" service: what the systemd timers do on a bare server (deploy/systemd/).
#   every 5 minutes    manage.py heartbeat (the worker's liveness, read by /healthz)
#   daily REMINDER_HOUR  manage.py send_reminders, send_cultivation_reminders
#   daily 03:00        manage.py clearsessions
#   daily 04:00        manage.py cleanup_exports (background exports older than EXPORT_KEEP_DAYS)
#                      manage.py cleanup_imports (initial-password sheets left unclaimed)
#   daily 05:00        manage.py purge_audit (audit entries older than AUDIT_RETENTION_DAYS)
# A failing command is logged (a daily one is tried again the next day); the loop never stops.
set -u
MANAGE="${MANAGE:-python manage.py}"
REMINDER_HOUR="${REMINDER_HOUR:-8}"

job() {
    echo "$(date '+%F %T') $*"
    $MANAGE "$@" || echo "$(date '+%F %T') $* failed (exit $?)" >&2
}

# The last day each daily job ran is kept in VAR_DIR, so a restarted container does not send the
# day's reminders twice.
STATE="${VAR_DIR:-/srv/campuseval/var}/scheduler"
mkdir -p "$STATE"
last_day() { cat "$STATE/$1" 2>/dev/null || true; }
while :; do
    day=$(date +%F) hour=$(date +%H) minute=$(date +%M)
    job heartbeat
    if [ "${hour#0}" -ge "$REMINDER_HOUR" ] && [ "$day" != "$(last_day reminders)" ]; then
        job send_reminders
        job send_cultivation_reminders
        echo "$day" > "$STATE/reminders"
    fi
    if [ "${hour#0}" -ge 3 ] && [ "$day" != "$(last_day sessions)" ]; then
        job clearsessions
        echo "$day" > "$STATE/sessions"
    fi
    if [ "${hour#0}" -ge 4 ] && [ "$day" != "$(last_day cleanup)" ]; then
        job cleanup_exports
        job cleanup_imports
        echo "$day" > "$STATE/cleanup"
    fi
    if [ "${hour#0}" -ge 5 ] && [ "$day" != "$(last_day audit)" ]; then
        job purge_audit
        echo "$day" > "$STATE/audit"
    fi
    # sleep to the next 5-minute mark
    sleep $(( (5 - ${minute#0} % 5) * 60 - $(date +%S | sed 's/^0//') ))
done
