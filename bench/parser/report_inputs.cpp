#include "report_inputs.h"

#include <string_view>

namespace fbl::bench {
namespace {

constexpr std::string_view kHead = R"(Return-Path: <fbl@fbl.provider.example>
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=fbl.provider.example;
	s=arf; h=From:To:Subject:Date:Message-ID;
	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
	b=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRoZSByaWdodCBzaXpl
From: Provider Feedback Loop <fbl@fbl.provider.example>
To: fbl@example.com
Subject: Complaint about message from 198.51.100.7
Date: Mon, 02 Nov 2026 10:15:00 +0000
Message-ID: <report-0001@fbl.provider.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="=_report_boundary_1"

--=_report_boundary_1
Content-Type: text/plain; charset=us-ascii

This is an email abuse report for an email message received from IP
198.51.100.7 on Mon, 02 Nov 2026 09:58:11 +0000.

--=_report_boundary_1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: ProviderFBL/2.1
Version: 1
Original-Mail-From: <bounces+alice=example.org@mail.example.com>
Original-Rcpt-To: <alice@example.org>
Arrival-Date: Mon, 02 Nov 2026 09:58:11 +0000
Reporting-MTA: dns; mx1.provider.example
Source-IP: 198.51.100.7
Authentication-Results: mx1.provider.example; spf=pass
	smtp.mailfrom=mail.example.com; dkim=pass header.d=example.com
Reported-Domain: example.com

--=_report_boundary_1
Content-Type: message/rfc822
Content-Disposition: inline

Return-Path: <bounces+alice=example.org@mail.example.com>
Received: from mail.example.com (mail.example.com [198.51.100.7])
	by mx1.provider.example with ESMTPS id 4F2x; Mon, 02 Nov 2026 09:58:11 +0000
DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=From:To:Subject;
	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=c2lnbmF0dXJl
From: Example News <news@example.com>
To: Alice <alice@example.org>
Subject: =?UTF-8?Q?Our_November_offers_=E2=80=93_20=25_off?=
Date: Mon, 02 Nov 2026 09:58:10 +0000
Message-ID: <mailing-42.alice@mail.example.com>
X-Mailing-ID: november-2026
List-Unsubscribe: <mailto:unsubscribe@example.com?subject=unsubscribe>,
	<https://example.com/unsubscribe?u=abc>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_original_2"

--=_original_2
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

)";

constexpr std::string_view kTextLine =
    "Dear Alice, this month we have selected offers just for you: =E2=80=93 20% off.\n";

}  // namespace

std::string make_report(std::size_t attachment_bytes, std::size_t text_lines) {
    std::string report(kHead);
    for (std::size_t i = 0; i < text_lines; ++i) {
        report.append(kTextLine);
    }
    if (attachment_bytes > 0) {
        report.append(
            "\n--=_original_2\nContent-Type: application/pdf; name=\"catalogue.pdf\"\n"
            "Content-Transfer-Encoding: base64\n\n");
        const std::string_view line =
            "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29k\n";
        for (std::size_t written = 0; written < attachment_bytes; written += line.size()) {
            report.append(line);
        }
    }
    report.append("\n--=_original_2--\n\n--=_report_boundary_1--\n");
    return report;
}

std::string typical_report() {
    return make_report(0, 27);
}
std::string large_report() {
    return make_report(1024 * 1024, 10);
}

}  // namespace fbl::bench
