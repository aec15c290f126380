"""GeoDjango's PostGIS backend with a cheaper per-request connection health check.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request, so
that a connection the server dropped (PostgreSQL restarted, the connection was killed) is replaced
instead of failing the request. That round trip is a large part of a request that runs a single
query (a vector tile). When PostgreSQL ends a connection it tells the client first (an error
message, then the socket closes), so a connection whose socket has nothing to read is still open on
the server's side: this backend looks at the socket without waiting (``select`` with a zero
timeout) and sends ``SELECT 1`` only when something is waiting there. A link that died without the
server saying so (a network cut) is caught as before: the query fails, Django closes the
connection at the end of that request and the next request opens a new one.
"""

from __future__ import annotations

import select

from django.contrib.gis.db.backends.postgis.base import DatabaseWrapper as PostGISDatabaseWrapper


class DatabaseWrapper(PostGISDatabaseWrapper):
    def _server_said_something(self) -> bool:
        """True when the server has sent anything (or hung up) on an idle connection; True if unsure."""
        conn = self.connection
        try:
            if conn.closed or conn.broken:
                return True
            readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
        except (OSError, ValueError, AttributeError):
            return True
        return bool(readable)

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self._server_said_something()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
