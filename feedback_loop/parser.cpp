#include "feedback_loop/parser.h"

#include <array>
#include <exception>
#include <optional>
#include <unordered_set>

#include "common/text.h"
#include "feedback_loop/classify.h"
#include "feedback_loop/feedback_fields.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/gmime_handle.h"
#include "feedback_loop/limits.h"
#include "feedback_loop/message_headers.h"
#include "feedback_loop/mime_parts.h"

namespace fbl::feedback_loop {
namespace {

// A report relayed inside a report inside ... stops here.
constexpr int kMaxForwardingDepth = 4;

constexpr std::string_view kJmrpHeader = "X-HmXmrOriginalRecipient";

class ReportReader {
  public:
    ReportReader(const ParseOptions& options, FeedbackReport& report)
        : options_(options),
          header_options_{options.reference_header, &options.mailing_id_headers},
          report_(report) {}

    // Finds the report in this message (or one attached to it). False when
    // there is none.
    bool read(GMimeMessage* message, int depth) {
        ReportParts parts = locate_parts(message);
        if (parts.truncated) {
            report_.warnings.push_back("MIME parts past the limit of " +
                                       std::to_string(limits::kMaxMimeParts) + " not read");
        }
        for (FormatReader reader : kFormatReaders) {
            if ((this->*reader)(message, parts, depth)) {
                return true;
            }
        }
        return false;
    }

    bool read_unsubscribe_request(GMimeMessage* message) {
        std::string subject = text::ascii_lower(trim(report_.report.subject));
        bool asked = subject.rfind("unsubscribe", 0) == 0;
        if (!asked) {
            ReportParts parts = locate_parts(message);
            if (!parts.text_parts.empty()) {
                std::string body = gmime::decoded_content(parts.text_parts.front());
                std::string first_line = body.substr(0, body.find('\n'));
                asked = text::iequals(trim(first_line), "unsubscribe");
            }
        }
        if (asked) {
            report_.format = ReportFormat::unsubscribe_request;
        }
        return asked;
    }

  private:
    // One reader per way providers send a report; the first that recognises
    // the message wins. A new provider quirk is one more reader, placed in
    // kFormatReaders where it must be tried.
    using FormatReader = bool (ReportReader::*)(GMimeMessage* message, const ReportParts& parts,
                                                int depth);
    static const std::array<FormatReader, 3> kFormatReaders;

    // RFC 5965, or its feedback part mislabelled as text/plain.
    bool read_arf(GMimeMessage*, const ReportParts& parts, int) {
        std::string fields;
        GMimePart* feedback = parts.feedback;
        if (feedback != nullptr) {
            fields = gmime::decoded_content(feedback);
            report_.format = ReportFormat::arf;
        } else {
            feedback = find_mislabeled_feedback(parts, fields);
            if (feedback == nullptr) {
                return false;
            }
            report_.format = ReportFormat::arf_text_plain;
            report_.warnings.push_back("feedback report sent as " +
                                       gmime::mime_type(GMIME_OBJECT(feedback)));
        }
        read_feedback_fields(normalise_line_endings(fields), report_);
        read_original(parts, feedback);
        return true;
    }

    static GMimePart* find_mislabeled_feedback(const ReportParts& parts, std::string& fields) {
        for (GMimePart* part : parts.text_parts) {
            std::string content = gmime::decoded_content(part);
            if (looks_like_field_block_with(normalise_line_endings(content), "Feedback-Type")) {
                fields = std::move(content);
                return part;
            }
        }
        return nullptr;
    }

    void read_original(const ReportParts& parts, GMimePart* feedback) {
        if (parts.original != nullptr) {
            keep_original(read_original_headers(parts.original, "message/rfc822", header_options_));
            return;
        }
        if (parts.original_headers != nullptr) {
            read_original_text(gmime::decoded_content(parts.original_headers),
                               gmime::mime_type(GMIME_OBJECT(parts.original_headers)));
            return;
        }
        for (GMimePart* part : parts.text_parts) {
            if (part == feedback) {
                continue;
            }
            std::string content = gmime::decoded_content(part);
            if (looks_like_headers(content)) {
                report_.warnings.push_back("original message given as inline text");
                read_original_text(content, "inline-text");
                return;
            }
        }
        report_.warnings.push_back("no original message or headers attached");
    }

    static bool looks_like_headers(const std::string& content) {
        std::string text = normalise_line_endings(content);
        for (std::string_view name : {"Received", "Message-ID", "From", "Return-Path", "To"}) {
            if (looks_like_field_block_with(text, name)) {
                return true;
            }
        }
        return false;
    }

    void read_original_text(const std::string& text, const std::string& source) {
        std::string message = normalise_line_endings(text);
        message.append("\n\n");  // headers alone: end the header block for GMime
        gmime::Ref<GMimeMessage> parsed = gmime::parse_message(message);
        if (!parsed) {
            report_.warnings.push_back("unreadable original headers (" + source + ")");
            return;
        }
        keep_original(read_original_headers(parsed.get(), source, header_options_));
    }

    void keep_original(OriginalHeaders original) {
        report_.original = std::move(original);
        if (report_.original.addresses_truncated) {
            report_.recipients_truncated = true;
        }
    }

    // An ARF report forwarded as an attachment by a relay or an admin.
    bool read_forwarded(GMimeMessage*, const ReportParts& parts, int depth) {
        if (depth >= kMaxForwardingDepth) {
            return false;
        }
        for (GMimeMessage* embedded : parts.embedded) {
            FeedbackReport inner;
            ReportReader reader(options_, inner);
            if (reader.read(embedded, depth + 1) && is_arf(inner.format)) {
                ReportHeaders outer = std::move(report_.report);
                std::vector<std::string> warnings = std::move(report_.warnings);
                ReportHeaders relayed = read_report_headers(embedded);
                report_ = std::move(inner);
                report_.report = std::move(outer);
                report_.format = ReportFormat::arf_forwarded;
                warnings.push_back("report of " +
                                   (relayed.reporter_domain.empty() ? std::string("unknown")
                                                                    : relayed.reporter_domain) +
                                   " forwarded as an attachment");
                warnings.insert(warnings.end(), report_.warnings.begin(), report_.warnings.end());
                report_.warnings = std::move(warnings);
                return true;
            }
        }
        return false;
    }

    // Legacy Hotmail/Outlook (JMRP): the original attached to a multipart/mixed,
    // or sent bare, with the recipient in X-HmXmrOriginalRecipient.
    bool read_jmrp(GMimeMessage* message, const ReportParts& parts, int) {
        for (GMimeMessage* embedded : parts.embedded) {
            if (header_value(GMIME_OBJECT(embedded), kJmrpHeader)) {
                report_.format = ReportFormat::jmrp;
                keep_original(read_original_headers(embedded, "message/rfc822", header_options_));
                return true;
            }
        }
        if (header_value(GMIME_OBJECT(message), kJmrpHeader)) {
            report_.format = ReportFormat::jmrp_bare;
            keep_original(read_original_headers(message, "top-level", header_options_));
            return true;
        }
        return false;
    }

    const ParseOptions& options_;
    HeaderOptions header_options_;
    FeedbackReport& report_;
};

// In the order they are tried: ARF first (the standard), then ARF inside a
// forwarded message, then Microsoft's JMRP. (unsubscribe requests are not
// reports of a message and are read only when none of these match.)
const std::array<ReportReader::FormatReader, 3> ReportReader::kFormatReaders{
    &ReportReader::read_arf,
    &ReportReader::read_forwarded,
    &ReportReader::read_jmrp,
};

// Real reports nest two or three containers deep and hold a handful of
// parts. GMime recurses once per container level (up to 1024), which a
// milter thread's small stack may not survive, and builds a GObject per
// part (about 20 us each), so a message declaring more containers than
// limits::kMaxMimeDepth (nested or not: counting is cheaper than tracking
// boundaries), or more parts than limits::kMaxMimeParts, is refused before
// GMime reads it. One pass over the lines, each costing O(1) look-ups.
class MimeShape {
  public:
    explicit MimeShape(std::string_view text) {
        std::size_t position = 0;
        while (position < text.size() && !refused()) {
            std::size_t end = text.find('\n', position);
            if (end == std::string_view::npos) {
                end = text.size();
            }
            read_line(text.substr(position, end - position));
            position = end + 1;
        }
    }

    // Why GMime must not read this message; nullopt when it may.
    std::optional<std::string> refusal() const {
        if (containers_ > limits::kMaxMimeDepth) {
            return "more than " + std::to_string(limits::kMaxMimeDepth) +
                   " nested MIME containers: refused";
        }
        if (delimiters_ > limits::kMaxMimeParts) {
            return "more than " + std::to_string(limits::kMaxMimeParts) + " MIME parts: refused";
        }
        return std::nullopt;
    }

  private:
    bool refused() const {
        return containers_ > limits::kMaxMimeDepth || delimiters_ > limits::kMaxMimeParts;
    }

    // The media type may sit on a continuation line ("Content-Type:\n
    // multipart/mixed"), which GMime unfolds, so those count too.
    void read_line(std::string_view line) {
        if (line.starts_with("--")) {
            count_delimiter(line.substr(2));
        }
        bool continuation = !line.empty() && (line.front() == ' ' || line.front() == '\t');
        if (!continuation) {
            in_content_type_ = text::iequals(field_name_of(line), "content-type");
            counted_ = false;
            if (!in_content_type_) {
                return;
            }
            line = line.substr(line.find(':') + 1);
        }
        if (!in_content_type_) {
            return;
        }
        std::string lowered = text::ascii_lower(line);
        if (!counted_ && (lowered.find("multipart/") != std::string::npos ||
                          lowered.find("message/") != std::string::npos)) {
            counted_ = true;
            ++containers_;
        }
        if (std::size_t at = lowered.find("boundary="); at != std::string::npos) {
            boundaries_.insert(boundary_value(line.substr(at + 9)));
        }
    }

    static std::string boundary_value(std::string_view value) {
        if (!value.empty() && value.front() == '"') {
            value.remove_prefix(1);
            return std::string(value.substr(0, value.find('"')));
        }
        return std::string(value.substr(0, value.find_first_of("; \t")));
    }

    // "--boundary" or "--boundary--", trailing blanks allowed (RFC 2046 5.1.1).
    void count_delimiter(std::string_view rest) {
        rest = trim(rest);
        bool known = boundaries_.contains(std::string(rest)) ||
                     (rest.ends_with("--") &&
                      boundaries_.contains(std::string(rest.substr(0, rest.size() - 2))));
        if (known) {
            ++delimiters_;
        }
    }

    int containers_ = 0;
    std::size_t delimiters_ = 0;
    bool in_content_type_ = false;
    bool counted_ = false;
    std::unordered_set<std::string> boundaries_;
};

// Past limits::kMaxWarnings the rest are counted, not kept.
void cap_warnings(FeedbackReport& report) {
    if (report.warnings.size() <= limits::kMaxWarnings) {
        return;
    }
    std::size_t left_out = report.warnings.size() - limits::kMaxWarnings;
    report.warnings.resize(limits::kMaxWarnings);
    report.warnings.push_back(std::to_string(left_out) + " more warnings left out");
}

// Blank lines before the headers (seen from some pipe deliveries) would make
// GMime read an empty header block.
std::string_view skip_leading_blank_lines(std::string_view text) {
    while (!text.empty() && text.front() == '\n') {
        text.remove_prefix(1);
    }
    return text;
}

FeedbackReport parse_normalised(std::string_view message, const ParseOptions& options) {
    FeedbackReport report;
    if (auto refusal = MimeShape(message).refusal()) {
        report.errors.push_back(std::move(*refusal));
        return report;
    }
    gmime::Ref<GMimeMessage> parsed = gmime::parse_message(skip_leading_blank_lines(message));
    if (!parsed) {
        report.errors.emplace_back("not a MIME message");
        return report;
    }
    report.report = read_report_headers(parsed.get());
    ReportReader reader(options, report);
    if (!reader.read(parsed.get(), 0) && !reader.read_unsubscribe_request(parsed.get())) {
        report.errors.emplace_back("no feedback report found");
    }
    classify(report);
    cap_warnings(report);
    return report;
}

}  // namespace

ParseOptions ParseOptions::from_config(const config::Config& config) {
    ParseOptions options;
    options.reference_header = config.feedback.reference_header.name;
    options.mailing_id_headers = config.outbound.mailing_id_headers;
    options.size_limit = config.milter.report_size_limit;
    return options;
}

// Copies the runs between CRs whole: a byte at a time was an eighth of the
// cost of a report made of many short fields.
std::string normalise_line_endings(std::string_view raw) {
    std::string text;
    text.reserve(raw.size());
    std::size_t start = 0;
    for (std::size_t cr = raw.find('\r'); cr != std::string_view::npos;
         cr = raw.find('\r', start)) {
        text.append(raw.substr(start, cr - start));
        text.push_back('\n');
        start = cr + 1;
        if (start < raw.size() && raw[start] == '\n') {
            ++start;
        }
    }
    text.append(raw.substr(start));
    return text;
}

FeedbackReport parse_report(std::string_view raw_message, const ParseOptions& options) {
    if (raw_message.size() > options.size_limit) {
        FeedbackReport report;
        report.errors.push_back("message of " + std::to_string(raw_message.size()) +
                                " bytes is over the size limit of " +
                                std::to_string(options.size_limit) + " bytes");
        return report;
    }
    if (trim(raw_message).empty()) {
        FeedbackReport report;
        report.errors.emplace_back("empty message");
        return report;
    }
    try {
        if (raw_message.find('\r') == std::string_view::npos) {
            return parse_normalised(raw_message, options);
        }
        return parse_normalised(normalise_line_endings(raw_message), options);
    } catch (const std::exception& error) {
        // Only allocation can throw here; report it rather than crash the caller.
        FeedbackReport report;
        report.errors.push_back(std::string("internal error while parsing: ") + error.what());
        return report;
    }
}

}  // namespace fbl::feedback_loop
