"""A private Postfix instance with fblmilter attached, for integration tests.

Everything lives under one temporary directory: Postfix's config, queue and
data directories, fblmilter's config and SQLite store, the sink's messages.
Only 127.0.0.1 is used. Must run as root (Postfix's master needs it).
"""
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest

from smtp_sink import SmtpSink

FBLMILTER = os.environ.get("FBLMILTER", "fblmilter")
FBLCTL = os.environ.get("FBLCTL", "fblctl")
FBLWEB = os.environ.get("FBLWEB", "fblweb")

MASTER_CF = """\
127.0.0.1:{outbound_port} inet n - n - - smtpd
  -o syslog_name=postfix-fbl/outbound
  -o milter_macro_daemon_name=ORIGINATING
127.0.0.1:{inbound_port} inet n - n - - smtpd
  -o syslog_name=postfix-fbl/inbound
  -o milter_macro_daemon_name=MX
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
"""

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.fbltest.example
mydomain = fbltest.example
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
{next_hop}
smtp_tls_security_level = none
smtpd_relay_restrictions = permit_mynetworks, reject
{milters}
milter_default_action = tempfail
milter_protocol = 6
milter_macro_daemon_name = ORIGINATING
maillog_file_prefixes = {root}
maillog_file = {root}/maillog
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximum_backoff_time = 2s
smtp_connect_timeout = 5s
biff = no
alias_maps =
alias_database =
{extra}
"""


def unavailable(why):
    """The exception for a test whose service cannot run here: a skip on a
    developer's machine, a failure under CI=true, so CI cannot pass by
    skipping what it must prove."""
    if os.environ.get("CI") == "true":
        return AssertionError(f"required in CI: {why}")
    return unittest.SkipTest(why)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=15.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def notified_ready(notify):
    try:
        return b"READY=1" in notify.recv(4096)
    except socket.timeout:
        return False


class FblMilter:
    """The fblmilter daemon under test, with its own config and store."""

    def __init__(self, root, config_text):
        self.root = root
        self.config_path = os.path.join(root, "fblmilter.yaml")
        self.log_path = os.path.join(root, "fblmilter.log")
        self.write_config(config_text)
        self.process = None

    def write_config(self, text):
        with open(self.config_path, "w") as out:
            out.write(text)

    def start(self, timeout=15.0, env=None):
        """Starts the daemon and waits for its systemd-style READY=1, which it
        sends once the store, the index and the metrics endpoint are up (the
        milter socket listens before them). `env` adds variables (a
        failpoint, say)."""
        notify_path = os.path.join(self.root, "notify.sock")
        if os.path.exists(notify_path):
            os.unlink(notify_path)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
            notify.bind(notify_path)
            os.chmod(notify_path, 0o777)  # the daemon may have dropped root
            notify.settimeout(0.05)
            self.log = open(self.log_path, "a")
            self.process = subprocess.Popen(
                [FBLMILTER, "-f", "-c", self.config_path],
                stdout=self.log, stderr=subprocess.STDOUT, cwd=self.root,
                env=dict(os.environ, NOTIFY_SOCKET=notify_path, **(env or {})))
            wait_for(lambda: notified_ready(notify) or self.process.poll() is not None,
                     timeout=timeout, interval=0, what="fblmilter to be ready")
        if self.process.poll() is not None:
            raise AssertionError("fblmilter exited at start:\n" + self.log_text())
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()
        return self.process.returncode if self.process else None

    def reload(self):
        self.process.send_signal(signal.SIGUSR1)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def fblctl(self, *args, check=False):
        result = subprocess.run([FBLCTL, "-c", self.config_path, *args],
                                capture_output=True, text=True, cwd=self.root)
        if check and result.returncode != 0:
            raise AssertionError(f"fblctl {args} failed: {result.stderr}")
        return result


class FblWeb:
    """The fblweb daemon under test, on the same config file (and so the same
    store) as an FblMilter; `web.listen` in that file names its port."""

    def __init__(self, milter, port):
        self.milter = milter
        self.port = port
        self.log_path = os.path.join(milter.root, "fblweb.log")
        self.process = None

    def start(self, timeout=15.0):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen([FBLWEB, "-f", "-c", self.milter.config_path],
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        cwd=self.milter.root)
        wait_for(lambda: port_open(self.port) or self.process.poll() is not None,
                 timeout=timeout, what="fblweb to listen")
        if self.process.poll() is not None:
            raise AssertionError("fblweb exited at start:\n" + self.log_text())
        return self

    def request(self, method, path, body=None, headers=None):
        import http.client
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()
        return self.process.returncode if self.process else None

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


class PostfixInstance:
    """milter: "inet:127.0.0.1:PORT" or "unix:/path", or None for no milter.
    discard: deliver nowhere (benchmarks) instead of relaying to the sink."""

    def __init__(self, root, milter, extra_main_cf="", discard=False):
        self.root = root
        self.config_dir = os.path.join(root, "postfix")
        self.outbound_port = free_port()
        self.inbound_port = free_port()
        self.sink = SmtpSink(os.path.join(root, "sink")).start()
        os.makedirs(self.config_dir)
        for sub in ("spool", "data"):
            os.makedirs(os.path.join(root, sub))
        shutil.chown(os.path.join(root, "data"), "postfix", "postfix")
        with open(os.path.join(self.config_dir, "main.cf"), "w") as out:
            milters = (f"smtpd_milters = {milter}\nnon_smtpd_milters = {milter}"
                       if milter else "")
            next_hop = ("default_transport = discard" if discard
                        else f"relayhost = [127.0.0.1]:{self.sink.port}")
            out.write(MAIN_CF.format(root=root, next_hop=next_hop, milters=milters,
                                     extra=extra_main_cf))
        with open(os.path.join(self.config_dir, "master.cf"), "w") as out:
            out.write(MASTER_CF.format(outbound_port=self.outbound_port,
                                       inbound_port=self.inbound_port))

    def postfix(self, *args):
        return subprocess.run(["postfix", "-c", self.config_dir, *args],
                              capture_output=True, text=True)

    def start(self):
        result = self.postfix("start")
        if result.returncode != 0:
            raise AssertionError("postfix start failed: " + result.stderr + result.stdout)
        wait_for(lambda: port_open(self.outbound_port) and port_open(self.inbound_port),
                 what="postfix smtpd")
        return self

    def stop(self):
        self.postfix("stop")
        self.sink.stop()

    def maillog(self):
        path = os.path.join(self.root, "maillog")
        if not os.path.exists(path):
            return ""
        with open(path, errors="replace") as f:
            return f.read()

    def flush(self):
        self.postfix("flush")

    def smtp(self, inbound=False):
        port = self.inbound_port if inbound else self.outbound_port
        return smtplib.SMTP("127.0.0.1", port, timeout=30)

    def sendmail_command(self, sender, recipients, message):
        """Submits through /usr/sbin/sendmail: the non_smtpd_milters path."""
        return subprocess.run(["sendmail", "-C", self.config_dir, "-f", sender, *recipients],
                              input=message, text=True, capture_output=True)

    def delivered(self, predicate, what="message at the sink", timeout=20.0):
        return wait_for(lambda: [m for m in self.sink.messages() if predicate(m)],
                        timeout=timeout, what=what)


def make_root():
    root = tempfile.mkdtemp(prefix="fbl-it-")
    os.chmod(root, 0o755)
    return root


def shut_down(postfix, milter, root):
    """Stops a test class's Postfix and fblmilter; fails on a non-zero exit
    or a sanitizer report (the ASan run reuses every suite), then removes the
    root unless FBL_KEEP_TEST_ROOT asks to keep it for a post-mortem."""
    postfix.stop()
    status = milter.stop()
    log = milter.log_text()
    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        if marker in log:
            raise AssertionError(f"sanitizer report in fblmilter's log:\n{log[-6000:]}")
    if status not in (0, None):
        raise AssertionError(f"fblmilter exited with {status}:\n{log[-3000:]}")
    if os.environ.get("FBL_KEEP_TEST_ROOT"):
        print("kept", root)
    else:
        shutil.rmtree(root, ignore_errors=True)
