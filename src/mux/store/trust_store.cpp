// trust_store.cpp — trusted.json and the project files' SHA-256 (see
// trust_store.h).
#include "mux/store/trust_store.h"

#include <openssl/evp.h>

#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "mux/store/atomic_file.h"
#include "mux/store/session_record.h"
#include "mux/agents/worktree.h"

namespace amux::mux {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const char* const kProjectFileNames[] = {"agents.toml", "config.toml"};

json load_trust(const Paths& p) {
  auto text = read_file(trust_file(p));
  if (!text) return json::object();
  json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return json::object();
  if (!j.contains("projects") || !j["projects"].is_object()) j["projects"] = json::object();
  return j;
}

int save_trust(const Paths& p, const json& j) {
  if (int rc = make_dirs(p.config_dir); rc < 0) return rc;
  return write_file_atomic(trust_file(p), j.dump(2) + "\n", 0600);
}

}  // namespace

std::string project_root(const std::string& dir) {
  std::string top = git_toplevel(dir);
  if (!top.empty()) return top;
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  fs::path c = fs::weakly_canonical(abs, ec);
  return (ec ? abs : c).lexically_normal().string();
}

bool ProjectFiles::any() const {
  for (auto& [_, c] : files)
    if (c) return true;
  return false;
}

const std::optional<std::string>& ProjectFiles::content(const std::string& name) const {
  static const std::optional<std::string> none;
  for (auto& [n, c] : files)
    if (n == name) return c;
  return none;
}

std::string ProjectFiles::digest() const {
  std::string data = "amux-trust-1";
  for (auto& [name, c] : files) {
    data += '\0';
    data += name;
    data += '\0';
    if (!c) {
      data += "absent";
      continue;
    }
    data += std::to_string(c->size());
    data += '\0';
    data += *c;
  }
  return sha256_hex(data);
}

ProjectFiles read_project_files(const std::string& root) {
  ProjectFiles pf;
  pf.root = root;
  for (const char* name : kProjectFileNames) {
    std::error_code ec;
    const std::string path = pf.path(name);
    std::optional<std::string> c;
    if (fs::is_regular_file(path, ec)) c = read_file(path);
    pf.files.emplace_back(name, std::move(c));
  }
  return pf;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &n) != 1)
    throw std::runtime_error("SHA-256 is not available (libcrypto)");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string trust_file(const Paths& p) { return p.config_dir + "/trusted.json"; }

bool is_trusted(const Paths& p, const std::string& root, const std::string& digest) {
  json j = load_trust(p);
  auto& projects = j["projects"];
  auto it = projects.find(root);
  if (it == projects.end() || !it->is_object()) return false;
  return !digest.empty() && it->value("sha256", std::string()) == digest;
}

int record_trust(const Paths& p, const std::string& root, const std::string& digest) {
  json j = load_trust(p);
  j["projects"][root] = {{"sha256", digest}, {"trustedAt", now_ms()}};
  return save_trust(p, j);
}

int revoke_trust(const Paths& p, const std::string& root) {
  json j = load_trust(p);
  if (!j["projects"].contains(root)) return 0;
  j["projects"].erase(root);
  return save_trust(p, j);
}

}  // namespace amux::mux
