// profile_toml.cpp — one agent profile from agents.toml through toml++:
// every key checked (types, placeholders, regular expressions), each error
// naming file:line: key (see agent_profile.h for the keys).
#include "mux/agents/profile_toml.h"

#include <algorithm>
#include <optional>
#include <set>

#include "mux/agents/profile_templates.h"

namespace amux::mux::profile_detail {
namespace {

// ---------------------------------------------------------------------------
// Errors name file:line: key.

std::string where(const toml::node& n, const std::string& key) {
  std::string s = n.source().path ? *n.source().path : std::string("agents.toml");
  if (n.source().begin.line) s += ":" + std::to_string(n.source().begin.line);
  return s + ": " + key;
}

}  // namespace

[[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what) {
  throw ProfileError(where(n, key) + ": " + what);
}

namespace {

// ---------------------------------------------------------------------------
// Reading one profile table.

std::optional<AgentOption> option_by_key(const std::string& k) {
  for (AgentOption o : kAllAgentOptions)
    if (k == option_key(o)) return o;
  return std::nullopt;
}

bool is_list_option(AgentOption o) { return o == AgentOption::AddDir || o == AgentOption::PluginDir; }

std::string get_string(const toml::node& n, const std::string& key) {
  if (auto v = n.value<std::string>()) return *v;
  fail(n, key, "expected a string");
}

std::vector<std::string> get_strings(const toml::node& n, const std::string& key) {
  const toml::array* a = n.as_array();
  if (!a) fail(n, key, "expected an array of strings");
  std::vector<std::string> out;
  for (auto& e : *a) {
    auto v = e.value<std::string>();
    if (!v) fail(e, key, "expected an array of strings");
    out.push_back(*v);
  }
  return out;
}

// Check a template's placeholders: `inline_ok` inside an element, `whole_ok`
// as whole elements.
void check_template(const toml::node& n, const std::string& key, const std::vector<std::string>& t,
                    const std::set<std::string>& inline_ok, const std::set<std::string>& whole_ok) {
  for (auto& el : t) {
    if (whole_ok.count(el)) continue;
    for (auto& ph : placeholders(el)) {
      std::string token = "{" + ph + "}";
      if (kWhole.count(token)) {
        if (whole_ok.count(token)) fail(n, key, token + " must be an element of its own");
        fail(n, key, token + " is not allowed here");
      }
      if (!inline_ok.count(ph)) fail(n, key, "unknown placeholder " + token + " (write {{ for a literal {)");
    }
  }
}

void read_option(const toml::node& n, const std::string& key, AgentOption o, AgentProfile& p) {
  const std::set<std::string> value_ok = {"value"};
  const std::set<std::string> none;
  const bool flag = o == AgentOption::SkipPermissions;
  if (auto b = n.value<bool>()) {
    if (*b) fail(n, key, "expected an array of arguments, a table of choices, or false");
    p.options.erase(o);
    return;
  }
  OptionFlags f;
  if (n.is_array()) {
    f.args = get_strings(n, key);
    check_template(n, key, f.args, flag ? none : value_ok, none);
    bool has_value = false;
    for (auto& a : f.args)
      for (auto& ph : placeholders(a)) has_value |= ph == "value";
    if (!flag && !has_value) fail(n, key, "the arguments must use {value}");
    if (flag && f.args.empty()) fail(n, key, "expected at least one argument");
  } else if (const toml::table* t = n.as_table()) {
    if (flag || is_list_option(o)) fail(n, key, "expected an array of arguments");
    for (auto&& [k, v] : *t) {
      std::string ck = key + "." + std::string(k.str());
      f.choices[std::string(k.str())] = get_strings(v, ck);
      check_template(v, ck, f.choices[std::string(k.str())], none, none);
    }
    if (f.choices.empty()) fail(n, key, "expected at least one choice");
  } else {
    fail(n, key, "expected an array of arguments, a table of choices, or false");
  }
  p.options[o] = std::move(f);
}

std::vector<ScreenPattern> read_patterns(const toml::node& n, const std::string& key) {
  std::vector<ScreenPattern> out;
  const toml::array* a = n.as_array();
  if (!a) fail(n, key, "expected an array of regular expressions");
  for (auto& e : *a) {
    auto v = e.value<std::string>();
    if (!v) fail(e, key, "expected an array of regular expressions");
    try {
      out.push_back(make_screen_pattern(*v));
    } catch (const PatternError& err) {
      fail(e, key, "bad regular expression '" + *v + "': " + err.what());
    }
  }
  return out;
}

const toml::node* layered_get(const Layers& ls, const char* key) {
  for (auto it = ls.rbegin(); it != ls.rend(); ++it)
    if (const toml::node* n = (*it)->get(key)) return n;
  return nullptr;
}

std::vector<std::pair<std::string, const toml::node*>> layered_table(const Layers& ls,
                                                                     const std::string& name,
                                                                     const char* key) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const toml::table* l : ls) {
    const toml::node* n = l->get(key);
    if (!n) continue;
    const toml::table* t = n->as_table();
    if (!t) fail(*n, name + "." + key, "expected a table");
    for (auto&& [k, v] : *t) {
      std::string sk(k.str());
      auto it = std::find_if(out.begin(), out.end(), [&](auto& e) { return e.first == sk; });
      if (it != out.end()) it->second = &v;
      else out.emplace_back(sk, &v);
    }
  }
  return out;
}

}  // namespace

AgentProfile read_profile(const std::string& name, const Layers& ls, std::vector<std::string>& warnings) {
  AgentProfile p;
  p.name = name;
  const std::set<std::string> top = {"description", "kind",   "binary", "start",    "resume",
                                     "prompt_args", "options", "env",   "patterns", "settle_ms",
                                     "hooks",       "resume_if"};
  for (const toml::table* l : ls)
    for (auto&& [k, v] : *l)
      if (!top.count(std::string(k.str())))
        warnings.push_back(where(v, name + "." + std::string(k.str())) + ": unknown key (ignored)");

  auto key = [&](const char* k) { return name + "." + k; };
  auto get = [&](const char* k) { return layered_get(ls, k); };
  const toml::table& first = *ls.front();
  if (auto* n = get("description")) p.description = get_string(*n, key("description"));
  if (auto* n = get("kind")) {
    p.kind = get_string(*n, key("kind"));
    if (p.kind != "agent" && p.kind != "shell") fail(*n, key("kind"), "must be \"agent\" or \"shell\"");
  }
  const toml::node* bin = get("binary");
  if (!bin) fail(first, name, "a profile needs binary = \"...\"");
  p.binary = get_string(*bin, key("binary"));
  if (p.binary.empty()) fail(*bin, key("binary"), "must not be empty");
  if (auto* n = get("hooks")) {
    p.hooks = get_string(*n, key("hooks"));
    if (!p.hooks.empty() && p.hooks != "claude" && p.hooks != "codex" && p.hooks != "gemini")
      fail(*n, key("hooks"), "must be \"claude\", \"codex\", \"gemini\" or \"\"");
  }
  if (auto* n = get("settle_ms")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 0 || *v > 60000) fail(*n, key("settle_ms"), "expected milliseconds (0 to 60000)");
    p.settle_ms = int(*v);
  }
  for (auto& [ok, v] : layered_table(ls, name, "options")) {
    auto o = option_by_key(ok);
    if (!o) {
      warnings.push_back(where(*v, key("options") + "." + ok) + ": unknown option (ignored)");
      continue;
    }
    read_option(*v, key("options") + "." + ok, *o, p);
  }
  for (auto& [ek, v] : layered_table(ls, name, "env")) {
    std::string full = key("env") + "." + ek;
    std::string val = get_string(*v, full);
    check_template(*v, full, {val}, {"session_uuid", "name"}, {});
    p.env.emplace_back(ek, val);
  }
  for (auto& [pk, v] : layered_table(ls, name, "patterns")) {
    std::string full = key("patterns") + "." + pk;
    if (pk == "working") p.working = read_patterns(*v, full);
    else if (pk == "blocked") p.blocked = read_patterns(*v, full);
    else if (pk == "idle") p.idle = read_patterns(*v, full);
    else if (pk == "question") p.question = read_patterns(*v, full);
    else warnings.push_back(where(*v, full) + ": unknown key (ignored)");
  }

  const std::set<std::string> inline_vars = {"prompt", "session_uuid", "name"};
  const toml::node* start = get("start");
  if (!start) fail(first, name, "a profile needs start = [...]");
  p.start = get_strings(*start, key("start"));
  check_template(*start, key("start"), p.start, inline_vars, kWhole);
  if (auto* n = get("prompt_args")) {
    p.prompt_args = get_strings(*n, key("prompt_args"));
    check_template(*n, key("prompt_args"), p.prompt_args, inline_vars, {});
  }
  const toml::node* resume = get("resume");
  if (resume) {
    p.resume = get_strings(*resume, key("resume"));
    check_template(*resume, key("resume"), p.resume, {"session_uuid", "name"}, {"{options}", "{extra}"});
  }
  if (auto* n = get("resume_if")) {
    p.resume_if = get_strings(*n, key("resume_if"));
    check_template(*n, key("resume_if"), p.resume_if, {"session_uuid", "home", "cwd", "cwd_slug"}, {});
  }
  if (!p.options.empty()) {
    auto has = [](const std::vector<std::string>& v, const char* s) {
      return std::find(v.begin(), v.end(), s) != v.end();
    };
    if (!has(p.start, "{options}")) fail(*start, key("start"), "has options but no {options} element");
    if (resume && !p.resume.empty() && !has(p.resume, "{options}"))
      fail(*resume, key("resume"), "has options but no {options} element");
  }
  if (p.hooks == "claude" && !p.can(AgentOption::Settings))
    fail(*get("hooks"), key("hooks"), "hooks = \"claude\" needs an options.settings flag to pass the file");
  return p;
}

}  // namespace amux::mux::profile_detail
