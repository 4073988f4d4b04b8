"""A throwaway PostgreSQL 15 cluster for integration tests.

Mirrors tests/suppression/pg_cluster.h: initdb in a temp dir, the server
listening only on a unix socket inside that dir (on a free port number, so
socket names never collide), fsync off, stopped and deleted at the end. As
root it runs as the `postgres` user, since initdb refuses root.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import free_port

PG_BIN = "/usr/lib/postgresql/15/bin"


def available():
    """'' when a cluster can be made here, else why not (for SkipTest)."""
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        return f"no PostgreSQL server binaries in {PG_BIN} (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            import pwd
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no postgres user to run the server"
    return ""


def skip_unless_available():
    """Skips the calling test when no cluster can be made here; under CI=true
    that is a failure instead, so a runner without PostgreSQL cannot pass."""
    why_not = available()
    if not why_not:
        return
    if os.environ.get("CI") == "true":
        raise AssertionError(f"PostgreSQL is required in CI: {why_not}")
    raise unittest.SkipTest(why_not)


class PgServer:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="fbl-pg-")
        os.chmod(self.dir, 0o755)  # daemons running as other users reach the socket
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-A", "trust",
                   "-U", "postgres"])
        self.start()

    def _run(self, command):
        result = subprocess.run(self.as_user + command, capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result

    def _pg_ctl(self, *args):
        return self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                          "-l", os.path.join(self.dir, "server.log"), *args])

    def start(self):
        self._pg_ctl("-o", f"-k {self.dir} -c listen_addresses='' -p {self.port} -c fsync=off",
                     "-w", "start")

    def stop(self):
        self._pg_ctl("-m", "fast", "-w", "stop")

    def conninfo(self, database="postgres"):
        return f"host={self.dir} port={self.port} user=postgres dbname={database}"

    def create_database(self, name):
        self._run([os.path.join(PG_BIN, "psql"), "-q", "-v", "ON_ERROR_STOP=1",
                   "-d", self.conninfo(), "-c", f"CREATE DATABASE {name}"])
        return self.conninfo(name)

    def destroy(self):
        subprocess.run(self.as_user + [os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                                       "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)
