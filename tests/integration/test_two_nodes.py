"""Two mail servers on one PostgreSQL store (issue 8), end to end.

Node A and node B each run fblmilter behind their own Postfix; both daemons
use one throwaway PostgreSQL database. A report taken by A must block mail
sent through B; a report sent while the database is down is tempfailed and
lands once the provider retries after the restart; while it is down both
nodes keep refusing suppressed recipients from their in-memory index.

Run as root: `python3 -m unittest test_two_nodes` with FBLMILTER and FBLCTL set.
"""
import os
import shutil
import smtplib
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))

from harness import (FblMilter, PostfixInstance, free_port, make_root,  # noqa: E402
                     unavailable, wait_for)
import messages  # noqa: E402
import pg_server  # noqa: E402

CONFIG = """\
milter:
  socket: inet:{port}@127.0.0.1
outbound:
  authenticated: true
  networks: []
  daemon_names: [ORIGINATING]
  scope: all
feedback:
  addresses: [fbl@example.org]
  trust: any
  disposition: accept
store:
  backend: postgres
  postgres:
    conninfo: "{conninfo}"
    connect_timeout: 2s
  follow_interval_ms: 250
logging:
  level: debug
"""


class Node:
    """One mail server: a daemon and the Postfix in front of it."""

    def __init__(self, name, conninfo):
        self.name = name
        self.root = make_root()
        self.port = free_port()
        self.milter = FblMilter(self.root, CONFIG.format(port=self.port, conninfo=conninfo))
        self.milter.start()
        self.postfix = PostfixInstance(self.root, f"inet:127.0.0.1:{self.port}").start()

    def rcpt_reply(self, address):
        """The reply to RCPT TO:<address> on outbound mail; no message is sent."""
        with self.postfix.smtp() as smtp:
            smtp.ehlo()
            smtp.mail("news@news.example.org")
            code, _ = smtp.rcpt(address)
            smtp.rset()
            return code

    def send_report(self, victim, report=None):
        with self.postfix.smtp(inbound=True) as smtp:
            smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"],
                          report or messages.arf_report(victim))

    def stop(self):
        self.postfix.stop()
        status = self.milter.stop()
        if os.environ.get("FBL_KEEP_TEST_ROOT"):
            print("kept", self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        return status


def seconds_until_blocked(node, address, timeout=5.0):
    """Probes RCPT on `node` until it answers 550; returns the seconds it took."""
    started = time.monotonic()
    while True:
        if node.rcpt_reply(address) == 550:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{address} not blocked on node {node.name} after {timeout} s")
        time.sleep(0.02)


class TwoNodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unavailable("needs root to run private Postfix instances")
        pg_server.skip_unless_available()
        cls.pg = pg_server.PgServer()
        conninfo = cls.pg.create_database("fbl")
        cls.nodes = []
        try:
            cls.a = Node("A", conninfo)
            cls.nodes.append(cls.a)
            cls.b = Node("B", conninfo)
            cls.nodes.append(cls.b)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        problems = []
        for node in cls.nodes:
            status = node.stop()
            if status not in (0, None):
                problems.append(f"node {node.name}'s fblmilter exited with {status}:\n"
                                f"{node.milter.log_text()[-3000:]}")
        cls.pg.destroy()
        if problems:
            raise AssertionError("\n".join(problems))

    def complaint_rows(self, node, address):
        csv = node.milter.fblctl("complaints", "--format", "csv", check=True).stdout
        return [line for line in csv.splitlines() if address in line]

    def test_1_report_through_a_blocks_mail_through_b(self):
        self.assertEqual(self.b.rcpt_reply("victim1@example.com"), 250)
        self.a.send_report("victim1@example.com")  # returns once A committed it
        took = seconds_until_blocked(self.b, "victim1@example.com")
        print(f"\nnode B blocked a complaint taken by node A after {took * 1000:.0f} ms",
              file=sys.stderr)
        self.assertEqual(self.b.rcpt_reply("friend1@example.com"), 250)

    def test_2_database_restart_loses_no_report(self):
        self.a.send_report("victim2@example.com")
        seconds_until_blocked(self.b, "victim2@example.com")

        report = messages.arf_report("victim3@example.com")
        self.pg.stop()
        try:
            # Intake cannot commit: the provider is told to retry.
            with self.assertRaises(smtplib.SMTPResponseException) as raised:
                self.a.send_report("victim3@example.com", report)
            self.assertEqual(raised.exception.smtp_code // 100, 4, raised.exception)
            # Sending goes on from B's in-memory index.
            self.assertEqual(self.b.rcpt_reply("friend3@example.com"), 250)
        finally:
            self.pg.start()

        # The provider's retry lands once the nodes have reconnected.
        def retried():
            try:
                self.a.send_report("victim3@example.com", report)
                return True
            except smtplib.SMTPResponseException as refused:
                if refused.smtp_code // 100 != 4:
                    raise
                return False
        wait_for(retried, timeout=60, interval=0.5, what="the report accepted after the restart")
        took = seconds_until_blocked(self.b, "victim3@example.com", timeout=10)
        print(f"\nafter the restart node B blocked the retried report after {took * 1000:.0f} ms",
              file=sys.stderr)
        # A second retry by the provider changes nothing: stored once.
        self.a.send_report("victim3@example.com", report)
        self.assertEqual(len(self.complaint_rows(self.b, "victim3@example.com")), 1)
        self.assertEqual(self.b.rcpt_reply("victim2@example.com"), 550)

    def test_3_index_refuses_suppressed_recipients_while_the_database_is_down(self):
        self.a.send_report("victim4@example.com")
        for node in (self.a, self.b):
            seconds_until_blocked(node, "victim4@example.com")
        self.pg.stop()
        try:
            # The index decides alone: no store query that could defer (451)
            # or deliver mail to someone who complained.
            for node in (self.a, self.b):
                self.assertEqual(node.rcpt_reply("victim4@example.com"), 550, node.name)
                self.assertEqual(node.rcpt_reply("friend4@example.com"), 250, node.name)
        finally:
            self.pg.start()

    # Issue 14 item 13: node A restarts with new subaddress rules and re-keys
    # the shared store; node B, still on the old configuration, must look
    # keys up the store's way at once, or it mails people who complained.
    def test_4_a_rekey_by_one_node_is_adopted_by_the_other(self):
        self.a.milter.fblctl("add", "ann5+news@example.com", check=True)
        for node in (self.a, self.b):
            seconds_until_blocked(node, "ann5+news@example.com")
        self.assertEqual(self.b.rcpt_reply("ann5@example.com"), 250)  # another mailbox, so far
        with open(self.a.milter.config_path) as f:
            original = f.read()
        adopted_before = self.b.milter.log_text().count("re-keyed elsewhere")
        try:
            self.a.milter.write_config(
                original + "suppression:\n  subaddress:\n    domains: [example.com]\n")
            self.a.milter.stop()
            self.a.milter.start()
            self.assertIn("re-keyed the store", self.a.milter.log_text())
            wait_for(lambda: self.b.milter.log_text().count("re-keyed elsewhere") > adopted_before,
                     what="node B to adopt the store's keys")
            for address in ("ann5@example.com", "ann5+other@example.com",
                            "ann5+news@example.com"):
                for node in (self.a, self.b):
                    seconds_until_blocked(node, address)
            self.assertEqual(self.b.rcpt_reply("friend5@example.com"), 250)
        finally:
            self.a.milter.write_config(original)
            self.a.milter.stop()
            self.a.milter.start()
            wait_for(lambda: self.b.milter.log_text().count("re-keyed elsewhere")
                     > adopted_before + 1, what="node B to adopt the keys back")
        for node in (self.a, self.b):
            seconds_until_blocked(node, "ann5+news@example.com")


if __name__ == "__main__":
    unittest.main()
