"""notes: a tiny note-taking service on the standard library (http.server, sqlite3, zoneinfo).

Endpoints (all GET, JSON answers), on $PORT (default 8080):

    /healthz                                   {"status":"ok"} once the database answers
    /notes/add?text=hi&at=2026-12-07T12:00:00Z&zone=Asia/Kolkata
                                               stores a note stamped in that zone's local time
    /notes?zone=Asia/Kolkata                   every note, newest first, with its local time
    /notes/stats                               how many notes, and the SQLite library version

Notes live in an SQLite file in $NOTES_DIR (default /var/lib/notes), created at start: on a
read-only root, mount a tmpfs or a volume there.
SIGTERM or SIGINT stops the server cleanly with exit code 0.
"""
