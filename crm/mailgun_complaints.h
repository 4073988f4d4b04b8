#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

// Reading Mailgun's complaints list (GET /v3/{domain}/complaints), for
// `fblctl import --from mailgun`: every page, or an error. A page is
// followed only to the same scheme, host and port as base_url (the API key
// goes with each request), and pages and addresses are capped.
namespace fbl::crm {

class MailgunApiError : public std::runtime_error {
  public:
    explicit MailgunApiError(const std::string& message, bool temporary = false)
        : std::runtime_error(message), temporary_(temporary) {}
    // No answer, 429 or 5xx: trying again later may work.
    bool temporary() const { return temporary_; }

  private:
    bool temporary_;
};

struct MailgunComplaint {
    std::string address;
    std::optional<std::chrono::system_clock::time_point> created_at;
};

struct MailgunPage {
    std::vector<MailgunComplaint> items;
    std::string next;  // paging.next; empty = none
};

struct MailgunListLimits {
    std::size_t page_size =
        500;  // Mailgun allows up to 1000; 500 keeps a page far below our body cap
    std::size_t max_pages = 10000;
    std::size_t max_items = 1000000;
    std::chrono::seconds request_timeout{60};
};

// Throws MailgunApiError (with the page number and why, never the key) on an
// answer other than 200, a malformed page, a next URL elsewhere, or a cap.
std::vector<MailgunComplaint> list_mailgun_complaints(const config::MailgunApi& api,
                                                      const MailgunListLimits& limits = {});

// One page's JSON; throws MailgunApiError when it is not the documented shape.
MailgunPage parse_complaints_page(std::string_view json);

// Whether `url` has the same scheme, host and port as `base` (default ports
// filled in); false when either does not parse.
bool same_origin(const std::string& url, const std::string& base);

}  // namespace fbl::crm
