"""The Debian package, end to end, on this machine (issue 9).

Builds the .deb with scripts/build-deb (lintian must show no error), installs
it with apt-get, checks the installed layout and the fblmilter user, runs
`fblmilter --check-config` on the installed config as that user, starts the
INSTALLED /usr/sbin/fblmilter in the foreground with a config derived from
the installed one and attaches the real-Postfix harness of
tests/integration to it (report -> suppression -> block), then purges the
package and checks that only what Debian policy keeps is left (the system
user and group).

Needs root, dpkg-buildpackage and Postfix; skipped otherwise, and when the
fblmilter package is already installed (it would be purged). Building the
package compiles the whole project once; FBL_DEB=/path/fblmilter_*.deb tests
a package built before instead.
"""
import fcntl
import glob
import grp
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import urllib.request

SOURCE = os.environ.get("FBL_SOURCE_DIR",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
INSTALLED_FBLMILTER = "/usr/sbin/fblmilter"
INSTALLED_FBLCTL = "/usr/bin/fblctl"
INSTALLED_FBLWEB = "/usr/sbin/fblweb"
CONFIG = "/etc/fblmilter/fblmilter.yaml"

# The harness reads these at import time: point it at the installed binaries.
os.environ["FBLMILTER"] = INSTALLED_FBLMILTER
os.environ["FBLCTL"] = INSTALLED_FBLCTL
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

from harness import FblMilter, PostfixInstance, free_port, make_root, wait_for  # noqa: E402
import messages  # noqa: E402

METRIC_NAMES = [
    "fblmilter_reports_received_total", "fblmilter_reports_trusted_total",
    "fblmilter_reports_untrusted_total", "fblmilter_reports_unresolved_total",
    "fblmilter_recipients_suppressed_total", "fblmilter_recipients_blocked_total",
    "fblmilter_suppression_index_entries", "fblmilter_lookup_duration_seconds",
    "fblmilter_outbox_jobs", "fblmilter_crm_requests_total",
    "fblmilter_send_log_dropped_total", "fblmilter_store_errors_total",
]


def run(*args, check=True, **kwargs):
    result = subprocess.run(list(args), capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def package_status():
    result = run("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "fblmilter", check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def derive_test_config(installed_text, milter_port, metrics_port):
    """The installed config with the harness's needs: an inet socket on a free
    port, the feedback address, trust any (the harness's reports are
    unsigned), stderr logging, outgoing by daemon name as in test_postfix."""
    replacements = [
        (r"^  socket: .*$", f"  socket: inet:{milter_port}@127.0.0.1"),
        (r"^  pid_file: .*$", '  pid_file: ""'),
        (r"^  networks: .*$", "  networks: []"),
        (r"^  daemon_names: \[\].*$", "  daemon_names: [ORIGINATING]"),
        (r"^  addresses: \[\].*$", "  addresses: [fbl@example.org]"),
        (r"^  trust: either.*$", "  trust: any"),
        (r"^  follow_interval_ms: .*$", "  follow_interval_ms: 100"),
        (r"^  destination: syslog.*$", "  destination: stderr"),
        (r"^  level: info.*$", "  level: debug"),
        (r"^  listen: \"\".*$", f"  listen: 127.0.0.1:{metrics_port}"),
    ]
    text = installed_text
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        if count != 1:
            raise AssertionError(f"installed config: {pattern!r} matched {count} lines")
    return text


def unavailable(why):
    """A skip on a developer's machine, a failure under CI=true."""
    if os.environ.get("CI") == "true":
        return AssertionError(f"required in CI: {why}")
    return unittest.SkipTest(why)


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unavailable("needs root to install the package")
        if os.environ.get("FBL_SKIP_PACKAGE_TEST"):
            raise unavailable("FBL_SKIP_PACKAGE_TEST is set")
        for tool in ("dpkg-buildpackage", "apt-get", "postfix"):
            if shutil.which(tool) is None:
                raise unavailable(f"{tool} is not installed")
        # Installing and purging is machine-wide: one run at a time, even
        # from different build trees.
        cls.lock = open("/run/lock/fblmilter-packaging-test.lock", "w")
        try:
            fcntl.flock(cls.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            cls.lock.close()
            raise unavailable("another packaging_deb run holds "
                                    "/run/lock/fblmilter-packaging-test.lock")
        if package_status().startswith("i"):
            raise unavailable("the fblmilter package is already installed; "
                                    "purge it to run this test")
        cls.out = tempfile.mkdtemp(prefix="fbl-deb-")
        if os.environ.get("FBL_DEB"):  # a package built before (a CI step), with its lintian
            cls.deb = os.environ["FBL_DEB"]
            cls.lintian = run("lintian", cls.deb, check=False).stdout
            cls.installed = False
            return
        build = run(os.path.join(SOURCE, "scripts", "build-deb"), "--out", cls.out, check=False)
        print(build.stderr[-6000:], file=sys.stderr)
        if build.returncode != 0:
            raise AssertionError("scripts/build-deb failed (lintian errors fail it too):\n"
                                 + build.stdout[-3000:] + build.stderr[-6000:])
        cls.deb = build.stdout.strip().splitlines()[-1]
        cls.lintian = build.stderr[build.stderr.rfind("build-deb: lintian:"):]
        cls.installed = False

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "installed", False):  # a failed test must not leave it installed
            run("apt-get", "purge", "-y", "fblmilter", check=False)
        if getattr(cls, "out", None):
            shutil.rmtree(cls.out, ignore_errors=True)
        if getattr(cls, "lock", None):
            cls.lock.close()

    def test_package(self):
        self.install()
        self.check_layout()
        self.check_config_as_fblmilter_user()
        self.attach_postfix_and_block_a_reported_recipient()
        self.purge_and_check_leftovers()

    def install(self):
        self.assertTrue(os.path.basename(self.deb).startswith("fblmilter_"), self.deb)
        self.assertNotRegex(self.lintian, r"(?m)^E: ", self.lintian)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "install", "-y", "--no-install-recommends", self.deb, env=env)
        type(self).installed = True
        self.assertEqual(package_status(), "ii")
        self.files = run("dpkg-query", "-L", "fblmilter").stdout.split()

    def check_layout(self):
        for path in (INSTALLED_FBLMILTER, INSTALLED_FBLCTL, INSTALLED_FBLWEB):
            self.assertTrue(os.access(path, os.X_OK), path)
        self.assertIn("fblmilter", run(INSTALLED_FBLMILTER, "--version").stdout)
        self.assertIn("fblweb", run(INSTALLED_FBLWEB, "--version").stdout)
        conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "fblmilter").stdout
        self.assertIn(CONFIG, conffiles)
        installed = read_text(CONFIG)
        self.assertIn("path: /var/lib/fblmilter/fblmilter.db", installed)
        self.assertIn("destination: syslog", installed)
        for unit in ("fblmilter.service", "fblweb.service"):
            units = [p for p in self.files if p.endswith(f"/systemd/system/{unit}")]
            self.assertEqual(len(units), 1, (unit, self.files))
        for page in ("man8/fblmilter.8.gz", "man8/fblctl.8.gz", "man8/fblweb.8.gz",
                     "man5/fblmilter.yaml.5.gz"):
            self.assertIn(f"/usr/share/man/{page}", self.files)
        for doc in ("operations.md", "postfix.md", "sendmail.md", "examples/postfix/main.cf"):
            self.assertTrue(any(p.startswith(f"/usr/share/doc/fblmilter/{doc}") for p in self.files),
                            doc)

        user = pwd.getpwnam("fblmilter")
        self.assertLess(user.pw_uid, 1000, "fblmilter must be a system user")
        self.assertIn(user.pw_shell, ("/usr/sbin/nologin", "/bin/false"))
        fbl_group = grp.getgrnam("fblmilter")
        socket_group = grp.getgrnam("fblmilter-socket")
        if any(g.gr_name == "postfix" for g in grp.getgrall()):
            self.assertIn("fblmilter", grp.getgrnam("postfix").gr_mem)
        try:
            pwd.getpwnam("postfix")
            # The socket, and only the socket: group fblmilter may read the
            # store and the secrets (issue 14 item 16).
            self.assertIn("postfix", socket_group.gr_mem)
            self.assertNotIn("postfix", fbl_group.gr_mem)
        except KeyError:
            pass
        self.assert_owner("/var/lib/fblmilter", "fblmilter", "fblmilter", 0o750)
        self.assert_owner("/etc/fblmilter/secrets", "root", "fblmilter", 0o750)

    def assert_owner(self, path, user, group, mode):
        info = os.stat(path)
        self.assertEqual(pwd.getpwuid(info.st_uid).pw_name, user, path)
        self.assertEqual(grp.getgrgid(info.st_gid).gr_name, group, path)
        self.assertEqual(stat.S_IMODE(info.st_mode), mode, path)

    def check_config_as_fblmilter_user(self):
        result = run("runuser", "-u", "fblmilter", "--", INSTALLED_FBLMILTER, "--check-config",
                     "-c", CONFIG, check=False, cwd="/")
        self.assertEqual(result.returncode, 0, result.stderr)
        # fblweb.service runs the same check as ExecStartPre.
        web = run("runuser", "-u", "fblmilter", "--", INSTALLED_FBLWEB, "--check-config",
                  "-c", CONFIG, check=False, cwd="/")
        self.assertEqual(web.returncode, 0, web.stderr)
        # A secret the fblmilter user cannot read is caught by the same check.
        secret = "/etc/fblmilter/secrets/unreadable.key"
        with open(secret, "w") as out:
            out.write("0123456789abcdef0123456789abcdef\n")
        os.chmod(secret, 0o600)
        try:
            broken = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, dir="/tmp")
            broken.write(read_text(CONFIG).replace(
                "    keys: []",
                f"    keys: [{{id: k1, key_file: {secret}}}]", 1))
            broken.close()
            os.chmod(broken.name, 0o644)
            result = run("runuser", "-u", "fblmilter", "--", INSTALLED_FBLMILTER,
                         "--check-config", "-c", broken.name, check=False, cwd="/")
            self.assertEqual(result.returncode, 78, result.stderr)
            self.assertIn("unreadable.key", result.stderr)
        finally:
            os.unlink(secret)
            os.unlink(broken.name)

    def attach_postfix_and_block_a_reported_recipient(self):
        root = make_root()
        milter_port, metrics_port = free_port(), free_port()
        config = derive_test_config(read_text(CONFIG), milter_port, metrics_port)
        milter = FblMilter(root, config)
        postfix = None
        try:
            # Started as root like an admin would: it opens the socket, then
            # drops to milter.user (fblmilter) before opening the store.
            milter.start(milter_port)
            postfix = PostfixInstance(root, f"inet:127.0.0.1:{milter_port}").start()

            with postfix.smtp(inbound=True) as smtp:
                smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"],
                              messages.arf_report("victim@example.com"))
            self.assertEqual(milter.fblctl("check", "victim@example.com").returncode, 1,
                             milter.log_text()[-3000:])

            with postfix.smtp() as smtp:
                smtp.sendmail("news@news.example.org", ["victim@example.com", "friend@example.com"],
                              messages.marketing("news@news.example.org",
                                                 ["victim@example.com", "friend@example.com"]))
            delivered = postfix.delivered(lambda m: "friend@example.com" in m["rcpt_to"])
            self.assertEqual(sorted(delivered[0]["rcpt_to"]), ["friend@example.com"])

            store = os.stat("/var/lib/fblmilter/fblmilter.db")
            self.assertEqual(pwd.getpwuid(store.st_uid).pw_name, "fblmilter",
                             "the daemon did not drop privileges before opening the store")
            self.check_metrics(milter, metrics_port)
        except BaseException:
            print("--- fblmilter log ---\n" + milter.log_text()[-4000:], file=sys.stderr)
            if postfix:
                print("--- maillog ---\n" + postfix.maillog()[-4000:], file=sys.stderr)
            raise
        finally:
            if postfix:
                postfix.stop()
            self.assertEqual(milter.stop(), 0)
            shutil.rmtree(root, ignore_errors=True)

    def check_metrics(self, milter, port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            text = answer.read().decode()
        for name in METRIC_NAMES:
            self.assertIn(f"# TYPE {name} ", text)
        self.assertRegex(text, r'fblmilter_recipients_blocked_total\{stage="eom"\} [1-9]')
        self.assertRegex(text, r"fblmilter_recipients_suppressed_total [1-9]")

    def purge_and_check_leftovers(self):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "purge", "-y", "fblmilter", env=env)
        type(self).installed = False
        self.assertEqual(package_status(), "")
        left = [p for p in self.files
                if os.path.lexists(p) and not os.path.isdir(p)]
        self.assertEqual(left, [], "files of the package left after purge")
        for path in ("/etc/fblmilter", "/var/lib/fblmilter", "/run/fblmilter",
                     "/usr/share/doc/fblmilter"):
            self.assertFalse(os.path.lexists(path), f"{path} left after purge")
        self.assertEqual(glob.glob("/etc/systemd/system/*/fblmilter.service"), [],
                         "an enablement symlink left after purge")
        # Debian policy keeps system users and groups on purge.
        pwd.getpwnam("fblmilter")


if __name__ == "__main__":
    unittest.main()
