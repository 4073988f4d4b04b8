#include "feedback_loop/message_headers.h"

#include "common/text.h"
#include "feedback_loop/field_block.h"
#include "feedback_loop/field_values.h"
#include "feedback_loop/gmime_handle.h"
#include "feedback_loop/limits.h"

namespace fbl::feedback_loop {
namespace {

// Unfolded and cut at limits::kMaxValueBytes: nothing we keep from a header
// is longer, and what follows could only cost memory.
std::string unfold(const char* raw) {
    std::string value;
    for (const char* c = raw; *c != '\0' && value.size() < limits::kMaxValueBytes; ++c) {
        if (*c == '\n' || *c == '\r' || *c == '\t' || *c == ' ') {
            if (!value.empty() && value.back() != ' ') {
                value.push_back(' ');
            }
        } else {
            value.push_back(*c);
        }
    }
    return std::string(trim(value));
}

struct AddressList {
    std::vector<std::string> addresses;
    bool named_without_address = false;  // a group or display name with no address
    bool truncated = false;  // addresses past limits::kMaxRecipientsPerReport, or a cut value
};

void collect_addresses(InternetAddressList* list, AddressList& result, int depth) {
    int count = internet_address_list_length(list);
    for (int i = 0; i < count; ++i) {
        InternetAddress* address = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(address)) {
            InternetAddressList* members =
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address));
            if (members == nullptr || internet_address_list_length(members) == 0) {
                result.named_without_address = true;
            } else if (depth < 4) {
                collect_addresses(members, result, depth + 1);
            }
        } else if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
            std::string_view text = addr != nullptr ? trim(addr) : std::string_view{};
            if (text.find('@') == std::string_view::npos) {
                result.named_without_address = true;  // "<Undisclosed Recipients>"
            } else if (result.addresses.size() >= limits::kMaxRecipientsPerReport) {
                result.truncated = true;
                return;
            } else {
                result.addresses.emplace_back(text);
            }
        }
    }
}

AddressList addresses(GMimeObject* object, std::string_view name) {
    AddressList result;
    for (const std::string& value : header_values(object, name)) {
        if (value.size() >= limits::kMaxValueBytes) {
            result.truncated = true;  // the last address may be cut short
        }
        gmime::Ref<InternetAddressList> list(internet_address_list_parse(nullptr, value.c_str()));
        if (list) {
            collect_addresses(list.get(), result, 0);
        }
        if (!list || internet_address_list_length(list.get()) == 0) {
            if (!trim(value).empty()) {
                result.named_without_address = true;
            }
        }
    }
    return result;
}

std::string first_value(GMimeObject* object, std::string_view name) {
    return header_value(object, name).value_or("");
}

std::vector<std::string> dkim_domains(GMimeObject* object) {
    std::vector<std::string> domains;
    for (const std::string& signature : header_values(object, "DKIM-Signature")) {
        std::string domain = dkim_signing_domain(signature);
        if (!domain.empty()) {
            domains.push_back(std::move(domain));
        }
    }
    return domains;
}

std::string decoded_subject(GMimeMessage* message) {
    const char* subject = g_mime_message_get_subject(message);
    return subject != nullptr ? unfold(subject) : std::string();
}

}  // namespace

std::optional<std::string> header_value(GMimeObject* object, std::string_view name) {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    int count = headers != nullptr ? g_mime_header_list_get_count(headers) : 0;
    for (int i = 0; i < count; ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        const char* header_name = g_mime_header_get_name(header);
        if (header_name != nullptr && text::iequals(header_name, name)) {
            const char* raw = g_mime_header_get_raw_value(header);
            return unfold(raw != nullptr ? raw : "");
        }
    }
    return std::nullopt;
}

std::vector<std::string> header_values(GMimeObject* object, std::string_view name) {
    std::vector<std::string> values;
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    int count = headers != nullptr ? g_mime_header_list_get_count(headers) : 0;
    for (int i = 0; i < count; ++i) {
        GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
        const char* header_name = g_mime_header_get_name(header);
        if (header_name != nullptr && text::iequals(header_name, name)) {
            const char* raw = g_mime_header_get_raw_value(header);
            values.push_back(unfold(raw != nullptr ? raw : ""));
        }
    }
    return values;
}

ReportHeaders read_report_headers(GMimeMessage* message) {
    auto* object = GMIME_OBJECT(message);
    ReportHeaders report;
    AddressList from = addresses(object, "From");
    if (!from.addresses.empty()) {
        report.from = from.addresses.front();
        // Lower-cased and trimmed, unlike text::domain_of: report.h promises
        // the reporter's domain in one spelling.
        report.reporter_domain = text::ascii_lower(trim(text::domain_of(report.from)));
    }
    report.to = addresses(object, "To").addresses;
    report.message_id = bare_message_id(first_value(object, "Message-ID"));
    report.subject = decoded_subject(message);
    report.date = parse_date(first_value(object, "Date"));
    report.dkim_domains = dkim_domains(object);
    report.authentication_results = header_values(object, "Authentication-Results");
    return report;
}

OriginalHeaders read_original_headers(GMimeMessage* message, std::string source,
                                      const HeaderOptions& options) {
    auto* object = GMIME_OBJECT(message);
    OriginalHeaders original;
    original.present = true;
    original.source = std::move(source);
    original.message_id = bare_message_id(first_value(object, "Message-ID"));
    AddressList from = addresses(object, "From");
    if (!from.addresses.empty()) {
        original.from = from.addresses.front();
    }
    AddressList to = addresses(object, "To");
    original.to = std::move(to.addresses);
    original.to_undisclosed = to.named_without_address;
    AddressList cc = addresses(object, "Cc");
    original.cc = std::move(cc.addresses);
    original.addresses_truncated = to.truncated || cc.truncated;
    original.subject = decoded_subject(message);
    original.date = parse_date(first_value(object, "Date"));
    original.return_path = addr_spec(first_value(object, "Return-Path"));
    original.list_unsubscribe = first_value(object, "List-Unsubscribe");
    original.list_id = first_value(object, "List-Id");
    original.feedback_id = first_value(object, "Feedback-ID");
    if (!options.reference_header.empty()) {
        original.reference = first_value(object, options.reference_header);
    }
    original.dkim_domains = dkim_domains(object);
    original.x_hmxmr_original_recipient =
        addr_spec(first_value(object, "X-HmXmrOriginalRecipient"));
    if (options.mailing_id_headers != nullptr) {
        for (const std::string& name : *options.mailing_id_headers) {
            if (auto value = header_value(object, name); value && !value->empty()) {
                original.mailing_id = *value;
                original.mailing_id_header = name;
                break;
            }
        }
    }
    return original;
}

}  // namespace fbl::feedback_loop
