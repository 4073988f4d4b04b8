#include "web/console/complaint_labels.h"

#include "web/console/texts.h"

namespace fbl::web::console {

std::string source_label(store::Channel channel, Language language) {
    return std::string(text(language, std::string("source_") + store::to_string(channel)));
}

std::string crm_label(store::CrmState state, Language language) {
    std::string key = std::string("crm_") + store::to_string(state);
    for (char& c : key) {
        if (c == '-') {
            c = '_';
        }
    }
    return std::string(text(language, key));
}

std::string recipients_text(const store::ComplaintRow& row) {
    std::string joined;
    for (const auto& address : row.recipients) {
        joined += (joined.empty() ? "" : ", ") + address;
    }
    return joined;
}

}  // namespace fbl::web::console
