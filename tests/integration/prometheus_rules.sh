#!/usr/bin/env bash
# packaging/prometheus/certgate.rules.yml passes `promtool check rules`, and `promtool test
# rules` against metrics certgate itself wrote (tests/prometheus/series.py moves each run to
# promtool's t=0): a healthy sync raises nothing; then, as days pass with no further sync, the
# sync goes stale, a device's renewal comes due without a successor, and the CRL nears its
# nextUpdate; a failed deploy leaves its target out of sync; a device still using its old
# certificate near that one's end has not picked up its renewal. Every metric the rules and the
# Grafana dashboard use is one certgate writes.
source "$(dirname "$0")/lib.sh"
RULES=$CERTGATE_SOURCE_DIR/packaging/prometheus/certgate.rules.yml
DASH=$CERTGATE_SOURCE_DIR/packaging/grafana/certgate.json
SERIES=$CERTGATE_SOURCE_DIR/tests/prometheus/series.py
cd "$TMP"
mkdir nginx
write_toml() {  # write_toml NGINX_TEST
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Metrics CA"
crl_validity = "30d"
crl_refresh_before = "7d"

[[device]]
name = "alice"
validity = "30d"
renew_before = "7d"

[[device]]
name = "bob"

[[site]]
name = "admin"
server_names = ["admin.test"]

[nginx]
dir = "$TMP/nginx"
test = "$1"
reload = "true"
access_log = "$TMP/access.log"
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$TMP/state" "$@"; }

expect_exit 0 promtool check rules "$RULES"
expect_grep 'SUCCESS: 8 rules found' "$TMP/out"

write_toml true
: >access.log
expect_exit 0 cg sync --metrics-file ok.prom
# 24 days on, alice is renewed (overlap: the old certificate stays valid) and nginx logged her
# with the old one.
old=$(openssl x509 -in state/devices/alice/cert.pem -noout -serial | cut -d= -f2)
printf '127.0.0.1 [%s] "GET / HTTP/1.1" 200 verify=SUCCESS serial=%s device=alice\n' \
  "$(TZ=UTC faketime -f '+24d' date '+%d/%b/%Y:%H:%M:%S +0000')" "$old" >access.log
expect_exit 0 faketime -f '+24d' "$CERTGATE" --source certgate.toml --state-dir "$TMP/state" \
  sync --metrics-file renewed.prom
expect_grep '^certgate_device_uses_old_certificate\{device="alice"\} 1' renewed.prom
expect_grep '^certgate_device_certificates\{device="alice"\} 2' renewed.prom
# A deploy that fails, the same day: nginx -t refuses.
write_toml false
echo "# hand edit, so that the next sync deploys" >>nginx/http.conf
expect_exit 1 faketime -f '+24d' "$CERTGATE" --source certgate.toml --state-dir "$TMP/state" \
  sync --metrics-file failed.prom
expect_grep '^certgate_target_in_sync\{target="local"\} 0' failed.prom

for f in ok renewed failed; do python3 "$SERIES" $f.prom 8700 >$f.series; done
cat >rules.test.yml <<YAML
rule_files: ["$RULES"]
evaluation_interval: 5m
tests:
  - name: a healthy sync, then days without one
    interval: 5m
    input_series:
$(cat ok.series)
    alert_rule_test:
      - {eval_time: 10m, alertname: CertgateSyncStale, exp_alerts: []}
      - {eval_time: 10m, alertname: CertgateCrlNextUpdateSoon, exp_alerts: []}
      - {eval_time: 10m, alertname: CertgateCertificateWithoutSuccessor, exp_alerts: []}
      - {eval_time: 10m, alertname: CertgateTargetOutOfSync, exp_alerts: []}
      - eval_time: 1h
        alertname: CertgateSyncStale
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations:
              summary: "certgate on  has not synced successfully for a while"
              description: "No sync succeeded for three intervals. Revocations and renewals wait until one does: journalctl -u certgate-sync.service."
      - {eval_time: 22d, alertname: CertgateCertificateWithoutSuccessor, exp_alerts: []}
      - eval_time: 23d3h
        alertname: CertgateCertificateWithoutSuccessor
        exp_alerts:
          - exp_labels: {severity: warning, device: alice}
            exp_annotations:
              summary: "alice has no successor certificate"
              description: "alice's newest certificate is in its renewal window and nothing renewed it; it loses the door when it expires."
      - {eval_time: 26d, alertname: CertgateCrlNextUpdateSoon, exp_alerts: []}
      - eval_time: 27d
        alertname: CertgateCrlNextUpdateSoon
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations:
              summary: "certgate CRL on  is not being refreshed"
              description: "The CRL's nextUpdate is less than half of crl_refresh_before away, and certgate has not signed a new one. At nextUpdate nginx turns every client away."
  - name: alice renewed, still seen with her old certificate
    interval: 5m
    input_series:
$(cat renewed.series)
    alert_rule_test:
      - {eval_time: 10m, alertname: CertgatePickupNotDone, exp_alerts: []}
      - {eval_time: 10m, alertname: CertgateCertificateWithoutSuccessor, exp_alerts: []}
      - {eval_time: 2d, alertname: CertgatePickupNotDone, exp_alerts: []}
      - eval_time: 4d
        alertname: CertgatePickupNotDone
        exp_alerts:
          - exp_labels: {severity: warning, device: alice}
            exp_annotations:
              summary: "alice has not picked up its renewed certificate"
              description: "alice still uses a certificate that ends within 3 days; its new bundle waits at the pickup path of the [enroll] site."
  - name: a failed deploy
    interval: 5m
    input_series:
$(cat failed.series)
    alert_rule_test:
      - {eval_time: 10m, alertname: CertgateTargetOutOfSync, exp_alerts: []}
      - eval_time: 30m
        alertname: CertgateTargetOutOfSync
        exp_alerts:
          - exp_labels: {severity: critical, target: local}
            exp_annotations:
              summary: "nginx target local does not hold what certgate wants"
              description: "The last deploys to local failed (unreachable, nginx -t, reload): it may still admit a revoked device."
      - eval_time: 30m
        alertname: CertgateSyncFailing
        exp_alerts:
          - exp_labels: {severity: warning}
            exp_annotations:
              summary: "certgate sync on  fails"
              description: "Its planned actions wait (certgate_pending_actions); see its journal."
YAML
expect_exit 0 promtool test rules rules.test.yml
[ "$(grep -c SUCCESS "$TMP/out")" -ge 1 ] && ok || { bad "promtool test rules:"; cat "$TMP/out" "$TMP/err" >&2; }

# Every certgate_* metric the rules and the dashboard use is one certgate writes: in a file a
# run above wrote, or, for those of edges and two-tier CAs, a family the renderer declares.
written=$(cat ok.prom renewed.prom failed.prom | grep -oE '^certgate_[a-z_]+' | sort -u)
declared=$(grep -ohE '"certgate_[a-z_]+' "$CERTGATE_SOURCE_DIR"/src/render/*metrics*.cc | tr -d '"' | sort -u)
for m in $(grep -ohE 'certgate_[a-z_]+' "$RULES" "$DASH" | grep -vE '^certgate_(rules|json)$' | sort -u); do
  if grep -qx "$m" <<<"$written"; then ok
  elif grep -qx "$m" <<<"$declared"; then ok
  else bad "$m is used by the rules or the dashboard, but certgate writes no such metric"; fi
done
# The dashboard is valid JSON with panels, and each panel's queries use only such metrics.
expect_exit 0 python3 -c "
import json,sys
d=json.load(open('$DASH'))
assert d['panels'], 'no panels'
assert all(p.get('targets') for p in d['panels'] if p.get('type')!='row'), 'a panel without a query'
"
finish
