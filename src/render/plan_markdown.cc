#include "render/plan_markdown.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "base/result.h"
#include "base/time.h"
#include "render/markdown.h"
#include "render/markdown_fit.h"

namespace certgate::render {

namespace {

using plan::AccessChangeKind;
using plan::AccessKind;
using plan::ActionKind;

// One row of the access table: a change from the plan, the base diff, or both.
struct AccessRow {
  AccessKind kind = AccessKind::device;
  std::string who;
  std::string site;
  AccessChangeKind change = AccessChangeKind::gain;
  std::string why;
};

using AccessKey = std::tuple<AccessKind, std::string, std::string, AccessChangeKind>;

AccessKey key_of(const plan::AccessChange& c) { return {c.kind, c.who, c.site, c.change}; }

std::string joined(std::string a, std::string_view b) {
  if (a.empty() || b.empty()) return a + std::string(b);
  return a + " · " + std::string(b);
}

// The plan's access diff and the base diff's, once each. With both, a row only one of them has
// says so: the plan against the CA host can differ from the change (a host that lags behind the
// base, drift), and that difference is what a reviewer wants to see.
std::vector<AccessRow> merged_access(const plan::Plan* plan, const plan::BaseDiff* base) {
  std::map<AccessKey, AccessRow> rows;
  std::set<AccessKey> in_plan;
  auto add = [&rows](const plan::AccessChange& c) {
    auto [it, inserted] =
        rows.try_emplace(key_of(c), AccessRow{c.kind, c.who, c.site, c.change, c.why});
    if (!inserted && it->second.why.empty()) it->second.why = c.why;
    return inserted;
  };
  if (base) {
    for (const plan::AccessChange& c : base->access) add(c);
  }
  if (plan) {
    for (const plan::AccessChange& c : plan->access) {
      const bool only_plan = add(c);
      in_plan.insert(key_of(c));
      if (base && only_plan) {
        rows[key_of(c)].why = joined(c.why, "on the CA host only, not from this change");
      }
    }
  }
  std::vector<AccessRow> out;
  for (auto& [key, row] : rows) {
    if (plan && base && !in_plan.contains(key)) {
      row.why = joined(row.why, "not in the plan against the CA host");
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::string who_label(const AccessRow& r) {
  switch (r.kind) {
    case AccessKind::device:
      return r.who;
    case AccessKind::public_path:
      return "anyone on " + r.who;
    case AccessKind::fallback:
      return "anyone from " + r.who;
  }
  return r.who;
}

// "3 issue, 1 revoke, 2 file, 1 reload, 1 publish", or "no changes".
std::string action_counts(const plan::Plan& p) {
  std::string out;
  for (ActionKind k :
       {ActionKind::issue, ActionKind::renew, ActionKind::revoke, ActionKind::crl, ActionKind::file,
        ActionKind::reload, ActionKind::publish, ActionKind::retire}) {
    if (int n = p.count(k)) {
      out += (out.empty() ? "" : ", ") + md::thousands(static_cast<size_t>(n)) + " " +
             std::string(plan::to_string(k));
    }
  }
  return out.empty() ? "no changes" : out;
}

// "2 devices gain access, 1 loses it · 1 door opens to anyone".
std::string access_counts(const std::vector<AccessRow>& rows) {
  std::set<std::string> gain, lose;
  size_t opens = 0, closes = 0;
  for (const AccessRow& r : rows) {
    const bool gains = r.change == AccessChangeKind::gain;
    if (r.kind == AccessKind::device) {
      (gains ? gain : lose).insert(r.who);
    } else {
      ++(gains ? opens : closes);
    }
  }
  std::string out;
  if (!gain.empty()) out = md::count(gain.size(), "device gains access", "devices gain access");
  if (!lose.empty()) {
    out = gain.empty() ? md::count(lose.size(), "device loses access", "devices lose access")
                       : out + ", " + md::count(lose.size(), "loses it", "lose it");
  }
  if (opens > 0)
    out = joined(out, md::count(opens, "door opens to anyone", "doors open to anyone"));
  if (closes > 0) {
    out = joined(out, md::count(closes, "door to anyone closes", "doors to anyone close"));
  }
  return out;
}

std::string_view device_change_label(plan::DeviceChangeKind k) {
  switch (k) {
    case plan::DeviceChangeKind::added:
      return "added";
    case plan::DeviceChangeKind::removed:
      return "removed";
    case plan::DeviceChangeKind::revoked:
      return "revoked";
    case plan::DeviceChangeKind::unrevoked:
      return "unrevoked";
    case plan::DeviceChangeKind::groups:
      return "groups changed";
    case plan::DeviceChangeKind::expires:
      return "expiry changed";
  }
  return "changed";
}

// "devices: 1 added, 1 revoked; sites: 1 added", or "" when nothing changed against the base.
std::string base_counts(const plan::BaseDiff& b) {
  std::map<plan::DeviceChangeKind, size_t> kinds;
  for (const plan::DeviceChange& c : b.devices) ++kinds[c.kind];
  std::string devices;
  for (const auto& [kind, n] : kinds) {
    devices += (devices.empty() ? "" : ", ") + md::thousands(n) + " " +
               std::string(device_change_label(kind));
  }
  std::string sites;
  if (!b.sites_added.empty()) sites = md::thousands(b.sites_added.size()) + " added";
  if (!b.sites_removed.empty()) {
    sites += (sites.empty() ? "" : ", ") + md::thousands(b.sites_removed.size()) + " removed";
  }
  std::string out = devices.empty() ? "" : "devices: " + devices;
  if (!sites.empty()) out += (out.empty() ? "" : "; ") + ("sites: " + sites);
  return out;
}

std::string summary_line(const plan::Plan* plan, const plan::BaseDiff* base,
                         const std::vector<AccessRow>& access) {
  std::string out;
  if (plan) out = action_counts(*plan);
  if (base) out = joined(out, base->is_empty() ? "no change against the base" : base_counts(*base));
  out = joined(out, access_counts(access));
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z')
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

// "Source git 1a2b3c4 (main) · at 2026-11-23T00:00:00Z · compared with base origin/main
// (0123456789ab)"
std::string provenance(const plan::Plan* plan, const plan::BaseDiff* base) {
  std::string out;
  if (plan) {
    out = "Source " + md::escape(plan->inputs.source, 200) + " · at " +
          base::format_rfc3339(plan->now);
  }
  if (base) {
    out = joined(out, std::string(plan ? "compared" : "Compared") + " with base " +
                          md::escape(base->base_ref, 200) + " (" +
                          md::escape(base->base_commit.substr(0, 12)) + ")");
  }
  return out;
}

md::Block head_block(const plan::Plan* plan, const plan::BaseDiff* base,
                     const std::vector<AccessRow>& access) {
  md::Block b;
  b.title = "### certgate plan\n\n";
  if (plan && !plan->refusal.empty()) {
    b.title += "**refused**: " + md::escape(plan->refusal, 2000) + "\n\n";
  }
  b.title += summary_line(plan, base, access) + "\n\n" + provenance(plan, base) + "\n";
  b.keep_whole = true;
  return b;
}

md::Block access_block(const std::vector<AccessRow>& access) {
  md::Block b{"#### Access changes\n\n",
              md::table_header({"Device", "Site", "Change", "Why"}),
              {},
              "access change",
              "access changes"};
  for (const AccessRow& r : access) {
    const char* change = r.change == AccessChangeKind::gain ? "gains" : "loses";
    b.rows.push_back(md::table_row({who_label(r), r.site, change, r.why}));
  }
  if (b.rows.empty()) b.title.clear();
  return b;
}

// Separate quotes of one blockquote: "> **Warning:** a\n>\n> **Warning:** b\n".
md::Block warnings_block(const plan::Plan* plan, const plan::BaseDiff* base) {
  std::vector<std::string> all;
  if (plan) all = plan->warnings;
  if (base) {
    for (const std::string& w : base->warnings) {
      if (std::find(all.begin(), all.end(), w) == all.end()) all.push_back(w);
    }
  }
  md::Block b{"", "", {}, "warning", "warnings"};
  for (const std::string& w : all) {
    b.rows.push_back(std::string(b.rows.empty() ? "" : ">\n") + "> **Warning:** " + md::escape(w) +
                     "\n");
  }
  b.keep_whole = true;
  return b;
}

md::Block actions_block(const plan::Plan& p) {
  md::Block b{"#### Actions\n\n",
              md::table_header({"Action", "Target", "Subject", "Detail"}),
              {},
              "action",
              "actions"};
  for (const plan::Action& a : p.actions) {
    std::string subject = a.object == plan::ObjectKind::probe ? "probe certificate" : a.subject;
    std::string detail = a.detail;
    if (!a.reason.empty() && detail.find(a.reason) == std::string::npos) {
      detail = detail.empty() ? a.reason : detail + " (" + a.reason + ")";
    }
    b.rows.push_back(md::table_row({plan::to_string(a.kind), a.target, subject, detail}));
  }
  if (b.rows.empty()) b.title.clear();
  return b;
}

md::Block notes_block(const plan::Plan& p) {
  md::Block b{"#### Notes\n\n", "", {}, "note", "notes"};
  for (const std::string& n : p.notes) b.rows.push_back("- " + md::escape(n) + "\n");
  if (b.rows.empty()) b.title.clear();
  return b;
}

md::Block device_block(const plan::BaseDiff& d) {
  md::Block b{"#### Device changes against " + md::escape(d.base_ref, 200) + "\n\n",
              md::table_header({"Device", "Change", "Detail"}),
              {},
              "device change",
              "device changes"};
  for (const plan::DeviceChange& c : d.devices) {
    b.rows.push_back(md::table_row({c.device, device_change_label(c.kind), c.detail}));
  }
  if (b.rows.empty()) b.title.clear();
  return b;
}

md::Block site_block(const plan::BaseDiff& d) {
  md::Block b{"#### Site changes against " + md::escape(d.base_ref, 200) + "\n\n",
              "",
              {},
              "site change",
              "site changes"};
  for (const std::string& s : d.sites_added) b.rows.push_back("- added: " + md::escape(s) + "\n");
  for (const std::string& s : d.sites_removed) {
    b.rows.push_back("- removed: " + md::escape(s) + "\n");
  }
  if (b.rows.empty()) b.title.clear();
  return b;
}

}  // namespace

std::string plan_markdown(const plan::Plan* plan, const plan::BaseDiff* base,
                          const MarkdownOptions& options) {
  CG_CHECK(plan != nullptr || base != nullptr);
  const std::vector<AccessRow> access = merged_access(plan, base);
  std::vector<md::Block> blocks;
  blocks.push_back(head_block(plan, base, access));
  blocks.push_back(access_block(access));
  blocks.push_back(warnings_block(plan, base));
  if (plan) {
    blocks.push_back(actions_block(*plan));
    blocks.push_back(notes_block(*plan));
  }
  if (base) {
    blocks.push_back(device_block(*base));
    blocks.push_back(site_block(*base));
  }
  return md::fit(blocks, options.max_bytes);
}

}  // namespace certgate::render
