#include "web/console/texts.h"

#include <array>

namespace fbl::web::console {
namespace {

struct Text {
    std::string_view key;
    std::string_view english;
    std::string_view norwegian;
};

// Sorted by page, then by first use.
constexpr std::array kTexts{
    // Layout and navigation.
    Text{"console", "Complaints console", "Klagekonsoll"},
    Text{"overview", "Overview", "Oversikt"},
    Text{"complaints", "Complaints", "Klager"},
    Text{"mailings", "Mailings", "Utsendelser"},
    Text{"suppressions", "Suppressions", "Sperringer"},
    Text{"untrusted", "Untrusted reports", "Ikke-klarerte rapporter"},
    Text{"outbox", "CRM outbox", "CRM-kø"},
    Text{"signed_in_as", "Signed in as", "Logget inn som"},
    Text{"log_out", "Log out", "Logg ut"},
    Text{"language", "Language", "Språk"},
    // Login.
    Text{"log_in", "Log in", "Logg inn"},
    Text{"user_name", "User name", "Brukernavn"},
    Text{"password", "Password", "Passord"},
    Text{"login_failed", "Wrong user name or password.", "Feil brukernavn eller passord."},
    Text{"login_throttled", "Too many attempts. Wait a minute and try again.",
         "For mange forsøk. Vent et minutt og prøv igjen."},
    Text{"login_expired", "The form had expired. Please try again.",
         "Skjemaet var utløpt. Prøv igjen."},
    // Errors.
    Text{"forbidden", "You may not do that", "Det har du ikke tilgang til"},
    Text{"forbidden_admin", "This needs the admin role.", "Dette krever rollen admin."},
    Text{"bad_form",
         "The form was not accepted (it had expired or came from another page). "
         "Go back, reload the page and try again.",
         "Skjemaet ble ikke godtatt (det var utløpt eller kom fra en annen side). Gå tilbake, "
         "last siden på nytt og prøv igjen."},
    Text{"store_down", "The database does not answer just now. Nothing was changed.",
         "Databasen svarer ikke akkurat nå. Ingenting ble endret."},
    Text{"not_found", "Not found", "Ikke funnet"},
    // Complaints page.
    Text{"date", "Date", "Dato"},
    Text{"recipient", "Recipient", "Mottaker"},
    Text{"mailing", "Mailing", "Utsendelse"},
    Text{"provider", "Provider", "Leverandør"},
    Text{"feedback_type", "Feedback type", "Tilbakemeldingstype"},
    Text{"source", "Source", "Kilde"},
    Text{"trusted", "Trusted", "Klarert"},
    Text{"crm_state", "CRM", "CRM"},
    Text{"subject", "Subject", "Emne"},
    Text{"from", "From", "Fra"},
    Text{"until", "Until", "Til"},
    Text{"any", "Any", "Alle"},
    Text{"yes", "Yes", "Ja"},
    Text{"no", "No", "Nei"},
    Text{"search", "Address or domain", "Adresse eller domene"},
    Text{"filter", "Filter", "Filtrer"},
    Text{"clear", "Clear", "Nullstill"},
    Text{"matching", "matching", "treff"},
    Text{"more_than", "more than", "mer enn"},
    Text{"select_all_page", "Select all on this page", "Velg alle på siden"},
    Text{"select_all_matching", "Select all matching the filter", "Velg alle treff på filteret"},
    Text{"actions", "Actions", "Handlinger"},
    Text{"export", "Export", "Eksporter"},
    Text{"next_page", "Next page", "Neste side"},
    Text{"first_page", "First page", "Første side"},
    Text{"no_rows", "Nothing matches.", "Ingen treff."},
    Text{"select", "Select", "Velg"},
    Text{"bad_date", "A date was not understood and is left out of the filter (use YYYY-MM-DD).",
         "En dato ble ikke forstått og er utelatt fra filteret (bruk ÅÅÅÅ-MM-DD)."},
    Text{"too_many_selected", "Too many rows selected; use \"select all matching\" instead.",
         "For mange rader valgt; bruk «velg alle treff» i stedet."},
    Text{"nothing_selected", "Select rows, or all matching, before exporting.",
         "Velg rader, eller alle treff, før du eksporterer."},
    Text{"crm_none", "—", "—"},
    Text{"crm_queued", "queued", "i kø"},
    Text{"crm_done", "done", "utført"},
    Text{"crm_dead", "dead-lettered", "feilet"},
    Text{"crm_not_found", "not found in CRM", "ikke funnet i CRM"},
    Text{"source_report", "ARF report", "ARF-rapport"},
    Text{"source_one-click", "one-click", "ett klikk"},
    Text{"source_mailgun", "webhook: Mailgun", "webhook: Mailgun"},
    Text{"source_ses", "webhook: SES", "webhook: SES"},
    Text{"source_sendgrid", "webhook: SendGrid", "webhook: SendGrid"},
    Text{"source_postmark", "webhook: Postmark", "webhook: Postmark"},
    Text{"source_manual", "manual", "manuell"},
    // Overview.
    Text{"today", "Today (UTC)", "I dag (UTC)"},
    Text{"complaints_today", "Complaints", "Klager"},
    Text{"unsubscribes_today", "Unsubscribes", "Avmeldinger"},
    Text{"untrusted_today", "Untrusted reports", "Ikke-klarerte rapporter"},
    Text{"outbox_depth", "CRM jobs waiting", "CRM-jobber i kø"},
    Text{"outbox_dead", "CRM jobs failed", "CRM-jobber som feilet"},
    Text{"worst_mailing", "Worst mailing, last 7 days", "Verste utsendelse, siste 7 dager"},
    Text{"rate", "Complaint rate", "Klagerate"},
    Text{"sends", "Sends", "Sendt"},
    Text{"none_yet", "None yet.", "Ingen ennå."},
    // Suppressions.
    Text{"address", "Address", "Adresse"},
    Text{"key", "Key", "Nøkkel"},
    Text{"reason", "Reason", "Årsak"},
    Text{"scope", "Scope", "Omfang"},
    Text{"source_of", "Source", "Kilde"},
    Text{"first_at", "Since", "Siden"},
    Text{"count", "Count", "Antall"},
    Text{"expires", "Expires", "Utløper"},
    Text{"never", "never", "aldri"},
    Text{"note", "Note", "Notat"},
    Text{"add", "Add", "Legg til"},
    Text{"add_suppression", "Add a suppression", "Legg til sperring"},
    Text{"history", "History", "Historikk"},
    Text{"change", "Change", "Endring"},
    Text{"who", "Who", "Hvem"},
    Text{"suppressed", "suppressed", "sperret"},
    Text{"lifted", "lifted", "opphevet"},
    Text{"not_suppressed", "This address is not suppressed now.",
         "Denne adressen er ikke sperret nå."},
    Text{"remove_suppression", "Lift the suppression", "Opphev sperringen"},
    Text{"remove", "Lift", "Opphev"},
    Text{"note_required", "Why (required, kept in the history)",
         "Hvorfor (påkrevd, lagres i historikken)"},
    Text{"complaint_warning",
         "This person reported our mail as spam. Mailing them again can bring the sending "
         "domain onto providers' spam lists and may break the law on consent. Lift it only "
         "with the person's new, documented consent; your name and note are kept.",
         "Denne personen har meldt e-posten vår som søppelpost. Å sende til dem igjen kan gi "
         "avsenderdomenet dårlig rykte hos leverandørene og kan bryte reglene om samtykke. "
         "Opphev bare med personens nye, dokumenterte samtykke; navnet ditt og notatet lagres."},
    Text{"confirm_complaint", "The person has given new consent",
         "Personen har gitt nytt samtykke"},
    Text{"removed", "The suppression is lifted.", "Sperringen er opphevet."},
    Text{"added", "The address is suppressed.", "Adressen er sperret."},
    Text{"note_missing", "Write why, in the note.", "Skriv hvorfor i notatet."},
    Text{"confirm_missing", "Confirm the new consent of a person who complained.",
         "Bekreft nytt samtykke fra en person som har klaget."},
    Text{"bad_address", "That is not an address we can suppress",
         "Det er ikke en adresse vi kan sperre"},
    Text{"bad_expiry", "Expires: give a duration (30d, 12h, 2w), a date (YYYY-MM-DD) or never.",
         "Utløper: oppgi en varighet (30d, 12h, 2w), en dato (ÅÅÅÅ-MM-DD) eller aldri."},
    Text{"bad_choice", "Choose the reason and the scope from the lists.",
         "Velg årsak og omfang fra listene."},
    // Untrusted reports.
    Text{"untrusted_intro",
         "Reports we could not prove came from the provider. They changed nothing. "
         "\"Evaluate again\" checks a report's signatures with today's keys and settings; "
         "there is no way to trust a report without that proof.",
         "Rapporter vi ikke kunne bevise kom fra leverandøren. De endret ingenting. «Vurder på "
         "nytt» sjekker signaturene med dagens nøkler og innstillinger; en rapport kan ikke "
         "klareres uten det beviset."},
    Text{"why_untrusted", "Why not trusted", "Hvorfor ikke klarert"},
    Text{"evaluate_again", "Evaluate again", "Vurder på nytt"},
    Text{"trusted_now", "Trusted now: its recipients are suppressed and the CRM is told.",
         "Klarert nå: mottakerne er sperret og CRM får beskjed."},
    Text{"still_untrusted", "Still not trusted:", "Fortsatt ikke klarert:"},
    Text{"no_raw_copy", "No copy of this report was kept, so it cannot be checked again.",
         "Ingen kopi av rapporten ble lagret, så den kan ikke sjekkes på nytt."},
    Text{"try_later", "Trust cannot be decided just now (DNS). Try again later.",
         "Klarering kan ikke avgjøres akkurat nå (DNS). Prøv igjen senere."},
    // Outbox.
    Text{"adapter", "Adapter", "Adapter"},
    Text{"jobs", "Jobs", "Jobber"},
    Text{"attempts", "Attempts", "Forsøk"},
    Text{"next_attempt", "Next attempt", "Neste forsøk"},
    Text{"last_error", "Last error", "Siste feil"},
    Text{"last_response", "Last response", "Siste svar"},
    Text{"retry", "Retry", "Prøv igjen"},
    Text{"requeued", "The job is queued again.", "Jobben er lagt i køen igjen."},
    Text{"showing_first", "Showing the first", "Viser de første"},
    // Mailings.
    Text{"period", "Period", "Periode"},
    Text{"last_7_days", "Last 7 days", "Siste 7 dager"},
    Text{"last_30_days", "Last 30 days", "Siste 30 dager"},
    Text{"last_90_days", "Last 90 days", "Siste 90 dager"},
    Text{"all_time", "All time", "Hele tiden"},
    Text{"mailings_by_rate", "Mailings by complaint rate", "Utsendelser etter klagerate"},
    Text{"rate_per_day", "Complaint rate per day", "Klagerate per dag"},
    Text{"all_mail", "all mail", "all e-post"},
    Text{"per_day", "per day", "per dag"},
    Text{"top_providers", "Top providers", "Største leverandører"},
    Text{"not_in_crm", "Not in CRM", "Ikke i CRM"},
    Text{"flag_warning", "warning", "advarsel"},
    Text{"flag_critical", "critical", "kritisk"},
    Text{"no_mailing", "(no mailing id)", "(uten utsendelses-id)"},
    Text{"warning_line", "warning rate", "advarselsgrense"},
    Text{"critical_line", "critical rate", "kritisk grense"},
};

}  // namespace

kainjow::mustache::data texts(Language language) {
    kainjow::mustache::data all{kainjow::mustache::data::type::object};
    for (const auto& entry : kTexts) {
        auto value = language == Language::norwegian_bokmal ? entry.norwegian : entry.english;
        all.set(std::string(entry.key), std::string(value));
    }
    return all;
}

std::string_view text(Language language, std::string_view key) {
    for (const auto& entry : kTexts) {
        if (entry.key == key) {
            return language == Language::norwegian_bokmal ? entry.norwegian : entry.english;
        }
    }
    return key;
}

}  // namespace fbl::web::console
