"""Exit 0 when PostgreSQL and Redis answer on their default local ports (used by `make test`)."""
import socket
import sys


def up(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


sys.exit(0 if up(5432) and up(6379) else 1)
