"""fblmilter attached to a real Postfix: the cases of issue 5, end to end.

Run as root: `python3 -m unittest test_postfix` with FBLMILTER and FBLCTL set.
"""
import base64
import email
import hashlib
import hmac
import json
import os
import smtplib
import socket
import sqlite3
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))

from harness import (unavailable, FblMilter, FblWeb, PostfixInstance, free_port, make_root,  # noqa: E402
                     shut_down, wait_for)
import messages  # noqa: E402

CONFIG = """\
milter:
  socket: inet:{port}@127.0.0.1
  report_size_limit: 64KiB
outbound:
  authenticated: true
  networks: []
  daemon_names: [ORIGINATING]
  scope: {scope}
feedback:
  addresses: [fbl@example.org]
  trust: any
  disposition: accept
store:
  sqlite:
    path: {root}/fblmilter.db
    busy_timeout: 1s
  follow_interval_ms: 100
logging:
  level: debug
metrics:
  listen: 127.0.0.1:{metrics_port}
"""

# Issue 16, for PostfixIntegration only: a signing key, and one-click
# unsubscribe headers on single-recipient marketing mail.
ONE_CLICK_KEY = """\
  reference_header:
    keys:
      - {{id: k1, key_file: {root}/ref-k1.key}}
    active_key: k1
"""
ONE_CLICK = """\
web:
  public_url: https://fbl.example.com/
  listen: 127.0.0.1:{web_port}
unsubscribe:
  enabled: true
  add_headers: always
crm:
  adapters:
    - name: hook
      preset: webhook
      settings: {{url: "http://127.0.0.1:9/consent"}}
      allow_insecure: true
      secrets:
        signing_secret: {{value_file: {root}/webhook.secret}}
  worker_in_daemon: false
"""


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def recipients_of(message):
    return sorted(message["rcpt_to"])


class PostfixIntegration(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unavailable("needs root to run a private Postfix")
        cls.root = make_root()
        cls.unsubscribe_key = base64.b64encode(os.urandom(32))
        key_path = os.path.join(cls.root, "ref-k1.key")
        with open(key_path, "wb") as out:
            out.write(cls.unsubscribe_key + b"\n")
        os.chmod(key_path, 0o600)
        secret_path = os.path.join(cls.root, "webhook.secret")
        with open(secret_path, "w") as out:
            out.write("whsec_" + base64.b64encode(os.urandom(24)).decode() + "\n")
        os.chmod(secret_path, 0o600)
        cls.milter_port = free_port()
        cls.metrics_port = free_port()
        cls.web_port = free_port()
        cls.milter = FblMilter(cls.root, cls.config("marketing")).start()
        cls.web = FblWeb(cls.milter, cls.web_port).start()
        cls.postfix = PostfixInstance(cls.root, f"inet:127.0.0.1:{cls.milter_port}").start()

    @classmethod
    def tearDownClass(cls):
        web_status = cls.web.stop()
        web_log = cls.web.log_text()
        shut_down(cls.postfix, cls.milter, cls.root)
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if marker in web_log:
                raise AssertionError(f"sanitizer report in fblweb's log:\n{web_log[-6000:]}")
        if web_status != 0:
            raise AssertionError(f"fblweb exited with {web_status}:\n{web_log[-3000:]}")

    @classmethod
    def config(cls, scope):
        text = CONFIG.replace("  disposition: accept\n", "  disposition: accept\n" + ONE_CLICK_KEY)
        return text.format(port=cls.milter_port, scope=scope, root=cls.root,
                           metrics_port=cls.metrics_port) + ONE_CLICK.format(
                               web_port=cls.web_port, root=cls.root)

    def send_report(self, victim, **kwargs):
        with self.postfix.smtp(inbound=True) as smtp:
            return smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"],
                                 messages.arf_report(victim, **kwargs))

    def suppressed(self, address):
        return self.milter.fblctl("check", address).returncode == 1

    def reload_with(self, scope):
        before = self.milter.log_text().count("is now in force")
        self.milter.write_config(self.config(scope))
        self.milter.reload()
        wait_for(lambda: self.milter.log_text().count("is now in force") > before,
                 what="reload")

    # 1. A report to the feedback address: stored, suppressed, delivered tagged.
    def test_1_report_is_stored_and_recipient_suppressed(self):
        self.send_report("victim1@example.com")
        self.assertTrue(self.suppressed("victim1@example.com"))
        delivered = self.postfix.delivered(
            lambda m: "fbl@example.org" in m["rcpt_to"] and "victim1" in m["data"],
            what="the report at the sink")
        self.assertIn("X-FBL-Result:", delivered[0]["data"])
        complaints = self.milter.fblctl("complaints", "--format", "json", check=True)
        self.assertIn("victim1@example.com", complaints.stdout)
        # The log line names provider and recipient (docs/operations.md).
        report_lines = [line for line in self.milter.log_text().splitlines()
                        if ": report: " in line and "victim1@example.com" in line]
        self.assertTrue(report_lines, "no report: log line naming the recipient")
        self.assertIn("provider ", report_lines[0])

    # 2a. Marketing to the suppressed address: removed at EOM, the other goes.
    def test_2a_marketing_recipient_removed_other_delivered(self):
        self.send_report("victim2@example.com")
        with self.postfix.smtp() as smtp:
            smtp.sendmail("news@news.example.org", ["victim2@example.com", "friend2@example.com"],
                          messages.marketing("news@news.example.org",
                                             ["victim2@example.com", "friend2@example.com"]))
        delivered = self.postfix.delivered(lambda m: "friend2@example.com" in m["rcpt_to"])
        self.assertEqual(recipients_of(delivered[0]), ["friend2@example.com"])

    # 2b. Scope all: 550 5.7.1 at RCPT for the suppressed address only.
    def test_2b_scope_all_rejects_at_rcpt(self):
        self.send_report("victim3@example.com")
        self.reload_with("all")
        try:
            with self.postfix.smtp() as smtp:
                refused = smtp.sendmail(
                    "news@news.example.org", ["victim3@example.com", "friend3@example.com"],
                    messages.personal("news@news.example.org", "friend3@example.com"))
            self.assertEqual(refused["victim3@example.com"][0], 550)
            self.assertIn(b"5.7.1", refused["victim3@example.com"][1])
            delivered = self.postfix.delivered(lambda m: "friend3@example.com" in m["rcpt_to"])
            self.assertEqual(recipients_of(delivered[0]), ["friend3@example.com"])
        finally:
            self.reload_with("marketing")

    # 3. A personal reply to a suppressed address is delivered (scope marketing).
    def test_3_personal_reply_is_delivered(self):
        self.send_report("victim4@example.com")
        with self.postfix.smtp() as smtp:
            smtp.sendmail("support@example.org", ["victim4@example.com"],
                          messages.personal("support@example.org", "victim4@example.com"))
        self.postfix.delivered(lambda m: m["rcpt_to"] == ["victim4@example.com"] and
                               "support ticket" in m["data"])

    # 4. fblctl add while everything runs: the next mail is blocked.
    def test_4_fblctl_add_blocks_without_restart(self):
        self.milter.fblctl("add", "late@example.com", "--scope", "all", check=True)
        time.sleep(1.0)  # the documented bound: changes are seen within 1 s
        with self.postfix.smtp() as smtp:
            refused = smtp.sendmail("support@example.org",
                                    ["late@example.com", "friend4@example.com"],
                                    messages.personal("support@example.org", "friend4@example.com"))
        self.assertEqual(refused["late@example.com"][0], 550)

    # 5. Store cannot commit: the report gets 4xx; the retry after the fix lands once.
    def test_5_unwritable_store_tempfails_then_retry_succeeds(self):
        report = messages.arf_report("victim5@example.com")
        blocker = sqlite3.connect(os.path.join(self.root, "fblmilter.db"), timeout=5)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with self.postfix.smtp(inbound=True) as smtp:
                with self.assertRaises(smtplib.SMTPDataError) as raised:
                    smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"], report)
            self.assertEqual(raised.exception.smtp_code // 100, 4)
        finally:
            blocker.rollback()
            blocker.close()
        self.assertFalse(self.suppressed("victim5@example.com"))
        for _ in range(2):  # the provider retries, and may retry twice
            with self.postfix.smtp(inbound=True) as smtp:
                smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"], report)
        self.assertTrue(self.suppressed("victim5@example.com"))
        complaints = self.milter.fblctl("complaints", "--format", "csv", check=True).stdout
        rows = [line for line in complaints.splitlines() if "victim5@example.com" in line]
        self.assertEqual(len(rows), 1, complaints)

    # 7. SIGUSR1 with a broken config: refused, the old config keeps working.
    def test_7_broken_reload_keeps_old_config(self):
        self.send_report("victim7@example.com")
        self.milter.write_config(self.config("marketing") + "no_such_section: 1\n")
        self.milter.reload()
        wait_for(lambda: "reload refused" in self.milter.log_text(), what="refused reload")
        self.milter.write_config(self.config("marketing"))
        with self.postfix.smtp() as smtp:
            smtp.sendmail("news@news.example.org", ["victim7@example.com", "friend7@example.com"],
                          messages.marketing("news@news.example.org",
                                             ["victim7@example.com", "friend7@example.com"]))
        delivered = self.postfix.delivered(lambda m: "friend7@example.com" in m["rcpt_to"])
        self.assertEqual(recipients_of(delivered[0]), ["friend7@example.com"])

    def scrape(self):
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10) as answer:
            self.assertEqual(answer.status, 200)
            return answer.read().decode()

    @staticmethod
    def sample(text, name):
        """Sum of every series of `name` (counter, gauge or histogram count)."""
        total = 0.0
        for line in text.splitlines():
            series = line.split(" ")[0]
            if series == name or series.startswith(name + "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    # The metrics endpoint counts what the daemon did (issue 9).
    def test_10_metrics_count_reports_blocks_and_lookups(self):
        before = self.scrape()
        self.send_report("victim10@example.com")
        with self.postfix.smtp() as smtp:
            smtp.sendmail("news@news.example.org", ["victim10@example.com", "friend10@example.com"],
                          messages.marketing("news@news.example.org",
                                             ["victim10@example.com", "friend10@example.com"]))
        self.postfix.delivered(lambda m: "friend10@example.com" in m["rcpt_to"])
        after = self.scrape()
        for name in ("fblmilter_reports_received_total", "fblmilter_reports_trusted_total",
                     "fblmilter_recipients_suppressed_total",
                     "fblmilter_lookup_duration_seconds_count"):
            self.assertGreaterEqual(self.sample(after, name) - self.sample(before, name), 1,
                                    name)
        self.assertIn('fblmilter_recipients_blocked_total{stage="eom"}', after)
        self.assertGreaterEqual(
            self.sample(after, 'fblmilter_recipients_blocked_total{stage="eom"}') -
            self.sample(before, 'fblmilter_recipients_blocked_total{stage="eom"}'), 1)
        self.assertGreaterEqual(self.sample(after, "fblmilter_suppression_index_entries"), 1)

    # Clients that vanish mid-message: the milter frees the message (abort).
    def test_6_aborted_transactions_leak_nothing(self):
        for inbound, recipient in ((False, "victim1@example.com"), (True, "fbl@example.org")):
            with self.postfix.smtp(inbound=inbound) as smtp:
                smtp.ehlo()
                smtp.mail("someone@example.org")
                smtp.rcpt(recipient)
                smtp.putcmd("data")
                smtp.getreply()
                smtp.send(b"Subject: cut short\r\nList-Unsubscribe: <mailto:u@x>\r\n\r\nhalf a body")
                smtp.sock.shutdown(socket.SHUT_RDWR)  # a FIN now, not at garbage collection
                smtp.close()
            with self.postfix.smtp(inbound=inbound) as smtp:
                smtp.ehlo()
                smtp.mail("someone@example.org")
                smtp.rcpt(recipient)
                smtp.rset()
        # The daemon still answers after the aborts.
        self.assertTrue(self.suppressed("victim1@example.com"))

    # non_smtpd_milters: mail from the sendmail command is never rejected at RCPT.
    def test_8_sendmail_command_removes_instead_of_rejecting(self):
        self.milter.fblctl("add", "local@example.com", "--scope", "all", check=True)
        time.sleep(1.0)
        result = self.postfix.sendmail_command(
            "app@example.org", ["local@example.com", "friend8@example.com"],
            messages.personal("app@example.org", "friend8@example.com"))
        self.assertEqual(result.returncode, 0, result.stderr)
        delivered = self.postfix.delivered(lambda m: "friend8@example.com" in m["rcpt_to"])
        self.assertEqual(recipients_of(delivered[0]), ["friend8@example.com"])

    # Issue 14.20: our headers, written by a sender, never reach a reader.
    def test_11_forged_result_and_reference_headers_are_removed(self):
        forged_result = messages.personal("someone@elsewhere.example", "reader11@example.com")
        forged_result = forged_result.replace(
            "Subject:", "X-FBL-Result: abuse; trusted; forged-result-11\nSubject:", 1)
        with self.postfix.smtp(inbound=True) as smtp:
            smtp.sendmail("someone@elsewhere.example", ["reader11@example.com"], forged_result)
        inbound = self.postfix.delivered(lambda m: "reader11@example.com" in m["rcpt_to"])
        self.assertNotIn("forged-result-11", inbound[0]["data"])
        self.assertNotIn("X-FBL-Result", inbound[0]["data"])
        forged_ref = messages.personal("support@example.org", "reader11b@example.com")
        forged_ref = forged_ref.replace("Subject:", "X-FBL-Ref: v1.k1.forged-ref-11\nSubject:", 1)
        with self.postfix.smtp() as smtp:
            smtp.sendmail("support@example.org", ["reader11b@example.com"], forged_ref)
        outbound = self.postfix.delivered(lambda m: "reader11b@example.com" in m["rcpt_to"])
        self.assertNotIn("forged-ref-11", outbound[0]["data"])

    # Issue 14.9: an oversized report is refused (552 5.3.4), never 250 and dropped.
    def test_12_oversized_report_is_refused_with_552(self):
        report = messages.arf_report("victim12@example.com")
        report = report.replace("Great offers inside.", "Great offers inside.\n" +
                                ("x" * 76 + "\n") * 1200)
        with self.postfix.smtp(inbound=True) as smtp:
            with self.assertRaises(smtplib.SMTPDataError) as raised:
                smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"], report)
        self.assertEqual(raised.exception.smtp_code, 552)
        self.assertIn(b"5.3.4", raised.exception.smtp_error)
        self.assertFalse(self.suppressed("victim12@example.com"))
        self.assertIn("report refused with 552", self.milter.log_text())

    # Issue 21.3: a report sent from an outgoing client (swaks on the mail host)
    # is a report; the message's other recipient keeps outgoing treatment.
    def test_13_report_from_an_outbound_client_is_taken_in(self):
        self.milter.fblctl("add", "gone13@example.com", "--scope", "all", check=True)
        time.sleep(1.0)
        with self.postfix.smtp() as smtp:
            refused = smtp.sendmail("relay@example.org",
                                    ["fbl@example.org", "gone13@example.com"],
                                    messages.arf_report("victim13@example.com"))
        self.assertEqual(refused["gone13@example.com"][0], 550)
        self.assertTrue(self.suppressed("victim13@example.com"))
        delivered = self.postfix.delivered(
            lambda m: "fbl@example.org" in m["rcpt_to"] and "victim13" in m["data"])
        self.assertIn("X-FBL-Result:", delivered[0]["data"])

    # Issue 14 item 13: a normalisation change is refused at reload and
    # re-keys the store at restart; the address suppressed before the change
    # is still blocked after it, under every spelling the new rules join.
    def test_14_normalisation_change_rekeys_at_restart(self):
        self.milter.fblctl("add", "ann14+news@example.com", check=True)
        stripping = self.config("marketing") + "suppression:\n  subaddress:\n    domains: [example.com]\n"
        self.milter.write_config(stripping)
        self.milter.reload()
        wait_for(lambda: "normalisation changed" in self.milter.log_text(), what="refused reload")
        self.assertIn("restart fblmilter to re-key", self.milter.log_text())
        refused = self.milter.fblctl("check", "ann14@example.com")
        self.assertEqual(refused.returncode, 78, refused.stderr)
        self.assertIn("fblctl rekey", refused.stderr)
        try:
            self.milter.stop()
            self.milter.start()
            self.assertIn("re-keyed the store", self.milter.log_text())
            recipients = ["ann14@example.com", "ann14+other@example.com",
                          "ann14+news@example.com", "friend14@example.com"]
            with self.postfix.smtp() as smtp:
                smtp.sendmail("news@news.example.org", recipients,
                              messages.marketing("news@news.example.org", recipients))
            delivered = self.postfix.delivered(lambda m: "friend14@example.com" in m["rcpt_to"])
            self.assertEqual(recipients_of(delivered[0]), ["friend14@example.com"])
        finally:
            self.milter.stop()
            self.milter.write_config(self.config("marketing"))
            self.milter.start()

    # 6. fblmilter stopped: Postfix applies milter_default_action (tempfail). Last.
    def unsubscribe_claims(self, token):
        """The claims of a genuine unsubscribe token, checked here against the
        key file (fblctl has no verify command; fblweb will verify these):
        u1.<key id>.<payload>.<HMAC-SHA256 over "fbl-unsubscribe-v1." + the rest>."""
        version, key_id, payload, tag = token.split(".")
        self.assertEqual((version, key_id), ("u1", "k1"))
        signed = f"fbl-unsubscribe-v1.{version}.{key_id}.{payload}".encode()
        expected = hmac.new(self.unsubscribe_key, signed, hashlib.sha256).digest()
        self.assertTrue(hmac.compare_digest(expected, b64url_decode(tag)), "the token's tag is not ours")
        return json.loads(b64url_decode(payload))

    # Issue 16: a one-recipient newsletter leaves with RFC 8058 one-click
    # headers (add_headers: always keeps the sender's mailto:).
    def test_15_newsletter_gets_one_click_unsubscribe(self):
        with self.postfix.smtp() as smtp:
            smtp.sendmail("news@news.example.org", ["reader15@example.com"],
                          messages.marketing("news@news.example.org", ["reader15@example.com"]))
        delivered = self.postfix.delivered(lambda m: m["rcpt_to"] == ["reader15@example.com"])
        headers = email.message_from_string(delivered[0]["data"])
        self.assertEqual(len(headers.get_all("List-Unsubscribe")), 1)
        value = "".join(headers["List-Unsubscribe"].split())
        prefix = "<https://fbl.example.com/u/"
        self.assertTrue(value.startswith(prefix), value)
        self.assertTrue(value.endswith(">,<mailto:unsubscribe@news.example.org>"), value)
        claims = self.unsubscribe_claims(value[len(prefix):value.index(">")])
        self.assertEqual((claims["r"], claims["m"]), ("reader15@example.com", "december-2026"))
        self.assertLess(abs(claims["t"] - time.time()), 300)
        self.assertEqual(headers.get_all("List-Unsubscribe-Post"), ["List-Unsubscribe=One-Click"])

    # Issue 16 done-when: the link in the delivered copy unsubscribes that
    # person through fblweb; the next newsletter skips them, a personal reply
    # still reaches them; a GET and an edited token change nothing.
    def test_16_one_click_link_from_the_delivered_copy_unsubscribes(self):
        reader = "reader16@example.com"
        with self.postfix.smtp() as smtp:
            smtp.sendmail("news@news.example.org", [reader],
                          messages.marketing("news@news.example.org", [reader]))
        delivered = self.postfix.delivered(lambda m: m["rcpt_to"] == [reader])
        value = "".join(email.message_from_string(delivered[0]["data"])["List-Unsubscribe"].split())
        path = value[len("<https://fbl.example.com"):value.index(">")]
        self.assertTrue(path.startswith("/u/"), path)

        status, page = self.web.request("GET", path, headers={"Accept-Language": "nb"})
        self.assertEqual(status, 200)
        self.assertIn("Meld meg av", page)
        edited = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
        status, _ = self.web.request("POST", edited, body="List-Unsubscribe=One-Click",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 404)
        self.assertFalse(self.suppressed(reader))

        for _ in range(2):  # providers POST more than once
            status, _ = self.web.request(
                "POST", path, body="List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertEqual(status, 200)
        self.assertTrue(self.suppressed(reader))
        complaints = json.loads(self.milter.fblctl("complaints", "--format", "json",
                                                   check=True).stdout)
        ours = [c for c in complaints if reader in json.dumps(c)]
        self.assertEqual(len(ours), 1, ours)
        outbox = self.milter.fblctl("outbox", "list", check=True).stdout
        self.assertIn("hook", outbox)

        time.sleep(1.0)  # the milter's index follows the store within 1 s
        with self.postfix.smtp() as smtp:
            smtp.sendmail("news@news.example.org", [reader, "friend16@example.com"],
                          messages.marketing("news@news.example.org",
                                             [reader, "friend16@example.com"]))
            smtp.sendmail("support@example.org", [reader],
                          messages.personal("support@example.org", reader))
        newsletter = self.postfix.delivered(lambda m: "friend16@example.com" in m["rcpt_to"])
        self.assertEqual(recipients_of(newsletter[0]), ["friend16@example.com"])
        self.postfix.delivered(lambda m: m["rcpt_to"] == [reader] and "support ticket" in m["data"])

    def test_9_stopped_milter_means_default_action(self):
        self.assertEqual(self.milter.stop(), 0)
        try:
            with self.postfix.smtp() as smtp:
                with self.assertRaises(smtplib.SMTPException) as raised:
                    smtp.sendmail("support@example.org", ["someone@example.com"],
                                  messages.personal("support@example.org", "someone@example.com"))
            code = getattr(raised.exception, "smtp_code", None)
            if code is None:  # SMTPRecipientsRefused carries per-recipient codes
                code = list(raised.exception.recipients.values())[0][0]
            self.assertEqual(code // 100, 4)
        finally:
            self.milter.start()


class SendmailWithoutNetworks(unittest.TestCase):
    """Issue 21.2: outgoing decided by daemon name, `networks: []`, and
    Postfix's cleanup announcing itself with its default {daemon_name}: a
    newsletter submitted with sendmail(1) is still outgoing."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unavailable("needs root to run a private Postfix")
        cls.root = make_root()
        port = free_port()
        cls.milter = FblMilter(cls.root, CONFIG.format(
            port=port, scope="marketing", root=cls.root, metrics_port=free_port())).start()
        cls.postfix = PostfixInstance(
            cls.root, f"inet:127.0.0.1:{port}",
            extra_main_cf="milter_macro_daemon_name = $myhostname").start()

    @classmethod
    def tearDownClass(cls):
        shut_down(cls.postfix, cls.milter, cls.root)

    def test_sendmail_newsletter_skips_the_suppressed_reader(self):
        self.milter.fblctl("add", "reader@example.com", check=True)
        time.sleep(1.0)
        result = self.postfix.sendmail_command(
            "news@news.example.org", ["reader@example.com", "friend@example.com"],
            messages.marketing("news@news.example.org",
                               ["reader@example.com", "friend@example.com"]))
        self.assertEqual(result.returncode, 0, result.stderr)
        delivered = self.postfix.delivered(lambda m: "friend@example.com" in m["rcpt_to"])
        self.assertEqual(recipients_of(delivered[0]), ["friend@example.com"])


class FailpointCase(unittest.TestCase):
    """A Postfix and an fblmilter started with FBL_FAILPOINT=`failpoint`
    (test builds only: FBL_FAILPOINTS)."""
    failpoint = None

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unavailable("needs root to run a private Postfix")
        if os.environ.get("FBL_FAILPOINTS_BUILT") != "1":
            if os.environ.get("CI") == "true":
                raise AssertionError("CI builds must have FBL_FAILPOINTS on")
            raise unavailable("built without FBL_FAILPOINTS (a release build)")
        cls.root = make_root()
        port = free_port()
        cls.milter = FblMilter(cls.root, CONFIG.format(
            port=port, scope="marketing", root=cls.root, metrics_port=free_port()))
        cls.milter.start(env={"FBL_FAILPOINT": cls.failpoint})
        cls.postfix = PostfixInstance(cls.root, f"inet:127.0.0.1:{port}").start()

    @classmethod
    def tearDownClass(cls):
        shut_down(cls.postfix, cls.milter, cls.root)


class CrashAfterCommit(FailpointCase):
    """Tests that can fail (issue 14): fblmilter dies between the report's
    commit and its answer to Postfix; the provider's retry is stored once."""
    failpoint = "after-report-commit"

    def test_retry_after_a_crash_between_commit_and_reply_is_stored_once(self):
        report = messages.arf_report("crash@example.com")
        with self.postfix.smtp(inbound=True) as smtp:
            with self.assertRaises(smtplib.SMTPDataError) as raised:
                smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"], report)
        self.assertEqual(raised.exception.smtp_code // 100, 4)  # milter_default_action
        self.assertEqual(self.milter.process.wait(timeout=10), 86, "died at the failpoint")
        self.milter.log.close()
        self.milter.start()
        with self.postfix.smtp(inbound=True) as smtp:  # the provider retries
            smtp.sendmail("feedback@fbl.provider.example", ["fbl@example.org"], report)
        self.assertEqual(self.milter.fblctl("check", "crash@example.com").returncode, 1)
        complaints = json.loads(
            self.milter.fblctl("complaints", "--format", "json", check=True).stdout)
        rows = [c for c in complaints if "crash@example.com" in json.dumps(c)]
        self.assertEqual(len(rows), 1, complaints)


class ForeignExceptionInACallback(FailpointCase):
    """An exception that is no std::exception, thrown inside a callback, is
    stopped by its catch (...) and answered like any internal error
    (on_error.internal: tempfail); it never reaches libmilter's C frames,
    which would end the daemon."""
    failpoint = "foreign-exception-at-rcpt"

    def test_rcpt_is_tempfailed_and_the_daemon_lives_on(self):
        for attempt in range(2):
            with self.postfix.smtp() as smtp:
                smtp.ehlo()
                smtp.mail("news@news.example.org")
                code, _ = smtp.rcpt("someone@example.com")
                self.assertEqual(code // 100, 4, attempt)
        self.assertIsNone(self.milter.process.poll(), "fblmilter died")
        wait_for(lambda: "unknown exception" in self.milter.log_text(), what="the log line")


if __name__ == "__main__":
    unittest.main(verbosity=2)
