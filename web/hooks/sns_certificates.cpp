#include "web/hooks/sns_certificates.h"

#include <filesystem>
#include <fstream>

#include "web/hooks/https_get.h"
#include "web/hooks/sns_url.h"

namespace fbl::web::hooks {
namespace {

constexpr std::chrono::seconds kFetchTimeout{5};

}  // namespace

DirectoryThenFetchCertificates::DirectoryThenFetchCertificates(std::string certificate_dir)
    : certificate_dir_(std::move(certificate_dir)) {}

std::optional<std::string> DirectoryThenFetchCertificates::pem_for(
    const std::string& signing_cert_url) {
    // Checked here too: this class opens files and connections by that name.
    std::string file_name = certificate_file_name(signing_cert_url);
    if (file_name.empty()) {
        return std::nullopt;
    }
    if (auto pem = from_directory(file_name)) {
        return pem;
    }
    if (auto pem = cached(signing_cert_url)) {
        return pem;
    }
    auto pem = https_get(signing_cert_url, {kFetchTimeout, kMaxPem});
    if (pem) {
        remember(signing_cert_url, *pem);
    }
    return pem;
}

std::optional<std::string> DirectoryThenFetchCertificates::from_directory(
    const std::string& file_name) const {
    if (certificate_dir_.empty()) {
        return std::nullopt;
    }
    std::ifstream file(std::filesystem::path(certificate_dir_) / file_name, std::ios::binary);
    if (!file) {
        return std::nullopt;
    }
    std::string pem(kMaxPem + 1, '\0');
    file.read(pem.data(), static_cast<std::streamsize>(pem.size()));
    auto got = static_cast<std::size_t>(file.gcount());
    if (got == 0 || got > kMaxPem) {
        return std::nullopt;
    }
    pem.resize(got);
    return pem;
}

std::optional<std::string> DirectoryThenFetchCertificates::cached(const std::string& url) {
    std::lock_guard lock(mutex_);
    auto found = fetched_.find(url);
    if (found == fetched_.end()) {
        return std::nullopt;
    }
    return found->second;
}

void DirectoryThenFetchCertificates::remember(const std::string& url, const std::string& pem) {
    std::lock_guard lock(mutex_);
    if (fetched_.size() >= kMaxCached && !fetched_.contains(url)) {
        fetched_.erase(fetched_.begin());  // any one: refetching costs one GET
    }
    fetched_[url] = pem;
}

}  // namespace fbl::web::hooks
