#pragma once

#include <string>

#include "store/console_reader.h"
#include "web/language.h"

// The words a complaint's coded fields show as, on the page and in exports.
namespace fbl::web::console {

std::string source_label(store::Channel channel, Language language);
std::string crm_label(store::CrmState state, Language language);
// The recipients, ", " between them.
std::string recipients_text(const store::ComplaintRow& row);

}  // namespace fbl::web::console
