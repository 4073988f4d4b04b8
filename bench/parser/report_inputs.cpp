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

// A compact complaint around alice@example.org; the hostile padding goes in
// the feedback fields, between the parts, or in the original's headers.
std::string adversarial_report(std::string_view fields, std::string_view parts,
                               std::string_view original_headers) {
    std::string report(
        "From: Provider Feedback Loop <fbl@fbl.provider.example>\n"
        "To: fbl@example.com\n"
        "Subject: Complaint\n"
        "Date: Mon, 02 Nov 2026 10:15:00 +0000\n"
        "Message-ID: <report-0002@fbl.provider.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report;\n"
        "\tboundary=\"=_hostile_1\"\n"
        "\n"
        "--=_hostile_1\n"
        "Content-Type: message/feedback-report\n"
        "\n"
        "Feedback-Type: abuse\n"
        "User-Agent: ProviderFBL/2.1\n"
        "Version: 1\n"
        "Original-Rcpt-To: <alice@example.org>\n");
    report.append(fields);
    report.append("\n");
    report.append(parts);
    report.append(
        "--=_hostile_1\n"
        "Content-Type: message/rfc822\n"
        "\n"
        "From: Example News <news@example.com>\n"
        "To: Alice <alice@example.org>\n"
        "Message-ID: <mailing-43.alice@mail.example.com>\n");
    report.append(original_headers);
    report.append("Subject: Offers\n\nHello Alice.\n\n--=_hostile_1--\n");
    return report;
}

constexpr std::size_t kExtensionFieldBytes = 32;  // "X-Extension-123456: value-123456\n"
constexpr std::size_t kRecipientBytes = 40;       // "Original-Rcpt-To: <user123456@example.org>\n"
constexpr std::size_t kPartBytes = 56;
constexpr std::size_t kNestingBytes = 75;

std::string nested_boundary(std::size_t level) {
    return "=_n" + std::to_string(level);
}

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

std::string report_with_extension_fields(std::size_t count) {
    std::string fields;
    for (std::size_t i = 0; i < count; ++i) {
        fields += "X-Extension-" + std::to_string(i) + ": value-" + std::to_string(i) + "\n";
    }
    return adversarial_report(fields, "", "");
}

std::string report_with_recipients(std::size_t count) {
    std::string fields;
    for (std::size_t i = 0; i < count; ++i) {
        fields += "Original-Rcpt-To: <user" + std::to_string(i) + "@example.org>\n";
    }
    return adversarial_report(fields, "", "");
}

std::string report_with_parts(std::size_t count) {
    std::string parts;
    for (std::size_t i = 0; i < count; ++i) {
        parts += "--=_hostile_1\nContent-Type: text/plain\n\npart " + std::to_string(i) + "\n";
    }
    return adversarial_report("", parts, "");
}

std::string report_with_long_header(std::size_t bytes) {
    std::string field = "X-Long-Field: ";
    field.append(bytes, 'a');
    field.append("\n");
    std::string header = "List-Unsubscribe: <https://example.com/";
    header.append(bytes, 'a');
    header.append(">\n");
    return adversarial_report(field, "", header);
}

std::string report_nested(std::size_t depth, bool folded) {
    std::string parts;
    for (std::size_t level = 0; level < depth; ++level) {
        parts += "--" + (level == 0 ? std::string("=_hostile_1") : nested_boundary(level - 1)) +
                 "\nContent-Type:" + (folded ? "\n " : " ") + "multipart/mixed; boundary=\"" +
                 nested_boundary(level) + "\"\n\n";
    }
    for (std::size_t level = depth; level-- > 0;) {
        parts += "--" + nested_boundary(level) + "--\n";
    }
    return adversarial_report("", parts, "");
}

std::size_t extension_fields_for(std::size_t bytes) {
    return bytes / kExtensionFieldBytes;
}
std::size_t recipients_for(std::size_t bytes) {
    return bytes / kRecipientBytes;
}
std::size_t parts_for(std::size_t bytes) {
    return bytes / kPartBytes;
}
std::size_t nesting_for(std::size_t bytes) {
    return bytes / kNestingBytes;
}

}  // namespace fbl::bench
