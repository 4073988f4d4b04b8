#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fbl::web::exporting {

// Excel's limit on the text of one cell, in UTF-16 code units.
inline constexpr std::size_t kExcelMaxCellChars = 32767;

// Text that libxlsxwriter can write and Excel can open, from any bytes:
// ill-formed UTF-8, NUL (the C API would end the text there) and U+FFFE /
// U+FFFF (not characters XML allows) each become U+FFFD; anything longer
// than kExcelMaxCellChars is cut at a character boundary; the '_' of a
// literal "_xHHHH_" is escaped so Excel shows it as written.
// Other control characters are left to libxlsxwriter, which writes them as
// _xHHHH_ as Excel expects.
std::string excel_text(std::string_view text);

}  // namespace fbl::web::exporting
