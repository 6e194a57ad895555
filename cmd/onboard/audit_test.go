package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestAuditCatchesDefects shows that the check behind the fault and crash
// suites can fail: after a correct apply of the cookbook's customer, each
// case damages the sandbox's records (or expects more than was applied)
// and the audit must report exactly that.
func TestAuditCatchesDefects(t *testing.T) {
	acme := filepath.Join(repoRoot(t), "examples", "acme.yaml")
	raw, err := os.ReadFile(acme)
	if err != nil {
		t.Fatal(err)
	}
	// acme.yaml plus one recurring line that is never applied.
	more := filepath.Join(t.TempDir(), "acme-more.yaml")
	extraLine := strings.Replace(string(raw), "        recurrings:\n",
		"        recurrings:\n          unapplied: {item: sip-trunk-2ch, quantity: 7}\n", 1)
	if err := os.WriteFile(more, []byte(extraLine), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		damage func(t *testing.T, sb *e2eSandbox, ids map[string]int64)
		expect string // the manifest set audited: acme or more
		want   tally  // counts to find (ids aside)
		// problem is a text the report must contain.
		problem string
	}{
		{name: "intact", expect: acme},
		{name: "price-same-value", expect: acme, damage: func(t *testing.T, sb *e2eSandbox, ids map[string]int64) {
			put(t, sb, resource.Item, ids["item.sip-trunk-2ch"], `{"selling_price_without_tax": 19.9000}`)
		}},
		{name: "duplicate-customer", expect: acme, want: tally{duplicates: 1, extra: 1}, problem: "no manifest object explains",
			damage: func(t *testing.T, sb *e2eSandbox, ids map[string]int64) {
				post(t, sb, resource.Customer, `{"name": "Acme Telecom SAS", "email_address": "contact@acme-telecom.fr"}`)
			}},
		{name: "changed-field", expect: acme, want: tally{mismatched: 1}, problem: `phone: stored "+33999999999", want "+33123456789"`,
			damage: func(t *testing.T, sb *e2eSandbox, ids map[string]int64) {
				put(t, sb, resource.Customer, ids["customer.acme"], `{"phone": "+33999999999"}`)
			}},
		{name: "changed-price", expect: acme, want: tally{mismatched: 1}, problem: "selling_price_without_tax",
			damage: func(t *testing.T, sb *e2eSandbox, ids map[string]int64) {
				put(t, sb, resource.Initial, ids["customer.acme.file.main-2026.initial.installation"], `{"selling_price_without_tax": 150.01}`)
			}},
		{name: "unsent-field", expect: acme, want: tally{mismatched: 1}, problem: "fields not in the manifest: label",
			damage: func(t *testing.T, sb *e2eSandbox, ids map[string]int64) {
				put(t, sb, resource.Recurring, ids["customer.acme.file.main-2026.recurring.sip-trunk"], `{"label": "renamed"}`)
			}},
		{name: "missing-line", expect: more, want: tally{missing: 1}, problem: "missing: customer.acme.file.main-2026.recurring.unapplied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sb := startSandbox(t, sandbox.Options{Seed: 1})
			statePath := filepath.Join(t.TempDir(), "onboard.state")
			if r := runOnboard(t, sb.env(), applyArgs(acme, statePath, "--rate", "0")...); r.code != 0 {
				t.Fatalf("apply:\n%s", r)
			}
			before, problems := auditSandbox(sb, loadSet(t, acme))
			if len(problems) != 0 || before.objects != 7 {
				t.Fatalf("audit of a correct apply: %d objects, problems %q", before.objects, problems)
			}
			if tc.damage != nil {
				tc.damage(t, sb, before.ids)
			}
			got, problems := auditSandbox(sb, loadSet(t, tc.expect))
			if got.duplicates != tc.want.duplicates || got.missing != tc.want.missing ||
				got.extra != tc.want.extra || got.mismatched != tc.want.mismatched {
				t.Errorf("audit found %+v, want %+v; problems: %q", got, tc.want, problems)
			}
			if (len(problems) == 0) != (tc.problem == "") || !strings.Contains(strings.Join(problems, "\n"), tc.problem) {
				t.Errorf("problems %q, want one mentioning %q", problems, tc.problem)
			}
		})
	}
}

// post creates an object directly through the sandbox API.
func post(t *testing.T, sb *e2eSandbox, k resource.Kind, body string) {
	t.Helper()
	send(t, sb, http.MethodPost, resource.Get(k).Path, body, http.StatusCreated)
}

// put changes an object directly through the sandbox API.
func put(t *testing.T, sb *e2eSandbox, k resource.Kind, id int64, body string) {
	t.Helper()
	if id == 0 {
		t.Fatalf("put: no %s id", k)
	}
	send(t, sb, http.MethodPut, resource.Get(k).Path+"/"+strconv.FormatInt(id, 10), body, http.StatusOK)
}

func send(t *testing.T, sb *e2eSandbox, method, path, body string, want int) {
	t.Helper()
	req, err := http.NewRequest(method, sb.base+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+sb.srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, want)
	}
}
