#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

// Where the PEM certificate an SNS message names by SigningCertURL comes
// from: a port, so the verifier is tested with our own certificates and
// never touches the network.
namespace fbl::web::hooks {

class SnsCertificates {
  public:
    virtual ~SnsCertificates() = default;
    // The PEM text at signing_cert_url, or nullopt when it cannot be had.
    // Called only with a URL web/hooks/sns_url.h accepted.
    virtual std::optional<std::string> pem_for(const std::string& signing_cert_url) = 0;
};

// The certificate from a file in certificate_dir named after the URL's last
// path segment ("SimpleNotificationService-xxxx.pem": the admin may place
// them there so fblweb needs no outbound access), else fetched from the URL
// (https, no redirects, 64 KiB, 5 s) and kept in memory. Thread-safe.
class DirectoryThenFetchCertificates final : public SnsCertificates {
  public:
    // SNS signs with one certificate per region, replaced every few years:
    // a handful are in use at once. The bound keeps a stranger naming many
    // .pem paths on SNS hosts from growing the map.
    static constexpr std::size_t kMaxCached = 32;
    static constexpr std::size_t kMaxPem = 64 * 1024;

    explicit DirectoryThenFetchCertificates(std::string certificate_dir);  // "" = fetch only

    std::optional<std::string> pem_for(const std::string& signing_cert_url) override;

  private:
    std::optional<std::string> from_directory(const std::string& file_name) const;
    std::optional<std::string> cached(const std::string& url);
    void remember(const std::string& url, const std::string& pem);

    std::string certificate_dir_;
    std::mutex mutex_;
    std::map<std::string, std::string> fetched_;  // by URL
};

}  // namespace fbl::web::hooks
