"""fblweb end to end: the real binary, a free port, a temporary SQLite store.

Starts `fblweb -f` on 127.0.0.1 and checks GET /healthz (200 "ok"), an
unknown path (404), a POST whose Content-Length is over web.max_body (413,
answered before the body is sent), a wrong method (405), and that SIGTERM
stops it with status 0 and a "stopping" log line. A daemon that does not
come up fails the test: there is nothing here to skip for. Requests on a
kept-alive connection are answered without a Nagle/delayed-ACK stall.
"""
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

FBLWEB = os.environ.get("FBLWEB", "fblweb")
MAX_BODY = 4096


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class FblWeb:
    def __init__(self, root, port):
        self.port = port
        self.config = os.path.join(root, "fblmilter.yaml")
        with open(self.config, "w") as out:
            out.write(f"""store:
  backend: sqlite
  sqlite:
    path: {root}/store.db
logging:
  destination: stderr
  level: info
web:
  listen: 127.0.0.1:{port}
  threads: 2
  request_timeout: 5s
  max_body: {MAX_BODY}
""")
        self.log_path = os.path.join(root, "fblweb.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen([FBLWEB, "-f", "-c", self.config],
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def log_text(self):
        with open(self.log_path) as log:
            return log.read()

    def wait_ready(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"fblweb exited {self.process.returncode}:\n"
                                     f"{self.log_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"fblweb did not listen within {timeout}s:\n{self.log_text()}")

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode(), response
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


class FblWebTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="fblweb-test-")
        cls.web = FblWeb(cls.root, free_port())
        cls.web.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.web.stop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def test_healthz_is_ok_with_the_store(self):
        status, body, _ = self.web.request("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(body, "ok\n")

    def test_unknown_path_is_404_plain_text(self):
        status, _, response = self.web.request("GET", "/no/such/page")
        self.assertEqual(status, 404)
        self.assertTrue(response.getheader("Content-Type").startswith("text/plain"))

    def test_wrong_method_is_405(self):
        status, _, response = self.web.request("POST", "/healthz", body="x")
        self.assertEqual(status, 405)
        self.assertIn("GET", response.getheader("Allow"))

    def test_kept_alive_connection_answers_without_nagle_delay(self):
        # CivetWeb writes the headers and the body in two sends; without
        # TCP_NODELAY the body waits for the client's delayed ACK (40 ms on
        # Linux), so every request after the first on a kept-alive
        # connection (a reverse proxy's, a provider's) took 40 ms or more.
        connection = http.client.HTTPConnection("127.0.0.1", self.web.port, timeout=10)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            started = time.monotonic()
            for _ in range(20):
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                self.assertEqual(response.read(), b"ok\n")
            elapsed = time.monotonic() - started
        finally:
            connection.close()
        self.assertLess(elapsed, 0.4, "20 requests on one connection (0.8 s or more with Nagle)")

    def test_oversized_body_is_413_before_it_is_sent(self):
        # Only the headers go out: the answer must come without the body.
        with socket.create_connection(("127.0.0.1", self.web.port), timeout=10) as raw:
            raw.sendall(f"POST /healthz HTTP/1.1\r\nHost: x\r\n"
                        f"Content-Length: {MAX_BODY * 100}\r\n\r\n".encode())
            answer = raw.recv(4096).decode(errors="replace")
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)

    def test_oversized_body_sent_in_full_is_413(self):
        status, _, _ = self.web.request("POST", "/healthz", body="x" * (MAX_BODY + 1))
        self.assertEqual(status, 413)


class FblWebStopTest(unittest.TestCase):
    def test_sigterm_stops_cleanly(self):
        root = tempfile.mkdtemp(prefix="fblweb-stop-")
        web = FblWeb(root, free_port())
        try:
            web.wait_ready()
            self.assertEqual(web.request("GET", "/healthz")[0], 200)
            web.process.send_signal(signal.SIGTERM)
            self.assertEqual(web.process.wait(timeout=15), 0, web.log_text())
            self.assertIn("fblweb stopping", web.log_text())
        finally:
            web.stop()
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
