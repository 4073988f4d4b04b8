#include "milter/callbacks.h"

#include <array>
#include <memory>
#include <optional>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "common/log.h"

// Thin glue (STYLE.md, gwmilter): each xxfi_* converts its C arguments,
// finds the connection, and calls one Session method inside the same
// try/catch; one function turns the verdict into libmilter's answer.
namespace fbl::milter {
namespace {

const RuntimeSource* runtime_source = nullptr;

// The message edits the session may ask for (MessageEditor): declared to
// libmilter at registration and asked of the MTA at negotiation, from here.
constexpr unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT | SMFIF_SETSYMLIST;

struct Connection {
    std::unique_ptr<Session> session;
    bool skip_negotiated = false;
    bool header_noreply = false;            // SMFIP_NR_HDR: headers are answered by nothing
    std::optional<Verdict> header_failure;  // held until end of headers
};

class SmfiMacros final : public MacroSource {
  public:
    explicit SmfiMacros(SMFICTX* context) : context_(context) {}
    std::optional<std::string> macro(const char* name) const override {
        const char* value = smfi_getsymval(context_, const_cast<char*>(name));
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    }

  private:
    SMFICTX* context_;
};

class SmfiEditor final : public MessageEditor {
  public:
    explicit SmfiEditor(SMFICTX* context) : context_(context) {}
    bool delete_recipient(const std::string& recipient) override {
        return smfi_delrcpt(context_, const_cast<char*>(recipient.c_str())) == MI_SUCCESS;
    }
    bool add_header(const std::string& name, const std::string& value) override {
        return smfi_addheader(context_, const_cast<char*>(name.c_str()),
                              const_cast<char*>(value.c_str())) == MI_SUCCESS;
    }
    bool change_header(const std::string& name, int index, const std::string& value) override {
        return smfi_chgheader(context_, const_cast<char*>(name.c_str()), index,
                              const_cast<char*>(value.c_str())) == MI_SUCCESS;
    }
    // A NULL value asks the MTA to delete the header.
    bool delete_header(const std::string& name, int index) override {
        return smfi_chgheader(context_, const_cast<char*>(name.c_str()), index, nullptr) ==
               MI_SUCCESS;
    }

  private:
    SMFICTX* context_;
};

Connection* connection_of(SMFICTX* context) {
    auto* connection = static_cast<Connection*>(smfi_getpriv(context));
    if (connection == nullptr) {
        connection = new Connection();
        smfi_setpriv(context, connection);
    }
    if (!connection->session) {
        connection->session = std::make_unique<Session>(*runtime_source);
    }
    return connection;
}

sfsistat answer(SMFICTX* context, const Connection& connection, const Verdict& verdict) {
    auto set_reply = [&] {
        if (!verdict.reply.code.empty()) {
            smfi_setreply(context, const_cast<char*>(verdict.reply.code.c_str()),
                          const_cast<char*>(verdict.reply.xcode.c_str()),
                          const_cast<char*>(verdict.reply.text.c_str()));
        }
    };
    switch (verdict.action) {
        case Verdict::Action::proceed:
            return SMFIS_CONTINUE;
        case Verdict::Action::accept:
            return SMFIS_ACCEPT;
        case Verdict::Action::discard:
            return SMFIS_DISCARD;
        case Verdict::Action::skip_body:
            return connection.skip_negotiated ? SMFIS_SKIP : SMFIS_CONTINUE;
        case Verdict::Action::reject:
            set_reply();
            return SMFIS_REJECT;
        case Verdict::Action::tempfail:
            set_reply();
            return SMFIS_TEMPFAIL;
    }
    return SMFIS_CONTINUE;
}

// With SMFIP_NR_HDR the MTA waits for no answer to a header: a verdict that
// ends the message is held and given at end of headers.
sfsistat answer_header(SMFICTX* context, Connection& connection, const Verdict& verdict) {
    if (!connection.header_noreply) {
        return answer(context, connection, verdict);
    }
    if (verdict.action != Verdict::Action::proceed) {
        connection.header_failure = verdict;
    }
    return SMFIS_NOREPLY;
}

// Nothing may escape into libmilter's C frames: every exception, std:: or
// not, becomes the session's verdict for an internal error at that stage.
template <typename Call, typename Respond = decltype(&answer)>
sfsistat run(SMFICTX* context, Stage stage, Call call, Respond respond = &answer) {
    Connection* connection = nullptr;
    auto fail = [&](std::string_view what) {
        if (connection != nullptr && connection->session) {
            return respond(context, *connection, connection->session->internal_error(stage, what));
        }
        log::error("milter callback failed: {}", what);
        return SMFIS_TEMPFAIL;
    };
    try {
        connection = connection_of(context);
        return respond(context, *connection, call(*connection->session));
    } catch (const std::exception& error) {
        return fail(error.what());
    } catch (...) {
        return fail("unknown exception");
    }
}

Client client_of(const char* hostname, const sockaddr* address) {
    Client client;
    client.hostname = hostname != nullptr ? hostname : "";
    if (address == nullptr) {
        return client;
    }
    std::array<char, INET6_ADDRSTRLEN> buffer{};
    if (address->sa_family == AF_INET) {
        const auto* inet = reinterpret_cast<const sockaddr_in*>(address);
        inet_ntop(AF_INET, &inet->sin_addr, buffer.data(), buffer.size());
        client.port = ntohs(inet->sin_port);
    } else if (address->sa_family == AF_INET6) {
        const auto* inet6 = reinterpret_cast<const sockaddr_in6*>(address);
        inet_ntop(AF_INET6, &inet6->sin6_addr, buffer.data(), buffer.size());
        client.port = ntohs(inet6->sin6_port);
    }
    client.address = buffer.data();
    return client;
}

sfsistat on_negotiate(SMFICTX* context, unsigned long offered_actions, unsigned long offered_steps,
                      unsigned long, unsigned long, unsigned long* actions, unsigned long* steps,
                      unsigned long* reserved2, unsigned long* reserved3) {
    try {
        auto* connection = connection_of(context);
        *actions = offered_actions & kActions;
        // Ask only for the stages the decisions need.
        // No reply per header: one round trip less for every header line.
        unsigned long wanted =
            SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_SKIP | SMFIP_NR_HDR;
        *steps = offered_steps & wanted;
        connection->skip_negotiated = (*steps & SMFIP_SKIP) != 0;
        connection->header_noreply = (*steps & SMFIP_NR_HDR) != 0;
        *reserved2 = 0;
        *reserved3 = 0;
        if ((*actions & SMFIF_SETSYMLIST) != 0) {
            smfi_setsymlist(context, SMFIM_CONNECT, const_cast<char*>("{daemon_name}"));
            smfi_setsymlist(context, SMFIM_ENVFROM, const_cast<char*>("i {auth_authen}"));
            smfi_setsymlist(context, SMFIM_ENVRCPT, const_cast<char*>("i {rcpt_mailer}"));
            smfi_setsymlist(context, SMFIM_EOH, const_cast<char*>("i"));
            smfi_setsymlist(context, SMFIM_EOM, const_cast<char*>("i"));
        }
        return SMFIS_CONTINUE;
    } catch (const std::exception& error) {
        log::error("milter negotiation failed: {}", error.what());
        return SMFIS_ALL_OPTS;
    } catch (...) {
        log::error("milter negotiation failed: unknown exception");
        return SMFIS_ALL_OPTS;
    }
}

sfsistat on_connect(SMFICTX* context, char* hostname, _SOCK_ADDR* address) {
    return run(context, Stage::connect, [&](Session& session) {
        return session.connect(client_of(hostname, address), SmfiMacros(context));
    });
}

sfsistat on_envfrom(SMFICTX* context, char** argv) {
    return run(context, Stage::mail, [&](Session& session) {
        return session.mail_from(argv && argv[0] ? argv[0] : "", SmfiMacros(context));
    });
}

sfsistat on_envrcpt(SMFICTX* context, char** argv) {
    return run(context, Stage::rcpt, [&](Session& session) {
        return session.rcpt(argv && argv[0] ? argv[0] : "", SmfiMacros(context));
    });
}

sfsistat on_header(SMFICTX* context, char* name, char* value) {
    return run(
        context, Stage::header,
        [&](Session& session) { return session.header(name ? name : "", value ? value : ""); },
        answer_header);
}

sfsistat on_eoh(SMFICTX* context) {
    return run(context, Stage::end_of_headers, [&](Session& session) {
        auto* connection = static_cast<Connection*>(smfi_getpriv(context));
        if (connection->header_failure) {
            auto failure = *connection->header_failure;
            connection->header_failure.reset();
            return failure;
        }
        return session.end_of_headers(SmfiMacros(context));
    });
}

sfsistat on_body(SMFICTX* context, unsigned char* chunk, size_t length) {
    return run(context, Stage::body, [&](Session& session) {
        return session.body(std::string_view(reinterpret_cast<const char*>(chunk), length));
    });
}

sfsistat on_eom(SMFICTX* context) {
    return run(context, Stage::end_of_message, [&](Session& session) {
        auto plan = session.end_of_message(SmfiMacros(context));
        SmfiEditor editor(context);
        return apply(plan, editor, session.runtime().send_log);
    });
}

sfsistat on_abort(SMFICTX* context) {
    if (auto* connection = static_cast<Connection*>(smfi_getpriv(context));
        connection != nullptr && connection->session) {
        connection->header_failure.reset();
        connection->session->abort();
    }
    return SMFIS_CONTINUE;
}

// May come before connect, with no private data (STYLE.md).
sfsistat on_close(SMFICTX* context) {
    delete static_cast<Connection*>(smfi_getpriv(context));
    smfi_setpriv(context, nullptr);
    return SMFIS_CONTINUE;
}

}  // namespace

smfiDesc filter_description(const RuntimeSource& source) {
    runtime_source = &source;
    smfiDesc description{};
    description.xxfi_name = const_cast<char*>("fblmilter");
    description.xxfi_version = SMFI_VERSION;
    description.xxfi_flags = kActions;
    description.xxfi_connect = on_connect;
    description.xxfi_envfrom = on_envfrom;
    description.xxfi_envrcpt = on_envrcpt;
    description.xxfi_header = on_header;
    description.xxfi_eoh = on_eoh;
    description.xxfi_body = on_body;
    description.xxfi_eom = on_eom;
    description.xxfi_abort = on_abort;
    description.xxfi_close = on_close;
    description.xxfi_negotiate = on_negotiate;
    return description;
}

}  // namespace fbl::milter
