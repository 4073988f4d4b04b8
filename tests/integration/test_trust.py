"""Trust and attribution end to end (issue 7), through a real Postfix.

Marketing mail goes out through fblmilter and is captured at the sink with its
signed reference header; the test then plays the provider: it wraps the
captured message into an AOL-style redacted feedback report and sends it back
to the feedback address through Postfix. Forged, tampered and replayed reports
must change nothing they should not.

Run as root: `python3 -m unittest test_trust` with FBLMILTER and FBLCTL set.
"""
import base64
import email
import json
import os
import sqlite3
import sys
import unittest
from email.utils import formatdate, make_msgid

sys.path.insert(0, os.path.dirname(__file__))

from harness import (unavailable, FblMilter, PostfixInstance, free_port, make_root,  # noqa: E402
                     shut_down, wait_for)
import messages  # noqa: E402

FEEDBACK_ADDRESS = "fbl@example.org"
SENDER = "news@news.example.org"
REFERENCE_HEADER = "X-FBL-Ref"

CONFIG = """\
milter:
  socket: inet:{port}@127.0.0.1
outbound:
  authenticated: true
  networks: []
  daemon_names: [ORIGINATING]
  scope: marketing
  mailing_id_headers: [X-Campaign-ID]
feedback:
  addresses: [{feedback}]
  trust: either
  reporter_domains: [fbl.listed-provider.example]
  # Listed as an old config might: issue 14 ignores it (with a warning).
  trusted_authserv_ids: [mx.example.org]
  dkim_key_file: {root}/dkim-keys
  reference_header:
    name: {header}
    keys:
{keys}
    active_key: {active}
  disposition: accept
store:
  sqlite:
    path: {root}/fblmilter.db
    busy_timeout: 1s
  follow_interval_ms: 100
crm:
  adapters:
    - name: hook
      preset: webhook
      settings: {{url: "http://127.0.0.1:9/consent"}}
      allow_insecure: true
      secrets:
        signing_secret: {{value_file: {root}/webhook.secret}}
  worker_in_daemon: false
send_log:
  enabled: true
logging:
  level: debug
"""


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def marketing(recipients, campaign, subject="Our December offers"):
    message_id = make_msgid(domain="news.example.org")
    text = f"""\
From: Example News <{SENDER}>
To: {", ".join(recipients)}
Subject: {subject}
Date: {formatdate()}
Message-ID: {message_id}
List-Unsubscribe: <mailto:unsubscribe@news.example.org>
X-Campaign-ID: {campaign}

Even better offers.
"""
    return message_id.strip("<>"), text


def redact(original, recipients, placeholder):
    """What AOL does to the copy it returns: every recipient address replaced."""
    for address in recipients:
        original = original.replace(address, placeholder)
    return original


def aol_report(original, report_id=None, placeholder="redacted@aol.com"):
    """An AOL-style redacted ARF: no Original-Rcpt-To, a Redacted-Address
    field, the (redacted) original attached as message/rfc822."""
    report_id = report_id or make_msgid(domain="aol.net")
    return f"""\
From: AOL SComp <scomp@aol.net>
To: {FEEDBACK_ADDRESS}
Subject: Email Feedback Report for IP 192.0.2.10
Date: {formatdate()}
Message-ID: {report_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="aol-boundary"

--aol-boundary
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP
192.0.2.10 on {formatdate()}.

--aol-boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: AOL SComp
Version: 1
Original-Mail-From: <{SENDER}>
Arrival-Date: {formatdate()}
Source-IP: 192.0.2.10
Reported-Domain: news.example.org
Redacted-Address: {placeholder}

--aol-boundary
Content-Type: message/rfc822
Content-Disposition: inline

{original.rstrip()}

--aol-boundary--
"""


def with_edited_recipient(token, recipient):
    """Our genuine token with another recipient in the payload, old tag kept."""
    version, key_id, payload, tag = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["r"] = recipient
    edited = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    return ".".join((version, key_id, edited, tag))


class TrustEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unavailable("needs root to run a private Postfix")
        cls.root = make_root()
        with open(os.path.join(cls.root, "webhook.secret"), "w") as out:
            out.write("whsec_" + base64.b64encode(os.urandom(24)).decode())
        os.chmod(os.path.join(cls.root, "webhook.secret"), 0o600)
        for key_id in ("ka", "kb"):
            with open(os.path.join(cls.root, f"ref-{key_id}.key"), "w") as out:
                out.write(base64.b64encode(os.urandom(32)).decode() + "\n")
            os.chmod(os.path.join(cls.root, f"ref-{key_id}.key"), 0o600)
        # DKIM keys from a (empty) file: the test never asks DNS.
        open(os.path.join(cls.root, "dkim-keys"), "w").close()
        cls.milter_port = free_port()
        cls.milter = FblMilter(cls.root, cls.config(["ka"], "ka")).start()
        cls.postfix = PostfixInstance(cls.root, f"inet:127.0.0.1:{cls.milter_port}").start()

    @classmethod
    def tearDownClass(cls):
        shut_down(cls.postfix, cls.milter, cls.root)

    @classmethod
    def config(cls, key_ids, active):
        keys = "\n".join(f"      - {{id: {key_id}, key_file: {cls.root}/ref-{key_id}.key}}"
                         for key_id in key_ids)
        return CONFIG.format(port=cls.milter_port, root=cls.root, feedback=FEEDBACK_ADDRESS,
                             header=REFERENCE_HEADER, keys=keys, active=active)

    def reload_with(self, key_ids, active):
        before = self.milter.log_text().count("is now in force")
        self.milter.write_config(self.config(key_ids, active))
        self.milter.reload()
        wait_for(lambda: self.milter.log_text().count("is now in force") > before,
                 what="reload")

    # --- sending and capturing ------------------------------------------------

    def send_marketing(self, recipients, campaign):
        """Sends through fblmilter; returns the copy captured at the sink."""
        message_id, text = marketing(recipients, campaign)
        with self.postfix.smtp() as smtp:
            smtp.sendmail(SENDER, recipients, text)
        delivered = self.postfix.delivered(
            lambda m: message_id in m["data"] and sorted(m["rcpt_to"]) == sorted(recipients),
            what=f"marketing mail {message_id} at the sink")
        data = delivered[0]["data"].replace("\r\n", "\n")
        return message_id, data

    def reference_of(self, data):
        token = email.message_from_string(data)[REFERENCE_HEADER]
        self.assertIsNotNone(token, f"no {REFERENCE_HEADER} in:\n{data}")
        return token.strip()

    def wait_for_send_log(self, message_id, count):
        def written():
            with sqlite3.connect(os.path.join(self.root, "fblmilter.db"), timeout=5) as db:
                rows = db.execute("SELECT COUNT(*) FROM send_log WHERE message_id = ?",
                                  (message_id,)).fetchone()
                return rows[0] >= count
        wait_for(written, what=f"send log records of {message_id}")

    def send_report(self, report, reporter="scomp@aol.net"):
        with self.postfix.smtp(inbound=True) as smtp:
            refused = smtp.sendmail(reporter, [FEEDBACK_ADDRESS], report)
        self.assertEqual(refused, {})

    # --- looking at the outcome ---------------------------------------------------

    def suppressed(self, address):
        result = self.milter.fblctl("check", address)
        self.assertIn(result.returncode, (0, 1), result.stderr)
        return result.returncode == 1

    def complaints(self, *options):
        result = self.milter.fblctl("complaints", "--format", "json", *options, check=True)
        return json.loads(result.stdout)

    def complaints_about(self, message_id, *options):
        return [c for c in self.complaints(*options) if c["message_id"] == message_id]

    def trust_reasons(self, message_id):
        with sqlite3.connect(os.path.join(self.root, "fblmilter.db"), timeout=5) as db:
            return [row[0] for row in db.execute(
                "SELECT trust_reason FROM complaints WHERE original_message_id = ?",
                (message_id,))]

    def outbox_emails(self):
        """The recipient of every CRM job queued so far, one entry per job."""
        result = self.milter.fblctl("outbox", "list", "--state", "all", "--format", "json",
                                    check=True)
        return [job["payload"]["email"] for job in json.loads(result.stdout)]

    def assert_trusted_complaint(self, message_id, recipient, campaign, evidence):
        found = self.complaints_about(message_id)
        self.assertEqual(len(found), 1, found)
        complaint = found[0]
        self.assertEqual(complaint["recipient"], recipient)
        self.assertEqual(complaint["mailing"], campaign)
        self.assertEqual(complaint["evidence"], evidence)
        self.assertTrue(complaint["trusted"])
        self.assertEqual(complaint["provider"], "aol.net")
        self.assertEqual(self.complaints_about(message_id, "--untrusted"), [])

    def assert_stored_untrusted(self, victim, provider):
        """The report naming victim is stored once, untrusted, and did nothing
        else; returns its trust reason."""
        self.assertFalse(self.suppressed(victim))
        untrusted = [c for c in self.complaints("--untrusted") if c["recipient"] == victim]
        self.assertEqual(len(untrusted), 1, untrusted)
        self.assertFalse(untrusted[0]["trusted"])
        self.assertEqual(untrusted[0]["provider"], provider)
        self.assertNotIn(victim, self.outbox_emails())
        reasons = self.trust_reasons(untrusted[0]["message_id"])
        self.assertEqual(len(reasons), 1)
        self.assertTrue(reasons[0].startswith("untrusted:"), reasons)
        return reasons[0]

    # --- the cases of issue 7 -------------------------------------------------------

    # a. Single recipient, report redacted: the reference header names her.
    def test_a_redacted_report_resolved_by_reference_header(self):
        recipient = "amy@aol.com"
        message_id, data = self.send_marketing([recipient], "dec-a")
        token = self.reference_of(data)
        self.assertTrue(token.startswith("v1.ka."), token)
        self.assertLess(len(REFERENCE_HEADER) + 2 + len(token), 998)
        self.assertFalse(self.suppressed(recipient))

        self.send_report(aol_report(redact(data, [recipient], "redacted@aol.com")))

        self.assertTrue(self.suppressed(recipient))
        listed = self.milter.fblctl("list", "--format", "json", check=True).stdout
        self.assertIn(recipient, listed)
        self.assert_trusted_complaint(message_id, recipient, "dec-a", "reference-header")
        self.assertEqual(self.trust_reasons(message_id), ["reference-header ka"])
        self.assertIn(recipient, self.outbox_emails())

    # b. Several recipients: the header points at the send log (Message-ID);
    #    the redacted placeholder's domain says which copy was reported.
    def test_b_multi_recipient_report_resolved_through_send_log(self):
        recipients = ["bea@aol.com", "bob@example.net", "bud@example.com"]
        message_id, data = self.send_marketing(recipients, "dec-b")
        token = self.reference_of(data)
        claims = json.loads(b64url_decode(token.split(".")[2]))
        self.assertNotIn("r", claims)
        self.assertEqual(claims["s"], message_id)
        self.wait_for_send_log(message_id, len(recipients))

        self.send_report(aol_report(redact(data, recipients, "redacted@aol.com")))

        self.assertTrue(self.suppressed("bea@aol.com"))
        self.assertFalse(self.suppressed("bob@example.net"))
        self.assertFalse(self.suppressed("bud@example.com"))
        self.assert_trusted_complaint(message_id, "bea@aol.com", "dec-b", "send-log")

    # b'. Two recipients at the reporting domain: nobody can be told apart,
    #     so nobody is suppressed; the report is kept for review.
    def test_b_ambiguous_send_log_suppresses_nobody(self):
        recipients = ["cal@aol.com", "cid@aol.com"]
        message_id, data = self.send_marketing(recipients, "dec-b2")
        self.wait_for_send_log(message_id, len(recipients))

        self.send_report(aol_report(redact(data, recipients, "redacted@aol.com")))

        self.assertFalse(self.suppressed("cal@aol.com"))
        self.assertFalse(self.suppressed("cid@aol.com"))
        found = self.complaints_about(message_id)
        self.assertEqual(len(found), 1, found)
        self.assertEqual(found[0]["evidence"], "unresolved")

    # c. A hand-made report naming a victim, unlisted reporter, no DKIM, no
    #    reference header: stored untrusted, nothing else.
    def test_c_forged_report_changes_nothing(self):
        victim = "victim-c@example.com"
        report_id = make_msgid(domain="forger.example")
        report = messages.arf_report(victim, reporter="abuse@forger.example",
                                     report_id=report_id)
        self.send_report(report, reporter="abuse@forger.example")

        reason = self.assert_stored_untrusted(victim, "forger.example")

    # c'. Issue 14: fblmilter is first in smtpd_milters, so an
    #     Authentication-Results header it sees was written by the sender. A
    #     forged "dkim=pass" for a listed reporter, even under an authserv-id
    #     an old config lists, changes nothing.
    def test_c_forged_authentication_results_changes_nothing(self):
        victim = "victim-ar@example.com"
        reporter = "fbl@fbl.listed-provider.example"
        report_id = make_msgid(domain="fbl.listed-provider.example")
        report = ("Authentication-Results: mx.example.org; dkim=pass "
                  "header.d=fbl.listed-provider.example\n" +
                  messages.arf_report(victim, reporter=reporter, report_id=report_id))
        self.send_report(report, reporter=reporter)

        reason = self.assert_stored_untrusted(victim, "fbl.listed-provider.example")
        self.assertNotIn("authentication-results", reason)
        self.assertIn("trusted_authserv_ids is ignored", self.milter.log_text())

    # d. Our genuine header with the recipient edited: the tag fails, so the
    #    report is untrusted whatever it names.
    def test_d_edited_reference_header_is_untrusted(self):
        recipient, victim = "dee@aol.com", "victim-d@aol.com"
        message_id, data = self.send_marketing([recipient], "dec-d")
        # The send log is written in batches every 200 ms; a provider's report
        # comes much later, so wait as it would.
        self.wait_for_send_log(message_id, 1)
        token = self.reference_of(data)
        forged = data.replace(token, with_edited_recipient(token, victim))
        self.assertNotEqual(forged, data)

        self.send_report(aol_report(redact(forged, [recipient], "redacted@aol.com")))

        self.assertFalse(self.suppressed(victim))
        self.assertFalse(self.suppressed(recipient))
        found = self.complaints_about(message_id, "--untrusted")
        self.assertEqual(len(found), 1, found)
        self.assertFalse(found[0]["trusted"])
        # The send log still attributes it (Message-ID), but that trusts nothing.
        self.assertEqual(found[0]["recipient"], recipient)
        self.assertEqual(found[0]["evidence"], "send-log")
        self.assertEqual(self.trust_reasons(message_id),
                         ["untrusted: reference header bad-tag"])
        self.assertEqual(found[0]["trust_reason"], "untrusted: reference header bad-tag")
        self.assertNotIn(victim, self.outbox_emails())
        self.assertNotIn(recipient, self.outbox_emails())

    # e. The same report delivered twice counts once.
    def test_e_replayed_report_counts_once(self):
        recipient = "eli@aol.com"
        message_id, data = self.send_marketing([recipient], "dec-e")
        report = aol_report(redact(data, [recipient], "redacted@aol.com"))

        self.send_report(report)
        self.send_report(report)

        self.assertTrue(self.suppressed(recipient))
        self.assertEqual(len(self.complaints_about(message_id)), 1)
        self.assertEqual(len(self.trust_reasons(message_id)), 1)
        self.assertEqual(self.outbox_emails().count(recipient), 1)

    # f. Rotation: mail signed with the old key still verifies once a new key
    #    signs; a key that is no longer listed verifies nothing.
    def test_f_old_key_still_verifies_after_rotation(self):
        old_recipient, new_recipient = "fay@aol.com", "fox@aol.com"
        old_id, old_data = self.send_marketing([old_recipient], "dec-f")
        self.assertTrue(self.reference_of(old_data).startswith("v1.ka."))
        try:
            self.reload_with(["ka", "kb"], "kb")
            new_id, new_data = self.send_marketing([new_recipient], "dec-f2")
            self.assertTrue(self.reference_of(new_data).startswith("v1.kb."))

            self.send_report(aol_report(redact(old_data, [old_recipient], "redacted@aol.com")))
            self.send_report(aol_report(redact(new_data, [new_recipient], "redacted@aol.com")))

            self.assertTrue(self.suppressed(old_recipient))
            self.assertTrue(self.suppressed(new_recipient))
            self.assert_trusted_complaint(old_id, old_recipient, "dec-f", "reference-header")
            self.assertEqual(self.trust_reasons(old_id), ["reference-header ka"])
            self.assertEqual(self.trust_reasons(new_id), ["reference-header kb"])

            # Key ka retired: a report about ka-signed mail is untrusted now.
            late = "fin@aol.com"
            self.reload_with(["ka", "kb"], "ka")
            late_id, late_data = self.send_marketing([late], "dec-f3")
            self.reload_with(["kb"], "kb")
            self.send_report(aol_report(redact(late_data, [late], "redacted@aol.com")))
            self.assertFalse(self.suppressed(late))
            self.assertEqual(self.trust_reasons(late_id),
                             ["untrusted: reference header unknown-key"])
        finally:
            self.reload_with(["ka"], "ka")

    # g. fblctl stats sets the milter's send log against trusted complaints.
    def test_g_stats_from_send_log_and_trusted_complaints(self):
        recipients = [f"gus{i}@aol.com" for i in range(4)]
        sent = [self.send_marketing([r], "dec-g") for r in recipients]
        for message_id, _ in sent:
            self.wait_for_send_log(message_id, 1)
        self.send_report(aol_report(redact(sent[0][1], [recipients[0]], "redacted@aol.com")))
        edited = sent[1][1].replace(self.reference_of(sent[1][1]), with_edited_recipient(
            self.reference_of(sent[1][1]), recipients[2]))
        self.send_report(aol_report(redact(edited, [recipients[1]], "redacted@aol.com")))

        result = self.milter.fblctl("stats", "--by", "mailing", "--format", "json", check=True)
        row = [r for r in json.loads(result.stdout) if r["mailing"] == "dec-g"]
        self.assertEqual(row, [{"mailing": "dec-g", "sends": 4, "complaints": 1, "rate": 0.25,
                                "flag": "critical"}])

    # h. With attribution on, mail that is not marketing passes unchanged: a
    # 3.5 MB message in, a personal reply out (no header, no send-log row).
    def test_h_mail_that_is_not_attributed_passes_unchanged(self):
        body = "".join(f"line {i:06d} of a large attachment, nothing to see here\n"
                       for i in range(60_000))  # about 3.5 MB
        inbound = messages.personal("friend@elsewhere.example", "staff@example.org",
                                    subject="Holiday photos") + body
        with self.postfix.smtp(inbound=True) as smtp:
            self.assertEqual(smtp.sendmail("friend@elsewhere.example",
                                           ["staff@example.org"], inbound), {})
        personal = messages.personal(SENDER, "client@aol.com")
        with self.postfix.smtp() as smtp:
            self.assertEqual(smtp.sendmail(SENDER, ["client@aol.com"], personal), {})

        large = self.postfix.delivered(lambda m: "Holiday photos" in m["data"],
                                       what="the large inbound message at the sink")[0]
        self.assertIn(body, large["data"].replace("\r\n", "\n"))
        reply = self.postfix.delivered(lambda m: "ticket #4711" in m["data"] and
                                       m["rcpt_to"] == ["client@aol.com"],
                                       what="the personal reply at the sink")[0]
        self.assertNotIn(REFERENCE_HEADER, reply["data"])
        # The send log keeps order: once a later marketing mail is written, a
        # row for the reply would be there too.
        later_id, _ = self.send_marketing(["hal@aol.com"], "dec-h")
        self.wait_for_send_log(later_id, 1)
        with sqlite3.connect(os.path.join(self.root, "fblmilter.db"), timeout=5) as db:
            logged = db.execute("SELECT COUNT(*) FROM send_log WHERE recipient_key = ?",
                                ("client@aol.com",)).fetchone()[0]
        self.assertEqual(logged, 0)
        self.assertEqual(self.complaints_about(email.message_from_string(inbound)["Message-ID"]
                                               .strip("<>")), [])


    # Issue 14.20: an X-FBL-Ref the sender wrote is replaced by ours.
    def test_i_forged_reference_header_is_replaced_by_ours(self):
        message_id, text = marketing(["ivy@aol.com"], "dec-i")
        text = text.replace("Subject:", f"{REFERENCE_HEADER}: v1.ka.forged-by-sender\nSubject:", 1)
        with self.postfix.smtp() as smtp:
            smtp.sendmail(SENDER, ["ivy@aol.com"], text)
        data = self.postfix.delivered(lambda m: message_id in m["data"],
                                      what="the marketing mail at the sink")[0]["data"]
        tokens = email.message_from_string(data.replace("\r\n", "\n")).get_all(REFERENCE_HEADER)
        self.assertEqual(len(tokens), 1, data)
        self.assertNotIn("forged-by-sender", tokens[0])
        self.assertTrue(tokens[0].strip().startswith("v1."), tokens[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
