#include "web/unsubscribe_pages.h"

#include <kainjow/mustache.hpp>

namespace fbl::web {
namespace {

namespace mustache = kainjow::mustache;

constexpr const char* kLayout = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em;line-height:1.5}
button{font-size:1.1em;padding:.5em 1.5em;cursor:pointer}</style></head>
<body><h1>{{title}}</h1>
{{#lines}}<p>{{.}}</p>
{{/lines}}{{#button}}<form method="post" action=""><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">{{button}}</button></form>
{{/button}}</body></html>
)";

struct PageText {
    const char* title;
    const char* first;   // may hold {{address}}
    const char* second;  // "" = none
    const char* button;  // "" = no form
};

PageText english(UnsubscribePage page) {
    switch (page) {
        case UnsubscribePage::ask:
            return {"Unsubscribe", "Stop newsletters and other marketing e-mail to {{address}}?",
                    "Replies to your own messages and receipts will still reach you.",
                    "Unsubscribe"};
        case UnsubscribePage::done:
            return {"You are unsubscribed",
                    "We will send no more newsletters or other marketing e-mail to this address.",
                    "", ""};
        case UnsubscribePage::invalid:
            return {"This link does not work",
                    "The unsubscribe link is incomplete or was changed. Nothing was changed.",
                    "Use the link from the e-mail itself, or reply to the sender.", ""};
        case UnsubscribePage::expired:
            return {"This link has expired",
                    "The unsubscribe link is too old. Nothing was changed.",
                    "Use the link in a newer e-mail from us, or reply to the sender.", ""};
        case UnsubscribePage::unavailable:
            return {"Please try again",
                    "We could not save your request just now. Nothing was changed.",
                    "Please try again in a few minutes.", ""};
        case UnsubscribePage::too_many:
            return {"Please wait", "Too many requests from your network. Nothing was changed.",
                    "Please try again in a minute.", ""};
    }
    return {"", "", "", ""};
}

PageText norwegian(UnsubscribePage page) {
    switch (page) {
        case UnsubscribePage::ask:
            return {"Meld deg av",
                    "Vil du slutte å få nyhetsbrev og annen markedsføring på e-post til "
                    "{{address}}?",
                    "Svar på dine egne henvendelser og kvitteringer får du fortsatt.",
                    "Meld meg av"};
        case UnsubscribePage::done:
            return {"Du er meldt av",
                    "Vi sender ikke flere nyhetsbrev eller annen markedsføring til denne "
                    "adressen.",
                    "", ""};
        case UnsubscribePage::invalid:
            return {"Lenken virker ikke",
                    "Avmeldingslenken er ufullstendig eller endret. Ingenting ble endret.",
                    "Bruk lenken i selve e-posten, eller svar avsenderen.", ""};
        case UnsubscribePage::expired:
            return {"Lenken er utløpt", "Avmeldingslenken er for gammel. Ingenting ble endret.",
                    "Bruk lenken i en nyere e-post fra oss, eller svar avsenderen.", ""};
        case UnsubscribePage::unavailable:
            return {"Prøv igjen",
                    "Vi kunne ikke lagre forespørselen akkurat nå. Ingenting ble endret.",
                    "Prøv igjen om noen minutter.", ""};
        case UnsubscribePage::too_many:
            return {"Vent litt",
                    "For mange forespørsler fra nettverket ditt. Ingenting ble endret.",
                    "Prøv igjen om et minutt.", ""};
    }
    return {"", "", "", ""};
}

// The address goes into the line as plain text; the layout escapes the
// whole line once when it renders it.
std::string line(std::string_view text, std::string_view address) {
    constexpr std::string_view kSlot = "{{address}}";
    std::string rendered(text);
    if (auto slot = rendered.find(kSlot); slot != std::string::npos) {
        rendered.replace(slot, kSlot.size(), address);
    }
    return rendered;
}

}  // namespace

std::string masked_address(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0) {
        return "•••";
    }
    // The first character may be the start of a multi-byte UTF-8 sequence:
    // keep the whole sequence, never half of it.
    std::size_t first = 1;
    while (first < at && (static_cast<unsigned char>(address[first]) & 0xC0) == 0x80) {
        ++first;
    }
    return std::string(address.substr(0, first)) + "•••" + std::string(address.substr(at));
}

Response unsubscribe_page(UnsubscribePage page, Language language, Status status,
                          std::string_view address) {
    PageText text = language == Language::norwegian_bokmal ? norwegian(page) : english(page);
    std::string masked = masked_address(address);
    mustache::data lines{mustache::data::type::list};
    lines.push_back(line(text.first, masked));
    if (*text.second != '\0') {
        lines.push_back(std::string(text.second));
    }
    mustache::data values;
    values.set("lang", std::string(html_lang(language)));
    values.set("title", std::string(text.title));
    values.set("lines", lines);
    if (*text.button != '\0') {
        values.set("button", std::string(text.button));
    }
    Response response;
    response.status = status;
    response.content_type = ContentType::text_html;
    response.body = mustache::mustache(kLayout).render(values);
    response.headers.add("Cache-Control", "no-store");
    response.headers.add("Referrer-Policy", "no-referrer");
    response.headers.add("X-Content-Type-Options", "nosniff");
    response.headers.add("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'");
    return response;
}

}  // namespace fbl::web
