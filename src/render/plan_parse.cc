#include "render/plan_parse.h"

#include <nlohmann/json.hpp>

#include "base/time.h"

namespace certgate::render {

namespace {

using nlohmann::json;

// What a JSON value is, for messages: "the string \"1\"", "an array", "a number".
std::string what(const json& v) {
  if (v.is_string()) return "the string " + v.dump();
  if (v.is_number()) return "the number " + v.dump();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "null";
  return v.is_array() ? "an array" : "an object";
}

Error wrong(const std::string& where, const json& v, const std::string& want) {
  return make_error(Errc::invalid, "\"" + where + "\" is " + what(v) + "; a plan has " + want);
}

// Reads fields of one JSON object, the first problem kept.
class Fields {
 public:
  Fields(const json& object, std::string where) : j_(object), where_(std::move(where)) {}

  std::string string(const char* key, bool required = true) {
    const json* v = get(key, required);
    if (!v) return "";
    if (!v->is_string()) return fail(*v, key, "a string"), "";
    return v->get<std::string>();
  }
  long number(const char* key) {
    const json* v = get(key, true);
    if (!v) return 0;
    if (!v->is_number_integer()) return fail(*v, key, "a whole number"), 0;
    return v->get<long>();
  }
  bool boolean(const char* key) {
    const json* v = get(key, false);
    if (!v) return false;
    if (!v->is_boolean()) return fail(*v, key, "true or false"), false;
    return v->get<bool>();
  }
  std::vector<std::string> strings(const char* key) {
    std::vector<std::string> out;
    const json* v = get(key, false);
    if (!v) return out;
    if (!v->is_array()) return fail(*v, key, "an array of strings"), out;
    for (const json& s : *v) {
      if (!s.is_string()) return fail(s, std::string(key) + "[]", "strings"), out;
      out.push_back(s.get<std::string>());
    }
    return out;
  }
  // A value of one of `names` (plan::to_string of each T in `values`).
  template <typename T, size_t N>
  T choice(const char* key, const std::array<T, N>& values) {
    const std::string name = string(key);
    for (T v : values)
      if (plan::to_string(v) == name) return v;
    if (!error_)
      error_ = make_error(Errc::invalid, "\"" + path(key) + "\" is \"" + name +
                                             "\", which is not one certgate writes");
    return values[0];
  }
  const json* array(const char* key) {
    const json* v = get(key, true);
    if (v && !v->is_array()) return fail(*v, key, "an array"), nullptr;
    return v;
  }
  const json* object(const char* key) {
    const json* v = get(key, true);
    if (v && !v->is_object()) return fail(*v, key, "an object"), nullptr;
    return v;
  }
  bool has(const char* key) const { return j_.contains(key); }
  std::optional<Error>& error() { return error_; }
  std::string path(const std::string& key) const {
    return where_.empty() ? key : where_ + "." + key;
  }

 private:
  const json* get(const char* key, bool required) {
    if (error_) return nullptr;
    if (!j_.contains(key)) {
      if (required) error_ = make_error(Errc::invalid, "\"" + path(key) + "\" is missing");
      return nullptr;
    }
    return &j_.at(key);
  }
  void fail(const json& v, const std::string& key, const std::string& want) {
    if (!error_) error_ = wrong(path(key), v, want);
  }

  const json& j_;
  std::string where_;
  std::optional<Error> error_;
};

constexpr std::array kActionKinds = {plan::ActionKind::issue,   plan::ActionKind::renew,
                                     plan::ActionKind::revoke,  plan::ActionKind::crl,
                                     plan::ActionKind::file,    plan::ActionKind::reload,
                                     plan::ActionKind::publish, plan::ActionKind::retire};
constexpr std::array kObjectKinds = {plan::ObjectKind::ca, plan::ObjectKind::device,
                                     plan::ObjectKind::crl, plan::ObjectKind::file,
                                     plan::ObjectKind::probe};
constexpr std::array kAccessKinds = {plan::AccessKind::device, plan::AccessKind::public_path,
                                     plan::AccessKind::fallback};
constexpr std::array kChanges = {plan::AccessChangeKind::gain, plan::AccessChangeKind::lose};

Result<plan::Action> action_of(const json& j, const std::string& where) {
  if (!j.is_object()) return wrong(where, j, "an object for each action");
  Fields f(j, where);
  plan::Action a;
  a.kind = f.choice("kind", kActionKinds);
  a.target = f.string("target");
  a.object = f.choice("object", kObjectKinds);
  a.subject = f.string("subject");
  a.reason = f.string("reason");
  a.detail = f.string("detail");
  a.serial = f.string("serial", false);
  if (f.has("revocation_reason")) {
    const std::string reason = f.string("revocation_reason");
    auto r = base::parse_revocation_reason(reason);
    if (!r && !f.error())
      return make_error(Errc::invalid, "\"" + f.path("revocation_reason") + "\" is \"" + reason +
                                           "\", not a revocation reason");
    if (r) a.revocation_reason = *r;
  }
  a.before = f.string("before", false);
  a.after = f.string("after", false);
  a.revokes_predecessor = f.boolean("revokes_predecessor");
  if (f.error()) return *f.error();
  return a;
}

Result<plan::AccessChange> access_of(const json& j, const std::string& where) {
  if (!j.is_object()) return wrong(where, j, "an object for each access change");
  Fields f(j, where);
  plan::AccessChange c;
  c.kind = f.choice("kind", kAccessKinds);
  const char* field = c.kind == plan::AccessKind::device        ? "device"
                      : c.kind == plan::AccessKind::public_path ? "path"
                                                                : "cidr";
  c.who = f.string(field);
  c.site = f.string("site");
  c.change = f.choice("change", kChanges);
  c.why = f.string("why", false);
  if (f.error()) return *f.error();
  return c;
}

}  // namespace

Result<plan::Plan> parse_plan(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(Errc::invalid, "not JSON: not a plan certgate wrote");
  if (!j.is_object()) return wrong("(the document)", j, "an object");
  Fields f(j, "");
  plan::Plan p;
  const json* version = j.contains("format_version") ? &j["format_version"] : nullptr;
  if (!version) return make_error(Errc::invalid, "\"format_version\" is missing");
  if (!version->is_number_integer() || version->get<long>() != plan::kPlanFormatVersion)
    return make_error(Errc::invalid, "\"format_version\" is " + what(*version) +
                                         "; this certgate reads and writes the number " +
                                         std::to_string(plan::kPlanFormatVersion));
  const std::string now = f.string("now");
  if (const json* inputs = f.object("inputs")) {
    Fields in(*inputs, "inputs");
    p.inputs.source = in.string("source");
    p.inputs.commit = in.string("commit");
    p.inputs.state_dir = in.string("state_dir");
    if (const json* prints = in.object("fingerprints")) {
      for (auto it = prints->begin(); it != prints->end(); ++it) {
        if (!it->is_string()) return wrong("inputs.fingerprints." + it.key(), *it, "a string");
        p.inputs.fingerprints[it.key()] = it->get<std::string>();
      }
    }
    if (in.error()) return *in.error();
  }
  if (const json* actions = f.array("actions")) {
    for (size_t i = 0; i < actions->size(); ++i) {
      auto a = action_of((*actions)[i], "actions[" + std::to_string(i) + "]");
      if (!a) return a.error();
      p.actions.push_back(std::move(*a));
    }
  }
  if (const json* access = f.array("access")) {
    for (size_t i = 0; i < access->size(); ++i) {
      auto c = access_of((*access)[i], "access[" + std::to_string(i) + "]");
      if (!c) return c.error();
      p.access.push_back(std::move(*c));
    }
  }
  p.revocations = static_cast<int>(f.number("revocations"));
  p.max_revocations = static_cast<int>(f.number("max_revocations"));
  p.live_devices = static_cast<int>(f.number("live_devices"));
  p.notes = f.strings("notes");
  p.warnings = f.strings("warnings");
  p.refusal = f.string("refusal", false);
  if (f.error()) return *f.error();
  auto at = base::parse_rfc3339(now);
  if (!at) return make_error(Errc::invalid, "\"now\" is \"" + now + "\", not an RFC 3339 time");
  p.now = *at;
  return p;
}

}  // namespace certgate::render
