#include "crm/redactor.h"

#include <algorithm>

#include "common/text.h"
#include "crm/template.h"

namespace fbl::crm {
namespace {

// The forms a secret takes on its way out: in a URL or form body
// (percent-encoded, with either case of hex digits, a space as '+' in a
// form) and inside a JSON string. An answer that echoes the request shows
// the secret in the form it was sent.
std::vector<std::string> encodings(std::string_view secret) {
    std::string upper = percent_encode(secret);
    std::string lower;
    std::string form;
    for (std::size_t i = 0; i < upper.size(); ++i) {
        bool escape = upper[i] == '%' && i + 2 < upper.size();
        if (escape && upper.compare(i, 3, "%20") == 0) {
            form += '+';
        } else {
            form.append(upper, i, escape ? 3 : 1);
        }
        lower += upper[i];
        if (escape) {
            for (std::size_t digit = i + 1; digit <= i + 2; ++digit) {
                lower += text::ascii_lower(upper[digit]);
            }
            i += 2;
        }
    }
    return {std::string(secret), upper, lower, form, json_escape(secret)};
}

}  // namespace

void Redactor::add(std::string_view secret) {
    if (secret.empty()) {
        return;
    }
    for (auto& form : encodings(secret)) {
        if (std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end()) {
            secrets_.push_back(std::move(form));
        }
    }
    // Longest first, so a secret containing another is hidden whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::redact(std::string_view text) const {
    std::string out(text);
    for (const auto& secret : secrets_) {
        for (auto at = out.find(secret); at != std::string::npos;
             at = out.find(secret, at + kRedacted.size())) {
            out.replace(at, secret.size(), kRedacted);
        }
    }
    return out;
}

}  // namespace fbl::crm
