"""Messages the integration tests send: our own fixtures, built in code."""
from email.utils import formatdate, make_msgid


def arf_report(victim, reporter="feedback@fbl.provider.example", original_id=None,
               report_id=None, feedback_type="abuse"):
    original_id = original_id or make_msgid(domain="news.example.org")
    report_id = report_id or make_msgid(domain="fbl.provider.example")
    return f"""\
From: Provider FBL <{reporter}>
To: fbl@example.org
Subject: Complaint about message from 192.0.2.10
Date: {formatdate()}
Message-ID: {report_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="fbl-boundary"

--fbl-boundary
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP
192.0.2.10 on {formatdate()}.

--fbl-boundary
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: ProviderFBL/2.1
Version: 1
Original-Mail-From: <bounces@news.example.org>
Original-Rcpt-To: <{victim}>
Arrival-Date: {formatdate()}
Source-IP: 192.0.2.10
Reported-Domain: news.example.org

--fbl-boundary
Content-Type: message/rfc822

From: Example News <news@news.example.org>
To: {victim}
Subject: Our November offers
Date: {formatdate()}
Message-ID: {original_id}
List-Unsubscribe: <mailto:unsubscribe@news.example.org>
X-Mailing-ID: november-2026

Great offers inside.

--fbl-boundary--
"""


def marketing(sender, recipients, subject="Our December offers"):
    return f"""\
From: Example News <{sender}>
To: {", ".join(recipients)}
Subject: {subject}
Date: {formatdate()}
Message-ID: {make_msgid(domain="news.example.org")}
List-Unsubscribe: <mailto:unsubscribe@news.example.org>
X-Mailing-ID: december-2026

Even better offers.
"""


def personal(sender, recipient, subject="Re: your support ticket #4711"):
    return f"""\
From: Support <{sender}>
To: {recipient}
Subject: {subject}
Date: {formatdate()}
Message-ID: {make_msgid(domain="example.org")}

Your question is answered.
"""
